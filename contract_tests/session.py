"""The sockets of one run: opening them, attributing broadcasts, and catching leaks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from contract_tests.binding import Binder
from contract_tests.client import ContractSocket, Outcome
from contract_tests.fixture import Fixture, SetupCall
from contract_tests.recipients import RecipientTracker
from contract_tests.report import Report
from contract_tests.spec import Contract, MessageSpec, OperationSpec
from contract_tests.validate import EventValidator
from contract_tests.world import World

__all__ = ["Session"]

_CONVERSATION_KEYS = ("conversationId", "conversation_id")
_CAMPAIGN_KEYS = ("campaignId", "campaign_id")


def _ids(payload: Any, keys: tuple[str, ...]) -> set[str]:
    """Every string value stored under one of ``keys``, at any depth."""
    found: set[str] = set()
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key in keys and isinstance(value, str):
                found.add(value)
            found |= _ids(value, keys)
    elif isinstance(payload, list):
        for item in payload:
            found |= _ids(item, keys)
    return found


class Session:
    """Opens the run's sockets and judges every event that is not a reply to a request."""

    def __init__(
        self,
        contract: Contract,
        fixture: Fixture,
        world: World,
        report: Report,
        url: str,
        timeout: float,
        max_silent: int = 3,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.contract, self.fixture, self.world, self.report = contract, fixture, world, report
        self.url, self.timeout = url, timeout
        #: After this many consecutive silent cases an operation is stopped (one clear failure).
        self.max_silent = max_silent
        self.progress = progress or (lambda line: None)
        self.silenced: set[str] = set()
        self.recipients = RecipientTracker(contract, report)
        self._silent_streak: dict[str, int] = {}
        self.validator = EventValidator(contract)
        self.binder = Binder(fixture, world)
        self.sockets: list[ContractSocket] = []
        self.all_channels = frozenset(
            op.channel for op in [*contract.requests.values(), *contract.broadcasts.values()]
        )
        self._conversations = {
            world.get(f"conversations.{name}.id"): name for name in fixture.conversations
        }
        self._campaigns = {world.get(f"campaigns.{name}.id"): name for name in fixture.campaigns}
        self._http: httpx.AsyncClient | None = None

    async def prepare(
        self,
        op: OperationSpec,
        payload: Any,
        token: str | None,
        label: str,
        overrides: Mapping[str, dict[str, Any]] | None = None,
    ) -> Any | None:
        """Run ``op``'s fixture setup calls, then bind ``payload`` with their responses.

        Returns None (after recording a failure) when a setup call failed: the case is skipped.
        """
        rules = self.fixture.rules(op.key)
        context: dict[str, Any] = {}
        if rules.setup:
            setup: dict[str, Any] = {}
            context["setup"] = setup
            for call in rules.setup:
                try:
                    setup[call.name] = await self._setup_call(call, context)
                except (httpx.HTTPError, KeyError, ValueError) as exc:
                    self.report.fail(f"{op.key} {label}: setup {call.name!r} failed: {exc}")
                    return None
            self.report.stats(op.key).setups += 1
        return self.binder.bind(payload, token, op.key, context, overrides)

    async def _setup_call(self, call: SetupCall, context: dict[str, Any]) -> Any:
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.url, timeout=10)
        path = self.world.render(call.path, context)
        response = await self._http.request(
            call.method,
            path,
            json=self.world.render(call.json, context),
            headers={"Authorization": f"Bearer {self.world.tokens[call.principal]}"},
        )
        ok = (
            response.status_code in call.status
            if call.status
            else 200 <= response.status_code < 300
        )
        if not ok:
            raise ValueError(
                f"{call.method} {path}: HTTP {response.status_code} {response.text[:300]}"
            )
        return response.json() if response.content else None

    @property
    def auth_op(self) -> OperationSpec:
        """The authenticate operation (its success reply answers a handshake too)."""
        return self.contract.requests[self.fixture.auth_operation]

    async def open(
        self,
        name: str,
        principal: str | None,
        channels: frozenset[str] | None = None,
    ) -> ContractSocket:
        """Connect a socket; a ``principal`` authenticates in the handshake, ``None`` does not
        (it still carries the actor's token, for an ``authenticate`` request)."""
        token = self.world.tokens[principal or self.fixture.actor]
        sock = ContractSocket(
            name,
            self.url,
            self.validator,
            principal=principal,
            token=token,
            channels=(channels or self.all_channels) if principal else frozenset({"socket"}),
            on_broadcast=self.on_broadcast,
            on_fail=self.report.fail,
            timeout=self.timeout,
        )
        self.sockets.append(sock)
        handshake = self.auth_op.success_replies[0] if principal else None
        outcome = await sock.connect(handshake)
        if outcome is not None and (outcome.silent or outcome.dropped):
            self.report.fail(f"[{name}] no {handshake.name if handshake else ''} after handshake")
        return sock

    async def send(
        self, sock: ContractSocket, op: OperationSpec, payload: Any, *, probe: bool = False
    ) -> Outcome:
        """Send ``payload`` as ``op``'s request and record which declared reply came back.

        A server that never sends a declared reply would make every case wait out the reply
        timeout: after :attr:`max_silent` silent cases in a row the operation is stopped with one
        failure, and its remaining cases come back ``skipped`` at once. A ``probe`` (the harness
        checking that the socket still works between cases) that gets its reply does not end a
        run of silent cases: with ``chat:error`` missing, invalid cases alternate with probes.
        """
        if op.key in self.silenced:
            return Outcome(skipped=True)
        outcome = await sock.request(op.request.name, payload, list(op.replies))
        if outcome.silent or not probe:
            self._count_silence(op, outcome)
        self.recipients.on_reply(sock, op, outcome)
        stats = self.report.stats(op.key)
        stats.retries += outcome.retries
        if outcome.spec is not None:
            stats.replies[outcome.spec.key] += 1
            self.report.messages[outcome.spec.name] += 1
        if outcome.code is not None:
            stats.errors[outcome.code] += 1
        return outcome

    def _count_silence(self, op: OperationSpec, outcome: Outcome) -> None:
        streak = self._silent_streak.get(op.key, 0) + 1 if outcome.silent else 0
        self._silent_streak[op.key] = streak
        if streak < self.max_silent:
            return
        self.silenced.add(op.key)
        replies = ", ".join(repr(m.name) for m in op.replies)
        message = (
            f"{op.key}: STOPPED after {streak} consecutive cases with no declared reply within "
            f"{self.timeout:g} s: the server does not answer {op.request.name!r} with any of "
            f"{replies}; the operation's remaining cases were skipped"
        )
        self.report.fail(message)
        self.progress(message)

    def on_broadcast(
        self, sock: ContractSocket, event: str, payload: Any, spec: MessageSpec | None
    ) -> None:
        """Attribute an unrequested event to the send operations of the socket's channels."""
        self.report.messages[event] += 1
        if event not in self.contract.outbound:
            return  # already failed as an undeclared event
        matching = [
            op
            for op in self.contract.broadcasts.values()
            if op.channel in sock.channels and any(m.name == event for m in op.messages)
        ]
        if not matching:
            self.report.fail(
                f"[{sock.name}] unexpected {event!r}: not the reply of a pending request, and "
                f"no channel of this socket ({sorted(sock.channels)}) carries it"
            )
        for op in matching:
            self.report.broadcasts[op.key] += 1
            self.recipients.on_broadcast(sock, op, payload)
        self._check_access(sock, event, payload)

    def _check_access(self, sock: ContractSocket, event: str, payload: Any) -> None:
        principal = sock.principal
        for conv_id in _ids(payload, _CONVERSATION_KEYS):
            conv = self._conversations.get(conv_id)
            if conv and (
                principal is None or not self.fixture.can_access_conversation(principal, conv)
            ):
                self.report.fail(
                    f"[{sock.name}] leak: {event!r} about conversation {conv!r} reached "
                    f"{principal or 'an unauthenticated socket'}, who has no access"
                )
        for camp_id in _ids(payload, _CAMPAIGN_KEYS):
            camp = self._campaigns.get(camp_id)
            if camp and (
                principal is None or not self.fixture.can_access_campaign(principal, camp)
            ):
                self.report.fail(
                    f"[{sock.name}] leak: {event!r} about campaign {camp!r} reached "
                    f"{principal or 'an unauthenticated socket'}, who is not a member"
                )

    async def close_all(self) -> None:
        """Disconnect every socket of the run."""
        for sock in self.sockets:
            await sock.close()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
