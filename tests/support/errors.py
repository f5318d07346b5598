"""Errors raised by the test service managers.

They are errors, never skips: a test that needs PostgreSQL or Redis must fail loudly when the
service
is missing, or CI would go green while testing nothing.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

#: How much of a service log to quote in an error: enough for the real cause, short enough to read.
LOG_TAIL_CHARS = 8000


class ServiceError(RuntimeError):
    """Base class for every failure of a test service (PostgreSQL, Redis, chinwag server)."""


class ServiceUnavailableError(ServiceError):
    """The service's binaries are not installed; the message says how to install them."""


class ServiceLogError(ServiceError):
    """A failure of a running service process; the message quotes the tail of its log."""

    def __init__(self, message: str, log_path: Path | None = None) -> None:
        self.log_path = log_path
        if log_path is not None:
            message = f"{message}\n--- {log_path} (tail) ---\n{read_log_tail(log_path)}"
        super().__init__(message)


class ServiceStartError(ServiceLogError):
    """The service process died or did not become ready in time."""


class ServiceStopError(ServiceLogError):
    """The service did not exit in time after being signalled (it was then killed)."""


def read_log_tail(path: Path, limit: int = LOG_TAIL_CHARS) -> str:
    """Return the last ``limit`` characters of ``path`` (or a note when it cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"<log unreadable: {exc}>"
    if len(text) > limit:
        return "…" + text[-limit:]
    return text or "<log empty>"


def stop_process(
    proc: subprocess.Popen[bytes] | None,
    sig: signal.Signals,
    timeout: float,
    what: str,
    log_path: Path | None,
) -> ServiceStopError | None:
    """Signal a running ``proc`` and wait; after ``timeout`` kill it and return the error."""
    if proc is None or proc.poll() is not None:
        return None
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return ServiceStopError(
            f"{what} did not stop within {timeout:.0f} s of {sig.name}; killed", log_path
        )
    return None
