"""A websocket that ends reports it with ``None``, not an exception caught in a reference cycle.

engine.io's ASGI ``WebSocket.wait`` raises ``OSError`` when the connection ends; it travels
through ``asyncio.wait_for`` into ``AsyncSocket._websocket_handler``, whose loop breaks on it.
The exception's traceback holds the handler's frame, which holds the task that stored the
exception: a reference cycle, so every closed websocket (its engine.io socket, queue, the
uvicorn protocol and transport, the websockets parser: about a hundred objects) waits for a
full garbage collection instead of being freed when it closes. After a handshake flood that is
every flood socket, and the full collection that frees them stalls the event loop for hundreds
of milliseconds. The handler's loop also breaks on ``None`` ("connection closed by client"),
so :func:`wait` returns ``None`` instead once the socket is past any upgrade (during the
polling → websocket upgrade engine.io's own ``except OSError`` is kept).
"""

from __future__ import annotations

from typing import Any

__all__ = ["SOCKET", "wait"]

SOCKET = "_chinwag_engineio_socket"
"""Key, in an engine.io ``WebSocket``'s ``__dict__``, of the engine.io socket it serves (set
by the patched ``_websocket_handler`` while it runs)."""


async def wait(self: Any) -> Any:
    """``engineio.async_drivers.asgi.WebSocket.wait``; ``None`` when the connection ended."""
    event = await self.asgi_receive()
    if event["type"] != "websocket.receive":
        sock = self.__dict__.get(SOCKET)
        if sock is not None and not sock.upgrading:
            return None
        raise OSError()
    if event.get("bytes", None) is not None:
        return event["bytes"]
    elif event.get("text", None) is not None:
        return event["text"]
    else:  # engine.io's: a receive event with neither
        raise OSError()
