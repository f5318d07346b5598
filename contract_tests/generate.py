"""Valid payloads drawn from the contract's schemas (hypothesis-jsonschema), deterministically."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

__all__ = ["CUSTOM_FORMATS", "draw_valid", "generation_schema"]

#: Strings and arrays are drawn at most this long; limits are probed by the invalid cases instead.
MAX_DRAWN_LENGTH = 200
MAX_DRAWN_ITEMS = 5

#: hypothesis-jsonschema has no uuid strategy.
CUSTOM_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "uuid": st.uuids().map(str),
}
_ANNOTATIONS = {"description", "examples", "title", "default"}


def generation_schema(schema: Any) -> Any:
    """A copy of ``schema`` with long strings and arrays capped and annotations dropped."""
    if isinstance(schema, list):
        return [generation_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS or key.startswith("x-"):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: generation_schema(sub) for name, sub in value.items()}
        else:
            out[key] = generation_schema(value)
    if isinstance(out.get("maxLength"), int) and out["maxLength"] > MAX_DRAWN_LENGTH:
        out["maxLength"] = max(MAX_DRAWN_LENGTH, out.get("minLength", 0))
    if isinstance(out.get("maxItems"), int) and out["maxItems"] > MAX_DRAWN_ITEMS:
        out["maxItems"] = max(MAX_DRAWN_ITEMS, out.get("minItems", 0))
    return out


def draw_valid(
    schema: dict[str, Any], count: int, *, seed_value: int, derandomize: bool
) -> list[Any]:
    """Draw up to ``count`` payloads valid under ``schema`` (no NUL characters, bounded sizes).

    Hypothesis runs only its generate phase here: the harness collects the cases first and sends
    them afterwards, so a failing case is reported with its payload rather than shrunk.
    """
    strategy = from_schema(
        generation_schema(copy.deepcopy(schema)), custom_formats=CUSTOM_FORMATS, allow_x00=False
    )
    drawn: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=derandomize,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        if len(drawn) < count:
            drawn.append(value)

    if not derandomize:
        collect = seed(seed_value)(collect)
    collect()
    return drawn
