"""A new connection's local and peer address, read without letting go of the GIL.

uvicorn's HTTP and websocket protocols call ``get_local_addr`` and ``get_remote_addr`` for every
new connection; with uvloop they end in ``socket.getsockname()`` / ``getpeername()``, which
release the GIL around the system call. While another thread runs Python code (the SQLite writer
under load) the event loop then waits to get it back: measured here on fresh connections, 14 µs
for the pair on an idle process, a median of 55 µs and a 90th percentile of 5.1 ms (the
interpreter's switch interval) with one busy thread. In a handshake flood that stalled the loop
for every connection. :func:`local_addr` and :func:`remote_addr` make the same two system calls
through ``ctypes.PyDLL`` (which keeps the GIL: they take a microsecond) and fall back to
uvicorn's own functions for anything but an IPv4 or IPv6 TCP socket.
"""

from __future__ import annotations

import ctypes
import socket
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["install", "local_addr", "remote_addr"]

_ORIGINALS: dict[str, Callable[[Any], Any]] = {}
_BUFFER = 128  # bytes: sockaddr_storage
_LIBC: Any = None


def _libc() -> Any:
    global _LIBC
    if _LIBC is None:
        libc = ctypes.PyDLL(None)  # PyDLL: the GIL is held during the call
        for name in ("getsockname", "getpeername"):
            fn = getattr(libc, name)
            fn.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint32)]
            fn.restype = ctypes.c_int
        _LIBC = libc
    return _LIBC


def _address(fd: int, which: str) -> tuple[str, int] | None:
    """``(host, port)`` of socket ``fd`` (``getsockname``/``getpeername``), or None."""
    buf = ctypes.create_string_buffer(_BUFFER)
    size = ctypes.c_uint32(_BUFFER)
    if getattr(_libc(), which)(fd, buf, ctypes.byref(size)) != 0:
        return None
    raw = buf.raw[: size.value]
    family = int.from_bytes(raw[:2], sys.byteorder)
    port = int.from_bytes(raw[2:4], "big")
    if family == socket.AF_INET and len(raw) >= 8:
        return socket.inet_ntop(socket.AF_INET, raw[4:8]), port
    if family == socket.AF_INET6 and len(raw) >= 24:
        return socket.inet_ntop(socket.AF_INET6, raw[8:24]), port
    return None


def _fd(transport: Any) -> int | None:
    sock = transport.get_extra_info("socket")
    if sock is None or sock.type != socket.SOCK_STREAM:
        return None
    fd: int = sock.fileno()
    return fd if fd >= 0 else None


def local_addr(transport: Any) -> Any:
    """``uvicorn.protocols.utils.get_local_addr`` without releasing the GIL."""
    fd = _fd(transport)
    found = _address(fd, "getsockname") if fd is not None else None
    return found if found is not None else _ORIGINALS["get_local_addr"](transport)


def remote_addr(transport: Any) -> Any:
    """``uvicorn.protocols.utils.get_remote_addr`` without releasing the GIL."""
    fd = _fd(transport)
    found = _address(fd, "getpeername") if fd is not None else None
    return found if found is not None else _ORIGINALS["get_remote_addr"](transport)


MODULES = (
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.websockets.websockets_sansio_impl",
)
"""uvicorn's protocol modules that imported the two functions by name."""


def install() -> None:
    """Put both in the protocol modules (idempotent, process-wide)."""
    if _ORIGINALS or not sys.platform.startswith("linux"):
        return
    import importlib

    from uvicorn.protocols import utils

    _ORIGINALS["get_local_addr"] = utils.get_local_addr
    _ORIGINALS["get_remote_addr"] = utils.get_remote_addr
    for name in MODULES:
        module = importlib.import_module(name)
        module.get_local_addr = local_addr  # type: ignore[attr-defined]
        module.get_remote_addr = remote_addr  # type: ignore[attr-defined]
