"""engine.io and Socket.IO session ids, with their random bytes drawn a few kilobytes at a time.

engine.io's ``generate_id`` (public, called for every engine.io session and, by python-socketio,
for every Socket.IO session) asks the kernel for 12 random bytes each time. The call releases
the GIL, and while another thread runs Python code (the SQLite writer under load) getting it
back takes tens of microseconds to milliseconds: measured here, 0.7 µs per id on an idle
process and 86 µs with one busy thread. In a handshake flood that is two ids per socket.
:class:`SessionIds` makes the same ids (12 bytes from ``os.urandom`` and engine.io's 3-byte
sequence number, URL-safe base64) from a pool refilled :data:`POOL_IDS` ids at a time.
"""

from __future__ import annotations

import base64
import os

POOL_IDS = 256
"""Ids' worth of random bytes fetched from the kernel at once."""
RANDOM_BYTES = 12


class SessionIds:
    """A drop-in for ``engineio.AsyncServer.generate_id``: unpredictable, unique ids."""

    __slots__ = ("_at", "_pool", "_sequence")

    def __init__(self) -> None:
        self._pool = b""
        self._at = 0
        self._sequence = 0

    def __call__(self) -> str:
        if self._at >= len(self._pool):
            self._pool = os.urandom(RANDOM_BYTES * POOL_IDS)
            self._at = 0
        random = self._pool[self._at : self._at + RANDOM_BYTES]
        self._at += RANDOM_BYTES
        raw = random + self._sequence.to_bytes(3, "big")
        self._sequence = (self._sequence + 1) & 0xFFFFFF
        return base64.urlsafe_b64encode(raw).decode("ascii")
