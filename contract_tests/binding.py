"""Bind payload fields to the run's real ids and tokens, as the fixture's ``bindings`` say."""

from __future__ import annotations

import itertools
from typing import Any

from contract_tests.fixture import Fixture
from contract_tests.world import World

__all__ = ["Binder"]


class Binder:
    """Replaces bound fields (at any depth) in example and generated payloads."""

    def __init__(self, fixture: Fixture, world: World) -> None:
        self.rules = fixture.bindings
        self.world = world
        self._counter = itertools.count(1)

    def unique(self, prefix: str) -> str:
        """A fresh client-made string, unique within this run (and across runs)."""
        return f"{prefix}-{self.world.run_id}-{next(self._counter)}"

    def bind(self, payload: Any, token: str | None) -> Any:
        """Return a copy of ``payload`` with every bound field replaced.

        ``token`` is the sending socket's own token (the ``ref: token`` binding); a socket without
        one binds nothing there.
        """
        if isinstance(payload, list):
            return [self.bind(item, token) for item in payload]
        if not isinstance(payload, dict):
            return payload
        out: dict[str, Any] = {}
        for key, value in payload.items():
            rule = self.rules.get(key)
            out[key] = self.bind(value, token) if rule is None else self._apply(rule, value, token)
        return out

    def _apply(self, rule: dict[str, str], value: Any, token: str | None) -> Any:
        if "unique" in rule:
            return self.unique(rule["unique"]) if isinstance(value, str) else value
        if "each" in rule:
            if not isinstance(value, list):
                return value
            return [self.world.get(rule["each"]) for _ in value]
        path = rule["ref"]
        if path == "token":
            return token if token is not None else value
        return self.world.get(path)
