"""Networking primitives shared by the service managers."""

from __future__ import annotations

import socket

LOCALHOST = "127.0.0.1"


def free_port(host: str = LOCALHOST) -> int:
    """Return a TCP port on ``host`` that nobody was listening on a moment ago.

    The kernel picks the port (bind to port 0), so parallel test workers don't collide the way a
    counter or a random number would. The socket is closed before returning, so another process may
    grab the port first; the service managers retry with a new port when their bind fails.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port
