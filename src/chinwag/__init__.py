"""chinwag: a contract-first real-time chat backend."""

__version__ = "0.1.0"
