"""The declarative fixture: principals, resources, bindings, observers and expectations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.deref import load_yaml

__all__ = ["DEFAULT_FIXTURE", "Fixture", "Observer", "load_fixture"]

DEFAULT_FIXTURE = Path(__file__).with_name("fixture.yaml")


@dataclass(frozen=True)
class Observer:
    """A listening socket: its principal, the operations it sends to join rooms, its channels."""

    name: str
    principal: str
    join: tuple[str, ...]
    channels: frozenset[str]


@dataclass
class Fixture:
    """Parsed ``fixture.yaml``; see the comments in that file for each section."""

    principals: dict[str, str]
    campaigns: dict[str, dict[str, Any]]
    conversations: dict[str, dict[str, Any]]
    messages: dict[str, dict[str, Any]]
    bindings: dict[str, dict[str, str]]
    actor: str
    observers: list[Observer]
    scenario: list[dict[str, Any]]
    success_path: dict[str, dict[str, Any]]
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
    auth = raw.get("authorization", {})
    observers = [
        Observer(
            name,
            spec["principal"],
            tuple(spec.get("join", [])),
            frozenset(["socket", *spec.get("channels", [])]),
        )
        for name, spec in raw.get("observers", {}).items()
    ]
    fixture = Fixture(
        principals={name: spec.get("role", "user") for name, spec in raw["principals"].items()},
        campaigns=raw.get("campaigns", {}),
        conversations=raw.get("conversations", {}),
        messages=raw.get("messages", {}),
        bindings=raw.get("bindings", {}),
        actor=raw["actor"],
        observers=observers,
        scenario=raw.get("scenario", []),
        success_path=raw.get("success_path", {}),
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
