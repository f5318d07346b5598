"""Library log records that are about a client, not the server, turned into chinwag's own.

python-engineio, python-socketio and uvicorn log a full traceback at ERROR for input they
cannot decode. What :mod:`~chinwag.transport.observability.edge` cannot stop before a library
sees it (uvicorn's check of a text frame's UTF-8, and anything that still reaches engine.io's
catch-alls) is recognised here: the record is dropped and reported as garbage, without the
socket id, which the library does not say. python-socketio's Redis publish failures are
counted on the way (the record itself passes).
"""

from __future__ import annotations

import logging

from chinwag.metrics import REDIS_PUBLISH_ERRORS
from chinwag.transport.observability.edge import DECODE_ERRORS
from chinwag.transport.observability.garbage import GarbageMonitor, describe

LIBRARY_LOGGERS = ("engineio.server", "socketio.server", "uvicorn.error", "asyncio")

# Messages of library records whose exception, when a decoding error, is the client's doing.
CATCH_ALLS = {
    "message async handler error": "socketio_packet",
    "post request handler error": "polling_body",
    "Unknown receive error": "engineio_packet",
    "Exception in ASGI application\n": "engineio_packet",
    "Exception in ASGI application": "engineio_packet",
}
# python-socketio dispatches an event in a task of its own: an event name it cannot look up
# (a JSON object, say) fails there, and asyncio reports the task's exception.
TASK_EXCEPTION = "Task exception was never retrieved"
INVALID_UTF8 = "Invalid UTF-8 sequence received from client."
REDIS_PUBLISH = {
    "Cannot publish to redis... retrying": "retried",
    "Cannot publish to redis... giving up": "lost",
}


# uvicorn's and websockets' INFO lines for every websocket connection (uvicorn.error): chinwag
# logs each socket's life itself, with its sid and user; these say less, three per connection.
WEBSOCKET_CHATTER = frozenset(
    {'%s - "WebSocket %s" [accepted]', "connection open", "connection closed"}
)


class WebsocketChatterFilter(logging.Filter):
    """Passes uvicorn's per-websocket lines only when its logger is set to DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str) or record.msg not in WEBSOCKET_CHATTER:
            return True
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


class ClientGarbageFilter(logging.Filter):
    """Drops library records about client garbage, reporting them to the monitor instead."""

    def __init__(self, monitor: GarbageMonitor) -> None:
        super().__init__("chinwag")
        self.monitor = monitor

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg
        if not isinstance(msg, str):
            return True
        if msg in REDIS_PUBLISH:
            REDIS_PUBLISH_ERRORS.labels("fanout", REDIS_PUBLISH[msg]).inc()
            return True
        if msg == INVALID_UTF8:
            self.monitor.report(None, "invalid_utf8", "text frame is not UTF-8")
            return False
        kind = "socketio_packet" if msg.startswith(TASK_EXCEPTION) else CATCH_ALLS.get(msg)
        exc = record.exc_info[1] if record.exc_info else None
        if kind is not None and isinstance(exc, DECODE_ERRORS) and _raised_decoding(exc):
            self.monitor.report(None, kind, describe(exc))
            return False
        return True


def _raised_decoding(exc: BaseException) -> bool:
    """Whether ``exc`` was raised inside python-engineio or python-socketio (their decoders),
    not in chinwag's code or an application's: a server bug keeps its traceback."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    filename = tb.tb_frame.f_code.co_filename.replace("\\", "/")
    return (
        "/engineio/" in filename
        or "/socketio/" in filename
        or filename.endswith("fastpath/jsonlib.py")
    )


def install_filter(monitor: GarbageMonitor) -> ClientGarbageFilter:
    """Attach one filter to every library logger that reports client garbage (replacing an
    earlier one, so building several apps in a process does not stack them), and quiet
    uvicorn's per-websocket lines (:class:`WebsocketChatterFilter`)."""
    garbage_filter = ClientGarbageFilter(monitor)
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, ClientGarbageFilter)]:
            logger.removeFilter(old)
        logger.addFilter(garbage_filter)
    uvicorn_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, WebsocketChatterFilter) for f in uvicorn_log.filters):
        uvicorn_log.addFilter(WebsocketChatterFilter())
    return garbage_filter
