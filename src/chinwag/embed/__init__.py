"""Embedding chinwag in an existing backend.

- :class:`SocketEmitter` — the seed's ``socketEmitter`` (``emit_to_conversation``,
  ``emit_to_campaign``, ``emit_to_user``) plus ``post_automated_message``, in the chinwag process
  (:meth:`SocketEmitter.for_app`) or in a worker (:func:`worker_emitter`).
- :func:`chinwag_lifespan` — run a mounted chinwag app's start-up and shut-down inside the host's
  lifespan.

See ``docs/embedding.md``.
"""

from chinwag.embed.emitter import SocketEmitter
from chinwag.embed.mounting import chinwag_lifespan
from chinwag.embed.worker import worker_emitter

__all__ = ["SocketEmitter", "chinwag_lifespan", "worker_emitter"]
