"""Process-wide logging: structlog for chinwag's own lines, the same output for libraries'.

``json``: one JSON object per line (production, log shippers); ``console``: aligned key=value
lines for a terminal. Records from the standard library's loggers (uvicorn, python-engineio,
…) go through the same renderer, so a log is one format. What chinwag logs about sockets and
events is ids, event names, error codes and reasons: never tokens, message texts or URLs.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal

import orjson
import structlog

LogFormat = Literal["console", "json"]


def _dumps(data: Any, **kwargs: Any) -> str:
    return orjson.dumps(data, default=str).decode()


def configure_logging(fmt: LogFormat, level: str) -> None:
    """Send every log record to stderr as ``fmt`` lines, from ``level`` up."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=_dumps)
        if fmt == "json"
        # Plain tracebacks: rich's would print every frame's locals (tokens, message texts).
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    tail: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if fmt == "json":
        tail.append(structlog.processors.format_exc_info)
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared, processors=[*tail, renderer]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())


def route_to_stdlib() -> None:
    """When nothing configured structlog (chinwag mounted in another app, or built in a test),
    send chinwag's lines through the standard library's logging as ``key=value`` text, so the
    host's handlers and levels apply (structlog's own default prints to stdout)."""
    if structlog.is_configured():
        return
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.processors.KeyValueRenderer(key_order=["event"], sort_keys=True),
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    """A structlog logger writing through the standard logger ``name``."""
    return structlog.stdlib.get_logger(name)
