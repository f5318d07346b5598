"""Build the fixture's state on a live server through the REST API (service role)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from contract_tests.fixture import Fixture

__all__ = ["SetupError", "World", "build_world", "mint_token"]

_PLACEHOLDER = re.compile(r"\{([a-z_][\w]*(?:\.[\w-]+)+)\}")
TOKEN_TTL_S = 3600


class SetupError(RuntimeError):
    """The server refused to build the fixture's state."""


def mint_token(secret: str, sub: str, role: str, ttl: int = TOKEN_TTL_S) -> str:
    """An HS256 JWT with the claims chinwag reads (sub, role, iat, exp)."""
    now = int(time.time())
    return jwt.encode({"sub": sub, "role": role, "iat": now, "exp": now + ttl}, secret, "HS256")


@dataclass
class World:
    """Real ids and tokens for the fixture's names, for one run."""

    run_id: str
    values: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    subs: dict[str, str] = field(default_factory=dict)

    def get(self, path: str, context: Mapping[str, Any] | None = None) -> Any:
        """Look up ``principals.x.sub``, ``conversations.x.id`` … (KeyError when unknown).

        A path whose first part names an entry of ``context`` (e.g. ``setup.<call>``, a setup
        call's JSON response) walks into it: ``setup.flow.items.0.id``.
        """
        head, _, rest = path.partition(".")
        if context and head in context:
            return _walk(context[head], rest, path)
        return self.values[path]

    def render(self, node: Any, context: Mapping[str, Any] | None = None) -> Any:
        """Replace ``{path}`` placeholders in every string of ``node``."""
        if isinstance(node, str):
            return _PLACEHOLDER.sub(lambda m: str(self.get(m.group(1), context)), node)
        if isinstance(node, list):
            return [self.render(item, context) for item in node]
        if isinstance(node, dict):
            return {key: self.render(value, context) for key, value in node.items()}
        return node


def _walk(node: Any, rest: str, path: str) -> Any:
    """Follow dotted keys and list indexes (negative ones too) from ``node``."""
    for part in [p for p in rest.split(".") if p]:
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, TypeError, ValueError):
            raise KeyError(f"{path!r}: no {part!r} there") from None
    return node


def _created(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code not in (200, 201):
        raise SetupError(f"creating {what}: HTTP {response.status_code} {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


async def build_world(fixture: Fixture, base_url: str, secret: str) -> World:
    """Create principals' tokens, campaigns, conversations and messages; return their ids."""
    world = World(run_id=uuid.uuid4().hex[:8])
    for name, role in fixture.principals.items():
        sub = f"cw-{world.run_id}-{name}"
        world.subs[name] = sub
        world.tokens[name] = mint_token(secret, sub, role)
        world.values[f"principals.{name}.sub"] = sub
    admin = mint_token(secret, f"cw-{world.run_id}-setup", "service")
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10) as http:
        for name, camp in fixture.campaigns.items():
            body = {
                "name": camp.get("name", name),
                "member_ids": [world.subs[m] for m in camp.get("members", [])],
            }
            made = _created(await http.post("/api/campaigns", json=body), f"campaign {name}")
            world.values[f"campaigns.{name}.id"] = made["id"]
        for name, conv in fixture.conversations.items():
            body = {
                "campaign_id": world.get(f"campaigns.{conv['campaign']}.id"),
                "participant_ids": [world.subs[p] for p in conv.get("participants", [])],
                "chat_status": conv.get("chat_status", "real_time"),
            }
            if "flow_id" in conv:
                body["flow_id"] = conv["flow_id"]
            made = _created(
                await http.post("/api/conversations", json=body), f"conversation {name}"
            )
            world.values[f"conversations.{name}.id"] = made["id"]
        for name, msg in fixture.messages.items():
            conv_id = world.get(f"conversations.{msg['conversation']}.id")
            body = {key: msg[key] for key in ("text", "reason", "action_data") if key in msg}
            url = f"/api/conversations/{conv_id}/automated-messages"
            made = _created(await http.post(url, json=body), f"message {name}")
            world.values[f"messages.{name}.id"] = made["id"]
    return world


async def run_scenario(fixture: Fixture, world: World, base_url: str, secret: str) -> list[str]:
    """Make the fixture's scenario REST calls; return problems (non-2xx answers)."""
    admin = mint_token(secret, f"cw-{world.run_id}-scenario", "service")
    problems: list[str] = []
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {admin}"}, timeout=10
    ) as http:
        for step in fixture.scenario:
            step = world.render(step)
            response = await http.request(step["method"], step["path"], json=step.get("json"))
            if not 200 <= response.status_code < 300:
                problems.append(
                    f"scenario {step['method']} {step['path']}: HTTP {response.status_code}"
                )
    return problems
