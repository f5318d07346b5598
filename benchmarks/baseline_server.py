"""The bare python-socketio baseline: chinwag's events and REST shapes with no business logic.

It runs the same stack as chinwag (Starlette, python-socketio ASGI, uvicorn with
permessage-deflate off, orjson as the Socket.IO JSON module, the same engine.io buffer) and answers
the same events with the same payload shapes, so the one load generator drives both servers. What
it leaves out is exactly what the benchmark prices: validation, access checks, rate limits, storage
and the emit-after-commit machinery. State (campaigns, conversations, seq counters) lives in dicts.

Run: ``python -m benchmarks.baseline_server serve --host 127.0.0.1 --port P`` with
``CHINWAG_JWT_SECRET`` (and optionally ``CHINWAG_REDIS_URL``) in the environment.
"""

from __future__ import annotations

import argparse
import logging
import os

import uvicorn

from benchmarks.baseline_app import BaselineServer

#: chinwag's default engine.io buffer (``CHINWAG_MAX_HTTP_BUFFER_SIZE``).
DEFAULT_MAX_HTTP_BUFFER_SIZE = 262144


class _RedisDetail(logging.Filter):
    """Shows the ``redis_exception`` python-socketio attaches to its Redis errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        detail = getattr(record, "redis_exception", None)
        if detail:
            record.msg = f"{record.msg} ({detail})"
        return True


def main(argv: list[str] | None = None) -> None:
    """``serve --host H --port P``: the same command line shape as ``python -m chinwag serve``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.baseline_server")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the baseline server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_RedisDetail())
    server = BaselineServer(
        secret=os.environ.get("CHINWAG_JWT_SECRET", "baseline-secret"),
        redis_url=os.environ.get("CHINWAG_REDIS_URL") or None,
        max_http_buffer_size=int(
            os.environ.get("CHINWAG_MAX_HTTP_BUFFER_SIZE", DEFAULT_MAX_HTTP_BUFFER_SIZE)
        ),
    )
    # The same uvicorn settings as chinwag's CLI: defaults, deflate off, warning logs.
    uvicorn.run(
        server.app(),
        host=args.host,
        port=args.port,
        log_level="warning",
        ws_per_message_deflate=False,
        lifespan="on",
    )


if __name__ == "__main__":
    main()
