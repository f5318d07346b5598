"""The declarative fixture: principals, resources, bindings, observers and expectations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.deref import load_yaml

__all__ = ["DEFAULT_FIXTURE", "Fixture", "Observer", "OperationRules", "SetupCall", "load_fixture"]

DEFAULT_FIXTURE = Path(__file__).with_name("fixture.yaml")


@dataclass(frozen=True)
class Observer:
    """A listening socket: its principal, the operations it sends to join rooms, its channels.

    Each join is ``(operation, bindings)``: the bindings override the operation's for that send.
    """

    name: str
    principal: str
    join: tuple[tuple[str, dict[str, Any]], ...]
    channels: frozenset[str]


@dataclass(frozen=True)
class SetupCall:
    """A REST call made before a case; its JSON response is bound as ``setup.<name>``."""

    name: str
    method: str
    path: str
    json: Any = None
    principal: str = ""
    status: tuple[int, ...] = ()  # empty: any 2xx


@dataclass
class OperationRules:
    """Per-operation rules (``operations.<key>`` in fixture.yaml); all optional.

    ``bindings`` override the global ones by field name for this operation; ``setup`` runs before
    every case that should reach the operation's logic (examples, generated valid and off-path
    cases, authorization rows, probes, observer joins); ``success_path`` is the JSON Schema a
    schema-valid payload must also satisfy to succeed, else it must get ``semantic_codes``.
    """

    bindings: dict[str, dict[str, Any]] = field(default_factory=dict)
    setup: tuple[SetupCall, ...] = ()
    success_path: dict[str, Any] | None = None
    semantic_codes: list[str] | None = None


@dataclass
class Fixture:
    """Parsed ``fixture.yaml``; see the comments in that file for each section."""

    principals: dict[str, str]
    campaigns: dict[str, dict[str, Any]]
    conversations: dict[str, dict[str, Any]]
    messages: dict[str, dict[str, Any]]
    bindings: dict[str, dict[str, Any]]
    actor: str
    observers: list[Observer]
    scenario: list[dict[str, Any]]
    operations: dict[str, OperationRules]
    semantic_codes: list[str]
    invalid_codes: dict[str, list[str]]
    auth_rows: dict[str, str | None]
    auth_expect: dict[str, Any]
    auth_overrides: dict[str, dict[str, Any]]
    barrier: dict[str, str]
    auth_operation: str
    rest_parameters: dict[str, str] = field(default_factory=dict)
    shutdown_operations: list[str] = field(default_factory=list)
    source: Path = field(default=DEFAULT_FIXTURE)

    def rules(self, operation: str) -> OperationRules:
        """The per-operation rules of ``operation`` (empty ones when the fixture has none)."""
        return self.operations.get(operation) or OperationRules()

    def bindings_for(self, operation: str | None) -> dict[str, dict[str, Any]]:
        """The binding rules for ``operation``: the global ones, overridden per operation."""
        if operation is None or operation not in self.operations:
            return self.bindings
        return {**self.bindings, **self.operations[operation].bindings}

    def semantic_codes_for(self, operation: str) -> list[str]:
        """Error codes a schema-valid payload off the success path may get."""
        codes = self.rules(operation).semantic_codes
        return self.semantic_codes if codes is None else codes

    def invalid_codes_for(self, operation: str) -> list[str]:
        """Error codes an invalid payload of ``operation`` may get."""
        return self.invalid_codes.get(operation, self.invalid_codes["default"])

    def expectation(self, operation: str, row: str) -> Any:
        """``"success"`` or the allowed error codes for ``operation`` in authorization ``row``."""
        return self.auth_overrides.get(operation, {}).get(row, self.auth_expect[row])

    def can_access_conversation(self, principal: str, conversation: str) -> bool:
        """True when ``principal`` may access the fixture conversation (PROTOCOL's access rule)."""
        if self.principals[principal] == "service":
            return True
        conv = self.conversations[conversation]
        members = self.campaigns[conv["campaign"]].get("members", [])
        return principal in conv.get("participants", []) or principal in members

    def can_access_campaign(self, principal: str, campaign: str) -> bool:
        """True when ``principal`` is a member of the campaign (or a service)."""
        if self.principals[principal] == "service":
            return True
        return principal in self.campaigns[campaign].get("members", [])


def load_fixture(path: Path = DEFAULT_FIXTURE) -> Fixture:
    """Load and check a fixture file."""
    raw = load_yaml(path)
    if "success_path" in raw:
        raise ValueError("fixture: success_path moved to operations.<key>.success_path")
    auth = raw.get("authorization", {})
    observers = [
        Observer(
            name,
            spec["principal"],
            tuple(_join(item) for item in spec.get("join", [])),
            frozenset(["socket", *spec.get("channels", [])]),
        )
        for name, spec in raw.get("observers", {}).items()
    ]
    principals = {name: spec.get("role", "user") for name, spec in raw["principals"].items()}
    fixture = Fixture(
        principals=principals,
        campaigns=raw.get("campaigns", {}),
        conversations=raw.get("conversations", {}),
        messages=raw.get("messages", {}),
        bindings=raw.get("bindings", {}),
        actor=raw["actor"],
        observers=observers,
        scenario=raw.get("scenario", []),
        operations={
            key: _operation_rules(key, spec or {}, principals)
            for key, spec in (raw.get("operations") or {}).items()
        },
        semantic_codes=raw.get("semantic_codes", ["invalid_payload"]),
        invalid_codes=raw.get("invalid_codes", {"default": ["invalid_payload", "too_large"]}),
        auth_rows=auth.get("rows", {}),
        auth_expect=auth.get("expect", {}),
        auth_overrides=auth.get("overrides", {}),
        barrier=raw["barrier"],
        auth_operation=raw["auth_operation"],
        rest_parameters=raw.get("rest_parameters", {}),
        shutdown_operations=raw.get("shutdown_operations", []),
        source=path,
    )
    _check(fixture)
    return fixture


def _join(item: Any) -> tuple[str, dict[str, Any]]:
    """``chatJoin`` or ``{operation: chatJoin, bindings: {...}}``."""
    if isinstance(item, str):
        return item, {}
    if not isinstance(item, dict) or "operation" not in item:
        raise ValueError(f"fixture: observer join {item!r} needs an operation")
    return str(item["operation"]), dict(item.get("bindings") or {})


_RULE_KEYS = {"bindings", "setup", "success_path", "semantic_codes"}
_CALL_KEYS = {"name", "method", "path", "json", "as", "status"}


def _operation_rules(key: str, spec: dict[str, Any], principals: dict[str, str]) -> OperationRules:
    unknown = sorted(set(spec) - _RULE_KEYS)
    if unknown:
        raise ValueError(f"fixture: operations.{key}: unknown keys {unknown}")
    services = [name for name, role in principals.items() if role == "service"]
    calls = []
    for index, call in enumerate(spec.get("setup") or []):
        extra = sorted(set(call) - _CALL_KEYS)
        if extra or not {"method", "path"} <= set(call):
            raise ValueError(
                f"fixture: operations.{key}.setup[{index}] needs method and path ({extra=})"
            )
        principal = call.get("as") or (services[0] if services else "")
        if principal not in principals:
            raise ValueError(f"fixture: operations.{key}.setup[{index}]: no principal to call as")
        status = call.get("status", ())
        calls.append(
            SetupCall(
                name=str(call.get("name", index)),
                method=str(call["method"]).upper(),
                path=call["path"],
                json=call.get("json"),
                principal=principal,
                status=tuple(status) if isinstance(status, list) else (status,) if status else (),
            )
        )
    return OperationRules(
        bindings=spec.get("bindings") or {},
        setup=tuple(calls),
        success_path=spec.get("success_path"),
        semantic_codes=spec.get("semantic_codes"),
    )


def _check(fixture: Fixture) -> None:
    names = set(fixture.principals)
    used = [fixture.actor, *(o.principal for o in fixture.observers)]
    used += [p for p in fixture.auth_rows.values() if p is not None]
    for camp in fixture.campaigns.values():
        used += camp.get("members", [])
    for conv in fixture.conversations.values():
        used += conv.get("participants", [])
        if conv["campaign"] not in fixture.campaigns:
            raise ValueError(f"fixture: unknown campaign {conv['campaign']!r}")
    unknown = sorted(set(used) - names)
    if unknown:
        raise ValueError(f"fixture: unknown principals {unknown}")
    if set(fixture.auth_rows) != set(fixture.auth_expect):
        raise ValueError("fixture: authorization rows and expectations differ")
