"""Bind payload fields to the run's real ids and tokens, as the fixture's ``bindings`` say."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from contract_tests.fixture import Fixture
from contract_tests.world import World

__all__ = ["Binder"]


class Binder:
    """Replaces bound fields (at any depth) in example and generated payloads."""

    def __init__(self, fixture: Fixture, world: World) -> None:
        self.fixture = fixture
        self.rules = fixture.bindings
        self.world = world
        self._counter = itertools.count(1)

    def unique(self, prefix: str) -> str:
        """A fresh client-made string, unique within this run (and across runs)."""
        return f"{prefix}-{self.world.run_id}-{next(self._counter)}"

    def bind(
        self,
        payload: Any,
        token: str | None,
        operation: str | None = None,
        context: Mapping[str, Any] | None = None,
        overrides: Mapping[str, dict[str, Any]] | None = None,
    ) -> Any:
        """Return a copy of ``payload`` with every bound field replaced.

        ``token`` is the sending socket's own token (the ``ref: token`` binding); a socket without
        one binds nothing there. ``operation`` selects its per-operation bindings; ``context``
        holds the responses of its setup calls (``ref: setup.<name>.<field>…``); ``overrides``
        win over both (an observer's join). A rule with ``ensure: true`` also adds its field to
        the top level of an object payload lacking it.
        """
        rules = self.fixture.bindings_for(operation) if operation else self.rules
        if overrides:
            rules = {**rules, **overrides}
        out = self._bind(payload, token, rules, context or {})
        if isinstance(out, dict):
            for key, rule in rules.items():
                if rule.get("ensure") and key not in out:
                    out[key] = self._apply(rule, "", token, context or {})
        return out

    def _bind(
        self,
        payload: Any,
        token: str | None,
        rules: Mapping[str, dict[str, Any]],
        context: Mapping[str, Any],
    ) -> Any:
        if isinstance(payload, list):
            return [self._bind(item, token, rules, context) for item in payload]
        if not isinstance(payload, dict):
            return payload
        out: dict[str, Any] = {}
        for key, value in payload.items():
            rule = rules.get(key)
            out[key] = (
                self._bind(value, token, rules, context)
                if rule is None
                else self._apply(rule, value, token, context)
            )
        return out

    def _apply(
        self, rule: dict[str, Any], value: Any, token: str | None, context: Mapping[str, Any]
    ) -> Any:
        if "unique" in rule:
            return self.unique(rule["unique"]) if isinstance(value, str) else value
        if "each" in rule:
            if not isinstance(value, list):
                return value
            return [self.world.get(rule["each"], context) for _ in value]
        path = rule["ref"]
        if path == "token":
            return token if token is not None else value
        return self.world.get(path, context)
