"""What the gateway tells operations: one log line per connection, disconnection and rejected
event, and the per-event metrics.

Log lines carry the socket id, user id, event name and error code, never payloads (tokens,
texts and URLs live there). Rejections are bounded per socket (:class:`LineBudget`), so a
client that keeps sending bad events cannot flood the log; the metrics count every one.
"""

from __future__ import annotations

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

    def connected(self, sid: str, transport: str) -> None:
        """A socket connected (authenticated already when its handshake had a token)."""
        log.info(
            "socket connected", sid=sid, user_id=self.sessions.user_of(sid), transport=transport
        )

    def refused(self, sid: str, code: str) -> None:
        """A connection was refused in the handshake."""
        log.info("socket refused", sid=sid, code=code)

    def disconnected(self, sid: str, user_id: str | None, reason: Any) -> None:
        """A socket is gone; ``reason`` is python-socketio's (client/server disconnect, ...)."""
        self._budgets.pop(sid, None)
        log.info("socket disconnected", sid=sid, user_id=user_id, reason=str(reason))

    def handled(self, event: str, sid: str, result: Any, seconds: float) -> None:
        """An event was answered with ``result`` (the ack payload) after ``seconds``."""
        error = result.get("error") if type(result) is dict else None
        outcome = error.get("code", "internal") if type(error) is dict else "ok"
        if self.counters is not None:
            self.counters.handled(event, outcome, seconds)
        if event == "authenticate" and outcome == "ok":
            log.info("socket authenticated", sid=sid, user_id=self.sessions.user_of(sid))

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
