"""Contract-checking clients for integration tests: a Socket.IO ``ChatClient`` and a REST ``Api``.

Every server→client event a ``ChatClient`` receives, every acknowledgement it gets and every REST
body ``Api`` reads is validated against ``asyncapi.yaml`` / ``openapi.yaml`` (and ``schemas.yaml``)
with jsonschema, and against the generated pydantic models when they are importable. An undeclared
event or an invalid payload is recorded as a violation: the next wait fails with it, and so does
teardown.

This module is also a pytest plugin (``pytest_plugins = ("tests.support.client",)``) providing the
fixtures ``chat_server`` (one real server per database and test module), ``tokens``, ``api`` and
``connect``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import httpx
import jsonschema
import jwt
import pytest
import pytest_asyncio
import socketio
import yaml

from tests.support.server import ServerProcess

REPO = Path(__file__).resolve().parents[2]
#: An event the contract does not declare: the server answers it with ``chat:error``
#: (unknown_event), which makes it a side-effect-free round trip for :meth:`ChatClient.barrier`.
BARRIER_EVENT = "test:barrier"
DEFAULT_TIMEOUT = 10.0

#: The declared replies of each client→server event (success first, then the error event).
REPLIES: dict[str, tuple[str, ...]] = {
    "authenticate": ("authenticated", "auth_error"),
    "chat:join": ("chat:joined", "chat:error"),
    "chat:leave": ("chat:left", "chat:error"),
    "chat:send": ("chat:ack", "chat:error"),
    "chat:read": ("chat:read", "chat:error"),
    "work:join": ("work:joined", "chat:error"),
    "work:leave": ("work:left", "chat:error"),
    "chat:sync": ("chat:synced", "chat:error"),
    "chat:action": ("chat:action_ack", "chat:error"),
}

Json = Any
Payload = dict[str, Any]

# -- the contract -----------------------------------------------------------------------------


class Contract:
    """Validators for the contract's server→client events, acks and REST bodies."""

    def __init__(self) -> None:
        self.asyncapi_uri = (REPO / "asyncapi.yaml").as_uri()
        self.openapi_uri = (REPO / "openapi.yaml").as_uri()
        self.schemas_uri = (REPO / "schemas.yaml").as_uri()
        asyncapi = _load_yaml(REPO / "asyncapi.yaml")
        self.documents: dict[str, Any] = {
            self.asyncapi_uri: asyncapi,
            self.openapi_uri: _load_yaml(REPO / "openapi.yaml"),
            self.schemas_uri: _load_yaml(REPO / "schemas.yaml"),
        }
        self.outbound: dict[str, str] = _outbound_payload_refs(asyncapi)
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self.models = _generated_outbound_models()

    def _validator(self, ref: str) -> jsonschema.protocols.Validator:
        # Refs are inlined once up front: following them on every validation through a
        # registry made one Message check take ~20 ms, which a 1,500-ack test cannot afford.
        if ref not in self._validators:
            cls = jsonschema.Draft202012Validator
            schema = self._inline({"$ref": ref}, ref)
            cls.check_schema(schema)
            self._validators[ref] = cls(schema, format_checker=cls.FORMAT_CHECKER)
        return self._validators[ref]

    def _inline(self, node: Any, base: str) -> Any:
        """``node`` with every ``$ref`` replaced by its target (the contract has no cycles)."""
        if isinstance(node, list):
            return [self._inline(item, base) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            target = urllib.parse.urljoin(base, node["$ref"])
            document_uri, _, pointer = target.partition("#")
            resolved: Any = self.documents[document_uri]
            for part in filter(None, pointer.split("/")):
                resolved = resolved[part.replace("~1", "/").replace("~0", "~")]
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            return self._inline(resolved, target) | self._inline(siblings, base)
        return {key: self._inline(value, base) for key, value in node.items()}

    def errors(self, ref: str, data: Json) -> list[str]:
        """Every way ``data`` breaks the schema at ``ref`` (an absolute URI with a fragment)."""
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in self._validator(ref).iter_errors(data)
        ]

    def event_errors(self, event: str, args: Sequence[Json]) -> list[str]:
        """Violations of one received event: undeclared name, not one argument, bad payload."""
        ref = self.outbound.get(event)
        if ref is None:
            return [f"undeclared server→client event {event!r}"]
        if len(args) != 1:
            return [f"{event}: expected exactly one argument, got {len(args)}"]
        problems = [f"{event}: {msg}" for msg in self.errors(ref, args[0])]
        model = self.models.get(event)
        if model is not None and not problems:
            try:
                model.model_validate(args[0])
            except Exception as exc:  # pydantic's ValidationError; any failure is a violation
                problems.append(f"{event}: generated model rejects payload: {exc}")
        return problems

    def ack_errors(self, event: str, args: Sequence[Json]) -> list[str]:
        """Violations of an acknowledgement to ``event``: success payload or ErrorBody."""
        if len(args) != 1:
            return [f"ack of {event}: expected one argument, got {len(args)}"]
        data = args[0]
        if isinstance(data, dict) and set(data) == {"error"}:
            ref = f"{self.asyncapi_uri}#/components/schemas/ErrorBody"
        elif event in REPLIES:
            ref = self.outbound[REPLIES[event][0]]
        else:
            return [f"ack of undeclared {event!r} is not an ErrorBody: {data!r}"]
        return [f"ack of {event}: {msg}" for msg in self.errors(ref, data)]

    def rest_ref(self, name: str) -> str:
        """URI of a REST schema: ``Conversation`` (shared) or ``ConversationList`` (openapi)."""
        if name in self.documents[self.schemas_uri]["$defs"]:
            return f"{self.schemas_uri}#/$defs/{name}"
        return f"{self.openapi_uri}#/components/schemas/{name}"


def _load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _outbound_payload_refs(asyncapi: dict[str, Any]) -> dict[str, str]:
    """Wire event name → payload schema URI of every server→client message.

    Server→client messages are those of ``send`` operations and the replies of ``receive`` ones.
    """
    uri = (REPO / "asyncapi.yaml").as_uri()
    messages = asyncapi["components"]["messages"]
    refs: dict[str, str] = {}
    for operation in asyncapi["operations"].values():
        if operation["action"] == "send":
            keys = operation["messages"]
        else:
            keys = operation.get("reply", {}).get("messages", [])
        for key_ref in keys:
            message = messages[key_ref["$ref"].rsplit("/", 1)[-1]]
            payload_ref = f"{uri}{message['payload']['$ref']}"
            previous = refs.setdefault(message["name"], payload_ref)
            assert previous == payload_ref, f"two outbound schemas for {message['name']}"
    return refs


def _generated_outbound_models() -> dict[str, Any]:
    try:
        from chinwag_contract.operations import OUTBOUND_MODELS
    except ImportError:
        return {}
    return dict(OUTBOUND_MODELS)


@cache
def contract() -> Contract:
    """The contract, loaded once per process."""
    return Contract()


# -- tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tokens:
    """Signs HS256 test tokens with the servers' secret."""

    secret: str

    def make(
        self,
        sub: str | None,
        role: str | None = "user",
        *,
        expires_in: float = 3600,
        secret: str | None = None,
        **claims: Any,
    ) -> str:
        """A token for ``sub``; ``None`` omits a claim; ``expires_in`` may be negative."""
        now = int(time.time())
        body: dict[str, Any] = {"sub": sub, "role": role, "iat": now, "exp": now + int(expires_in)}
        body = {key: value for key, value in body.items() if value is not None} | claims
        return jwt.encode(body, secret or self.secret, algorithm="HS256")

    def user(self, sub: str) -> str:
        """A valid user token for an hour."""
        return self.make(sub)

    def service(self, sub: str = "svc-backend") -> str:
        """A valid service-role token."""
        return self.make(sub, "service")

    def expired(self, sub: str) -> str:
        """A correctly signed user token whose exp passed a minute ago."""
        return self.make(sub, expires_in=-60)


def new_user(prefix: str = "user") -> str:
    """A unique user id (the tests share one server per module)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# -- Socket.IO client ------------------------------------------------------------------------


class ConnectRefused(Exception):
    """The server refused the Socket.IO connection (the client saw connect_error)."""

    def __init__(self, data: Any) -> None:
        super().__init__(f"connection refused: {data!r}")
        self.data = data


@dataclass
class Received:
    """One event the client received, in arrival order."""

    event: str
    payload: Any
    consumed: bool = False


@dataclass
class ChatClient:
    """A python-socketio ``AsyncClient`` that records and contract-checks everything it receives."""

    name: str = "client"
    log: list[Received] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    user_id: str | None = None

    def __post_init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.connect_error: Any = None
        self.disconnected = asyncio.Event()
        self._waiters: set[asyncio.Future[None]] = set()
        self.sio.on("*", self._on_any)
        self.sio.on("connect_error", self._on_connect_error)
        self.sio.on("disconnect", self._on_disconnect)

    # -- recording: plain functions, so arrival order is recording order ----------------------

    def _on_any(self, event: str, *args: Any) -> None:
        self.violations.extend(f"[{self.name}] {v}" for v in contract().event_errors(event, args))
        self.log.append(Received(event, args[0] if len(args) == 1 else list(args)))
        self._wake()

    def _on_connect_error(self, data: Any = None) -> None:
        self.connect_error = data

    def _on_disconnect(self, *reason: Any) -> None:
        self.disconnected.set()
        self._wake()

    def _wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    def check(self) -> None:
        """Fail when anything received so far broke the contract."""
        assert not self.violations, "contract violations:\n" + "\n".join(self.violations)

    # -- connection ---------------------------------------------------------------------------

    async def connect(
        self, url: str, token: str | None = None, transports: Sequence[str] | None = None
    ) -> None:
        """Connect (with ``auth: {token}`` when given); raise ConnectRefused on connect_error."""
        try:
            await self.sio.connect(
                url,
                auth={"token": token} if token is not None else None,
                transports=list(transports) if transports else None,
                wait_timeout=DEFAULT_TIMEOUT,
            )
        except socketio.exceptions.ConnectionError as exc:
            if self.connect_error is not None:
                raise ConnectRefused(self.connect_error) from exc
            raise

    async def disconnect(self) -> None:
        """Close the socket (a no-op when already closed)."""
        await self.sio.disconnect()

    @property
    def connected(self) -> bool:
        """Whether the socket is open."""
        return bool(self.sio.connected) and not self.disconnected.is_set()

    @property
    def transport(self) -> str | None:
        """The current engine.io transport (``polling`` or ``websocket``)."""
        return self.sio.transport()  # type: ignore[no-any-return]

    # -- reading what arrived -----------------------------------------------------------------

    def _visible(self, item: Received) -> bool:
        return not (
            item.event == "chat:error"
            and isinstance(item.payload, dict)
            and item.payload.get("event") == BARRIER_EVENT
        )

    @property
    def events(self) -> list[tuple[str, Any]]:
        """Every (event, payload) received, in order (barrier replies left out)."""
        return [(item.event, item.payload) for item in self.log if self._visible(item)]

    def received(self, event: str) -> list[Any]:
        """The payloads of every ``event`` received so far, in order."""
        return [payload for name, payload in self.events if name == event]

    def clear(self) -> None:
        """Forget everything received so far."""
        self.log.clear()

    async def wait_for(
        self,
        event: str | Sequence[str],
        predicate: Callable[[Any], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> Any:
        """The first not yet consumed ``event`` (at log index ≥ ``since``) matching ``predicate``.

        Consumes it, so waiting twice returns two different events. Returns the payload.
        """
        _name, payload = await self._wait(event, predicate, timeout, since)
        return payload

    async def _wait(
        self,
        event: str | Sequence[str],
        predicate: Callable[[Any], bool] | None,
        timeout: float,  # noqa: ASYNC109
        since: int,
    ) -> tuple[str, Any]:
        names = {event} if isinstance(event, str) else set(event)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            self.check()
            for item in self.log[since:]:
                if item.consumed or item.event not in names:
                    continue
                if predicate is None or predicate(item.payload):
                    item.consumed = True
                    return item.event, item.payload
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(
                    f"[{self.name}] no {sorted(names)} within {timeout} s; "
                    f"received: {self.events!r}"[:4000]
                )
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.add(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)

    # -- sending ------------------------------------------------------------------------------

    async def emit(self, event: str, payload: Any = None) -> int:
        """Emit without waiting; returns the log position to pass as ``since``."""
        mark = len(self.log)
        if payload is None:
            await self.sio.emit(event)
        else:
            await self.sio.emit(event, payload)
        return mark

    async def request(
        self,
        event: str,
        payload: Any,
        expect: Sequence[str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> tuple[str, Any]:
        """Emit ``event`` and wait for its reply (``expect``: the declared replies by default).

        The reply is matched to the request by tempId, conversationId/campaignId and, for
        ``chat:error``, the failed ``event``. Returns ``(reply_event, payload)``.
        """
        replies = tuple(expect or REPLIES.get(event, ("chat:error",)))
        mark = await self.emit(event, payload)
        return await self._wait(replies, self._correlates(event, payload), timeout, mark)

    def _correlates(self, event: str, request: Any) -> Callable[[Any], bool]:
        req = request if isinstance(request, dict) else {}

        def match(reply: Any) -> bool:
            if not isinstance(reply, dict):
                return False
            # chat:error names the request that failed.
            if "event" in reply and reply["event"] != event:
                return False
            for key in ("tempId", "conversationId", "campaignId"):
                if isinstance(req.get(key), str) and key in reply and reply[key] != req[key]:
                    return False
            reader = reply.get("readerId")
            return not (event == "chat:read" and reader and self.user_id and reader != self.user_id)

        return match

    async def call(
        self,
        event: str,
        payload: Any,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> Any:
        """Emit with an acknowledgement callback; return (and contract-check) what it got."""
        args: list[Any] = []
        done = asyncio.get_running_loop().create_future()

        def callback(*data: Any) -> None:
            args.extend(data)
            if not done.done():
                done.set_result(None)

        await self.sio.emit(event, payload, callback=callback)
        await asyncio.wait_for(done, timeout)
        problems = contract().ack_errors(event, args)
        assert not problems, "\n".join(problems)
        return args[0]

    async def barrier(self, timeout: float = DEFAULT_TIMEOUT) -> None:  # noqa: ASYNC109
        """A round trip: everything the server queued for this socket before now has arrived."""
        tag = uuid.uuid4().hex
        await self.request(BARRIER_EVENT, {"tempId": tag}, ("chat:error",), timeout)

    # -- protocol shortcuts -------------------------------------------------------------------

    async def authenticate(self, token: str) -> str:
        """``authenticate`` and expect ``authenticated``; returns the userId."""
        name, reply = await self.request("authenticate", {"token": token})
        assert name == "authenticated", f"[{self.name}] authenticate failed: {reply!r}"
        self.user_id = reply["userId"]
        return str(reply["userId"])

    async def ok(self, event: str, payload: Payload) -> Payload:
        """Request and expect the success reply; returns its payload."""
        name, reply = await self.request(event, payload)
        assert name == REPLIES[event][0], f"[{self.name}] {event} {payload!r} → {name} {reply!r}"
        return dict(reply)

    async def fails(self, event: str, payload: Any, code: str) -> Payload:
        """Request and expect ``chat:error`` with ``code``; returns its payload."""
        name, reply = await self.request(event, payload)
        assert name == "chat:error", f"[{self.name}] {event} {payload!r} → {name} {reply!r}"
        assert reply["code"] == code, f"[{self.name}] {event}: expected {code}, got {reply!r}"
        assert reply["event"] == event
        return dict(reply)

    async def join(self, conversation_id: str) -> None:
        """``chat:join`` and expect ``chat:joined``."""
        await self.ok("chat:join", {"conversationId": conversation_id})

    async def work_join(self, campaign_id: str) -> None:
        """``work:join`` and expect ``work:joined``."""
        await self.ok("work:join", {"campaignId": campaign_id})

    async def send(self, conversation_id: str, text: str | None = "hello", **extra: Any) -> Payload:
        """``chat:send`` and expect ``chat:ack``; returns the stored message."""
        payload: Payload = {
            "tempId": extra.pop("tempId", f"tmp-{uuid.uuid4().hex[:8]}"),
            "conversationId": conversation_id,
            "clientNonce": extra.pop("clientNonce", f"n-{uuid.uuid4().hex}"),
        }
        if text is not None:
            payload["text"] = text
        payload |= extra
        ack = await self.ok("chat:send", payload)
        assert ack["tempId"] == payload["tempId"]
        return dict(ack["message"])


# -- REST ------------------------------------------------------------------------------------


class Api:
    """httpx against a server's REST API, authenticated as the service role by default.

    Helpers check the status and validate the body against openapi.yaml.
    """

    def __init__(self, http: httpx.AsyncClient, tokens: Tokens) -> None:
        self.http = http
        self.tokens = tokens
        self.service_headers = {"Authorization": f"Bearer {tokens.service()}"}

    def headers(self, token: str | None) -> dict[str, str]:
        """Authorization headers for ``token``."""
        return {} if token is None else {"Authorization": f"Bearer {token}"}

    async def expect(
        self,
        method: str,
        path: str,
        status: int,
        schema: str | None = None,
        *,
        token: str | None | bool = True,
        **kwargs: Any,
    ) -> Any:
        """Send a request, assert the status, validate the JSON body, return it.

        ``token=True`` means the service token, ``None``/``False`` none. Error statuses are
        validated as ErrorBody unless ``schema`` says otherwise.
        """
        headers = dict(kwargs.pop("headers", {}))
        if token is True:
            headers |= self.service_headers
        elif isinstance(token, str):
            headers |= self.headers(token)
        response = await self.http.request(method, path, headers=headers, **kwargs)
        assert response.status_code == status, (
            f"{method} {path}: expected {status}, got {response.status_code}: {response.text}"
        )
        body = response.json()
        if schema is None and status >= 400:
            schema = "ErrorBody"
        if schema is not None:
            problems = contract().errors(contract().rest_ref(schema), body)
            assert not problems, f"{method} {path} body breaks {schema}: {problems}"
        return body

    async def create_campaign(self, member_ids: Sequence[str] = (), name: str = "c") -> Payload:
        """POST /api/campaigns → 201 Campaign."""
        body = {"name": name, "member_ids": list(member_ids)}
        return dict(await self.expect("POST", "/api/campaigns", 201, "Campaign", json=body))

    async def update_campaign(self, campaign_id: str, **changes: Any) -> Payload:
        """PATCH /api/campaigns/{id} → 200 Campaign."""
        path = f"/api/campaigns/{campaign_id}"
        return dict(await self.expect("PATCH", path, 200, "Campaign", json=changes))

    async def create_conversation(
        self,
        campaign_id: str,
        participant_ids: Sequence[str] = (),
        chat_status: str = "real_time",
    ) -> Payload:
        """POST /api/conversations → 201 Conversation."""
        body = {
            "campaign_id": campaign_id,
            "participant_ids": list(participant_ids),
            "chat_status": chat_status,
        }
        return dict(await self.expect("POST", "/api/conversations", 201, "Conversation", json=body))

    async def update_conversation(self, conversation_id: str, **changes: Any) -> Payload:
        """PATCH /api/conversations/{id} → 200 Conversation."""
        path = f"/api/conversations/{conversation_id}"
        return dict(await self.expect("PATCH", path, 200, "Conversation", json=changes))

    async def get_conversation(self, conversation_id: str, token: str | bool = True) -> Payload:
        """GET /api/conversations/{id} → 200 Conversation."""
        path = f"/api/conversations/{conversation_id}"
        return dict(await self.expect("GET", path, 200, "Conversation", token=token))

    async def list_conversations(self, token: str | bool = True) -> list[Payload]:
        """GET /api/conversations → the items."""
        body = await self.expect("GET", "/api/conversations", 200, "ConversationList", token=token)
        return list(body["items"])

    async def messages(
        self, conversation_id: str, token: str | bool = True, **params: int
    ) -> list[Payload]:
        """GET /api/conversations/{id}/messages → the items."""
        path = f"/api/conversations/{conversation_id}/messages"
        body = await self.expect("GET", path, 200, "MessageList", token=token, params=params)
        return list(body["items"])

    async def all_messages(self, conversation_id: str) -> list[Payload]:
        """Every message of a conversation, paging with after_seq."""
        items: list[Payload] = []
        while True:
            after = items[-1]["seq"] if items else 0
            page = await self.messages(conversation_id, after_seq=after, limit=200)
            items.extend(page)
            if len(page) < 200:
                return items

    async def automated(
        self,
        conversation_id: str,
        text: str = "automated",
        reason: str = "test",
        action_data: Payload | None = None,
    ) -> Payload:
        """POST /api/conversations/{id}/automated-messages → 201 Message."""
        body: Payload = {"text": text, "reason": reason}
        if action_data is not None:
            body["action_data"] = action_data
        path = f"/api/conversations/{conversation_id}/automated-messages"
        return dict(await self.expect("POST", path, 201, "Message", json=body))


@dataclass
class Scene:
    """A campaign with members and one conversation with participants, fresh for one test."""

    campaign: Payload
    conversation: Payload

    @property
    def campaign_id(self) -> str:
        """The campaign's id."""
        return str(self.campaign["id"])

    @property
    def conversation_id(self) -> str:
        """The conversation's id."""
        return str(self.conversation["id"])


async def make_scene(
    api: Api,
    members: Sequence[str] = (),
    participants: Sequence[str] = (),
    chat_status: str = "real_time",
) -> Scene:
    """Create a campaign and one conversation in it."""
    campaign = await api.create_campaign(members)
    conversation = await api.create_conversation(campaign["id"], participants, chat_status)
    return Scene(campaign, conversation)


# -- fixtures --------------------------------------------------------------------------------

_DATABASES_ENV = "CHINWAG_TEST_DATABASES"  # the same selection conftest's db_url honours


def _database_params() -> list[Any]:
    names = [
        n.strip()
        for n in os.environ.get(_DATABASES_ENV, "sqlite,postgresql").split(",")
        if n.strip()
    ]
    marks = {"sqlite": (), "postgresql": (pytest.mark.postgres,)}
    return [pytest.param(name, id=name, marks=marks[name]) for name in names]


def server_env(db_url: str, secret: str, **overrides: str | int | None) -> dict[str, str | None]:
    """The environment conftest's ``server_factory`` gives a server, plus ``overrides``."""
    env: dict[str, str | None] = {key: None for key in os.environ if key.startswith("CHINWAG_")}
    env |= {
        "CHINWAG_DATABASE_URL": db_url,
        "CHINWAG_JWT_SECRET": secret,
        "CHINWAG_RATE_LIMIT_SOCKET": "0",
        "CHINWAG_RATE_LIMIT_USER": "0",
    }
    return env | {k: None if v is None else str(v) for k, v in overrides.items()}


@pytest.fixture(scope="module", params=_database_params())
def chat_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, jwt_secret: str
) -> Iterator[ServerProcess]:
    """One real server per database for a whole test module; tests make fresh campaigns.

    A module-scoped server keeps the suite fast; isolation comes from unique user ids and new
    campaigns and conversations in every test.
    """
    folder = tmp_path_factory.mktemp(f"server-{request.param}")
    if request.param == "sqlite":
        db_url, drop = f"sqlite+aiosqlite:///{folder / 'chinwag.db'}", None
    else:
        cluster = request.getfixturevalue("pg_cluster")
        name = f"t_{uuid.uuid4().hex[:16]}"
        db_url, drop = cluster.create_database(name), name
    # A module may set CHAT_SERVER_ENV (e.g. limits) for its server.
    overrides = getattr(request.module, "CHAT_SERVER_ENV", {})
    server = ServerProcess(server_env(db_url, jwt_secret, **overrides), log_dir=folder).start()
    try:
        yield server
    finally:
        if server.running:
            server.stop()
        if drop is not None:
            request.getfixturevalue("pg_cluster").drop_database(drop)


@pytest.fixture
def server_log(chat_server: ServerProcess) -> Iterator[None]:
    """Print what the module's server logged during this test (pytest shows it on failure)."""
    start = len(chat_server.read_log())
    yield
    print(f"\n===== server log during this test =====\n{chat_server.read_log()[start:]}")


@pytest.fixture(scope="session")
def tokens(jwt_secret: str) -> Tokens:
    """Token factory signed with the test servers' secret."""
    return Tokens(jwt_secret)


@pytest_asyncio.fixture
async def api(chat_server: ServerProcess, tokens: Tokens, server_log: None) -> AsyncIterator[Api]:
    """REST client of the module's server, with the service token."""
    async with httpx.AsyncClient(base_url=chat_server.url, timeout=30) as http:
        yield Api(http, tokens)


class Connect(Protocol):
    """Type of the ``connect`` fixture."""

    def __call__(
        self,
        user: str | None = None,
        *,
        token: str | None = None,
        handshake: bool = False,
        transports: Sequence[str] | None = None,
        name: str | None = None,
        url: str | None = None,
    ) -> Awaitable[ChatClient]:
        """Open a ChatClient; see the fixture."""
        ...


@pytest_asyncio.fixture
async def connect(
    chat_server: ServerProcess, tokens: Tokens, server_log: None
) -> AsyncIterator[Connect]:
    """Open contract-checking clients: ``await connect("alice")`` authenticates with the
    ``authenticate`` event (``handshake=True``: with ``auth: {token}``), ``await connect()`` stays
    unauthenticated. Teardown disconnects them and fails on any contract violation."""
    clients: list[ChatClient] = []

    async def open_client(
        user: str | None = None,
        *,
        token: str | None = None,
        handshake: bool = False,
        transports: Sequence[str] | None = None,
        name: str | None = None,
        url: str | None = None,
    ) -> ChatClient:
        client = ChatClient(name or user or "anonymous")
        clients.append(client)
        if token is None and user is not None:
            token = tokens.user(user)
        target = url or chat_server.url
        if handshake:
            await client.connect(target, token, transports)
            name_, reply = await client._wait(("authenticated", "auth_error"), None, 10, 0)
            assert name_ == "authenticated", reply
            client.user_id = reply["userId"]
        else:
            await client.connect(target, None, transports)
            if token is not None:
                await client.authenticate(token)
        return client

    yield open_client
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
    for client in clients:
        client.check()
