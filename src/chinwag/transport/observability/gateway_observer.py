"""What the gateway tells operations: one log line per connection, disconnection and rejected
event, and the per-event metrics.

A socket that connects without a token is logged once it authenticates (its ``socket
connected`` line then carries the user). One that never does (a handshake flood is thousands of
them, closed at the auth deadline) gets no line of its own at INFO, only DEBUG: the sockets
closed that way are counted and reported in one ``unauthenticated sockets closed`` line per
window, with their disconnect reasons.

Log lines carry the socket id, user id, event name and error code, never payloads (tokens,
texts and URLs live there). Rejections are bounded per socket (:class:`LineBudget`), so a
client that keeps sending bad events cannot flood the log; the metrics count every one.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from chinwag.errors import ChinwagError
from chinwag.logs import get_logger
from chinwag.metrics import UNKNOWN, EventCounters, event_label
from chinwag.transport.observability.line_budget import LineBudget
from chinwag.transport.socketio.sessions import SessionRegistry

REJECTION_LINES = 10
"""Rejection lines per socket per window; more are counted and reported on the next line."""

log = get_logger("chinwag.sockets")


class GatewayObserver:
    """Logs the sockets' lives and rejections; counts events when metrics are on."""

    def __init__(
        self, sessions: SessionRegistry, counters: EventCounters | None, window_s: float
    ) -> None:
        self.sessions = sessions
        self.counters = counters
        self.window_s = window_s
        self._budgets: dict[str, LineBudget] = {}
        #: Sockets connected without a user and not logged yet → their transport.
        self._unannounced: dict[str, str] = {}
        #: Disconnect reasons of the sockets closed without a user since the last summary.
        self._closed_unannounced: Counter[str] = Counter()
        self._summary: asyncio.TimerHandle | None = None

    def connected(self, sid: str, transport: str) -> None:
        """A socket connected (authenticated already when its handshake had a token)."""
        user_id = self.sessions.user_of(sid)
        if user_id is None:
            self._unannounced[sid] = transport
            log.debug("socket connected", sid=sid, user_id=None, transport=transport)
            return
        log.info("socket connected", sid=sid, user_id=user_id, transport=transport)

    def refused(self, sid: str, code: str) -> None:
        """A connection was refused in the handshake."""
        log.info("socket refused", sid=sid, code=code)

    def disconnected(self, sid: str, user_id: str | None, reason: Any) -> None:
        """A socket is gone; ``reason`` is python-socketio's (client/server disconnect, ...)."""
        self._budgets.pop(sid, None)
        if self._unannounced.pop(sid, None) is not None:
            log.debug("socket disconnected", sid=sid, user_id=user_id, reason=str(reason))
            self._count_unannounced(str(reason))
            return
        log.info("socket disconnected", sid=sid, user_id=user_id, reason=str(reason))

    def _count_unannounced(self, reason: str) -> None:
        self._closed_unannounced[reason] += 1
        if self._summary is None:
            loop = asyncio.get_running_loop()
            self._summary = loop.call_later(self.window_s, self._summarize)

    def _summarize(self) -> None:
        self._summary = None
        closed, self._closed_unannounced = self._closed_unannounced, Counter()
        log.info(
            "unauthenticated sockets closed",
            count=closed.total(),
            reasons=dict(closed),
            window_s=self.window_s,
        )

    def handled(self, event: str, sid: str, result: Any, seconds: float) -> None:
        """An event was answered with ``result`` (the ack payload) after ``seconds``."""
        error = result.get("error") if type(result) is dict else None
        outcome = error.get("code", "internal") if type(error) is dict else "ok"
        if self.counters is not None:
            self.counters.handled(event, outcome, seconds)
        if event == "authenticate" and outcome == "ok":
            user_id = self.sessions.user_of(sid)
            transport = self._unannounced.pop(sid, None)
            if transport is not None:  # connected without a token: its line is due now
                log.info("socket connected", sid=sid, user_id=user_id, transport=transport)
            log.info("socket authenticated", sid=sid, user_id=user_id)

    def rejected(self, sid: str, event: str, err: ChinwagError) -> None:
        """An event got an error reply (logged within the socket's line budget)."""
        budget = self._budgets.get(sid)
        if budget is None:
            budget = self._budgets[sid] = LineBudget(REJECTION_LINES, self.window_s)
        if not budget.take():
            return
        label = event_label(event)
        suppressed = budget.drain_suppressed()
        extra = {"suppressed": suppressed} if suppressed else {}
        log.info(
            "event rejected",
            sid=sid,
            user_id=self.sessions.user_of(sid),
            event_name=label if label != UNKNOWN else "(undeclared)",
            code=err.code,
            **extra,
        )

    def rate_limited(self, scope: str) -> None:
        """A rate limit refused an event (``socket`` or ``user``)."""
        if self.counters is not None:
            self.counters.rate_limited[scope].inc()

    def unknown_event(self, sid: str, seconds: float) -> None:
        """An event the contract does not declare was answered with ``unknown_event``."""
        if self.counters is not None:
            self.counters.handled(UNKNOWN, "unknown_event", seconds)
