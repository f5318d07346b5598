"""The generated models and the contract's JSON Schema give every payload the same verdict.

The server validates with the models, clients and the harness with the schema: where they differ,
one side accepts what the other refuses. For every message (both directions) every example, and a
hypothesis sample of valid payloads and of payloads broken one edit at a time (a field dropped,
added, replaced by another JSON value, an integer written as ``1.0``), must get the same verdict
from ``models`` and from :func:`codegen.schema_checks.example_errors` (refs resolved, formats
checked).
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from pydantic import BaseModel, ValidationError

from chinwag_contract import models
from codegen.bundle import bundle_asyncapi
from codegen.schema_checks import example_errors
from codegen.wrapped_refs import unwrap_single_allof

ROOT = Path(__file__).resolve().parent.parent
DOC = bundle_asyncapi(ROOT / "asyncapi.yaml")
MESSAGES: dict[str, Any] = DOC["components"]["messages"]

# hypothesis-jsonschema makes no uuid, and date-time with a pattern would mostly be filtered out.
FORMATS = {
    "uuid": st.uuids().map(str),
    "date-time": st.datetimes(timezones=st.just(None)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"
    ),
}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=5,
)


def _model(key: str) -> type[BaseModel]:
    name = str(MESSAGES[key]["payload"]["$ref"]).rsplit("/", 1)[-1]
    model: type[BaseModel] = getattr(models, name)
    return model


def _inline(node: Any, depth: int = 0) -> Any:
    """The payload schema with every ref inlined (hypothesis-jsonschema does not follow them)."""
    if isinstance(node, list):
        return [_inline(item, depth) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str) and depth < 16:
        target = DOC["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return _inline({**target, **rest}, depth + 1)
    return {k: _inline(v, depth) for k, v in node.items() if not k.startswith("x-")}


def verdicts(key: str, payload: Any) -> tuple[bool, bool]:
    """(the schema accepts, the model accepts)."""
    schema_ok = not example_errors(DOC, MESSAGES[key]["payload"], payload)
    try:
        _model(key).model_validate(payload)
        model_ok = True
    except ValidationError:
        model_ok = False
    return schema_ok, model_ok


KEYS = sorted(MESSAGES)


@pytest.mark.parametrize("key", KEYS)
def test_every_example_is_accepted_by_model_and_schema(key: str) -> None:
    for example in MESSAGES[key]["examples"]:
        assert verdicts(key, example["payload"]) == (True, True), example


_VALID: dict[str, st.SearchStrategy[Any]] = {}


def _valid(key: str) -> st.SearchStrategy[Any]:
    """One strategy per message, built once (hypothesis replays draws against the same one)."""
    if key not in _VALID:
        schema = unwrap_single_allof(_inline(MESSAGES[key]["payload"]))
        _VALID[key] = from_schema(schema, custom_formats=FORMATS)
    return _VALID[key]


def _break(draw: st.DrawFn, payload: Any) -> Any:
    """One edit somewhere in ``payload`` (which may or may not make it invalid)."""
    if isinstance(payload, dict) and payload:
        name = draw(st.sampled_from(sorted(payload)))
        kind = draw(st.sampled_from(["drop", "add", "replace", "float", "deeper"]))
        edited = dict(payload)
        if kind == "drop":
            del edited[name]
        elif kind == "add":
            edited[draw(st.text(string.ascii_letters, min_size=1, max_size=8))] = draw(JSON)
        elif kind == "replace":
            edited[name] = draw(JSON)
        elif (
            kind == "float"
            and isinstance(payload[name], int)
            and not isinstance(payload[name], bool)
        ):
            edited[name] = float(payload[name]) + draw(st.sampled_from([0.0, 0.5]))
        else:
            edited[name] = _break(draw, payload[name])
        return edited
    if isinstance(payload, list) and payload:
        index = draw(st.integers(0, len(payload) - 1))
        return [*payload[:index], _break(draw, payload[index]), *payload[index + 1 :]]
    return draw(JSON)


PARITY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _inbound() -> list[str]:
    keys = set()
    for op in DOC["operations"].values():
        if op["action"] == "receive":
            channel, name = op["messages"][0]["$ref"].split("/")[2::2]
            keys.add(DOC["channels"][channel]["messages"][name]["$ref"].rsplit("/", 1)[-1])
    return sorted(keys)


INBOUND = _inbound()


@pytest.mark.filterwarnings("ignore:Overriding standard format")
@pytest.mark.parametrize("key", INBOUND)
@PARITY
@given(data=st.data())
def test_generated_inbound_payloads_and_their_breakages_get_one_verdict(
    key: str, data: st.DataObject
) -> None:
    payload = data.draw(_valid(key), label="valid")
    assert verdicts(key, payload) == (True, True), payload
    broken = data.draw(st.composite(lambda draw: _break(draw, payload))(), label="broken")
    schema_ok, model_ok = verdicts(key, broken)
    assert schema_ok == model_ok, f"schema {'accepts' if schema_ok else 'refuses'}: {broken!r}"


@pytest.mark.parametrize("key", KEYS)
@PARITY
@given(data=st.data())
def test_broken_examples_get_one_verdict(key: str, data: st.DataObject) -> None:
    # Outbound payloads (Message and friends) are too large for hypothesis-jsonschema to sample
    # quickly; their examples, broken one edit at a time, cover the same ground.
    examples = [example["payload"] for example in MESSAGES[key]["examples"]]
    payload = data.draw(st.sampled_from(examples), label="example")
    broken = data.draw(st.composite(lambda draw: _break(draw, payload))(), label="broken")
    schema_ok, model_ok = verdicts(key, broken)
    assert schema_ok == model_ok, f"schema {'accepts' if schema_ok else 'refuses'}: {broken!r}"


@pytest.mark.parametrize(
    ("key", "payload", "verdict"),
    [
        (
            "chatSync",
            {"conversationId": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e", "afterSeq": 1.0},
            True,
        ),
        (
            "chatSync",
            {"conversationId": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e", "afterSeq": True},
            False,
        ),
        (
            "chatReadReceipt",
            {
                "messageIds": [],
                "readerId": "u",
                "readAt": "2026-02-30T10:00:00.000Z",
                "conversationId": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e",
            },
            False,
        ),
        (
            "chatSend",
            {
                "tempId": "t",
                "clientNonce": "n",
                "conversationId": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e",
                "attachments": [
                    {"url": "https://a b", "name": "n", "mime_type": "m", "size_bytes": 1}
                ],
            },
            False,
        ),
    ],
    ids=["integer-as-1.0", "boolean-for-integer", "impossible-date", "space-in-url"],
)
def test_the_known_edges_get_one_verdict(key: str, payload: Any, verdict: bool) -> None:
    assert verdicts(key, payload) == (verdict, verdict)
