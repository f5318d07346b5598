"""``GET /metrics``: the Prometheus text format, for one process or all of them.

With ``PROMETHEUS_MULTIPROC_DIR`` set (several worker processes behind one port), the answer
aggregates every process's files (prometheus-client's multi-process mode); otherwise it is this
process's registry. Either way the sampler runs first, so the scrape sees current values.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response

from chinwag.transport.observability.sampler import Sampler

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_mode() -> bool:
    """Whether prometheus-client keeps its values in ``PROMETHEUS_MULTIPROC_DIR``."""
    return bool(os.environ.get(MULTIPROC_ENV))


class MetricsEndpoint:
    """The /metrics route and, in multi-process mode, the periodic self-sampling."""

    def __init__(self, sampler: Sampler) -> None:
        self.sampler = sampler

    async def respond(self, request: Request) -> Response:
        """The metrics in Prometheus' text format."""
        self.sampler.sample()
        if multiprocess_mode():
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            body = generate_latest(registry)
        else:
            body = generate_latest(REGISTRY)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Sample periodically while the app runs (multi-process mode only)."""
        if not multiprocess_mode():
            yield
            return
        task = asyncio.create_task(self.sampler.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self.sampler.sample()
            # Live gauges of an exited process must stop counting.
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
