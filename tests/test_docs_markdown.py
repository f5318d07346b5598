"""docs/protocol.md: every event, room, error code and resource of the contract, stably."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen import docs_markdown
from codegen.docs_model import RESOURCE_NAMES, load_docs_document

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return load_docs_document(REPO / "asyncapi.yaml")


@pytest.fixture(scope="module")
def markdown(doc: dict[str, Any]) -> str:
    return docs_markdown.render(doc)


@pytest.fixture(scope="module")
def wire_names() -> list[str]:
    raw = yaml.safe_load((REPO / "asyncapi.yaml").read_text(encoding="utf-8"))
    return sorted({m["name"] for m in raw["components"]["messages"].values()})


@pytest.fixture(scope="module")
def error_codes() -> list[str]:
    raw = yaml.safe_load((REPO / "schemas.yaml").read_text(encoding="utf-8"))
    codes: list[str] = raw["$defs"]["ErrorCode"]["enum"]
    return codes


def test_every_event_has_a_heading(markdown: str, wire_names: list[str]) -> None:
    headings = set(re.findall(r"^### `([^`]+)`", markdown, flags=re.MULTILINE))
    assert set(wire_names) <= headings


def test_chat_read_has_a_request_and_a_receipt_section(markdown: str) -> None:
    assert "### `chat:read` (request)" in markdown
    assert "### `chat:read` (receipt)" in markdown


def test_every_error_code_is_in_the_error_table(markdown: str, error_codes: list[str]) -> None:
    table = markdown.split("## Error codes", 1)[1].split("\n## ", 1)[0]
    for code in error_codes:
        assert re.search(rf"^\| `{code}` \| \S", table, flags=re.MULTILINE), code


def test_rooms_are_named(markdown: str) -> None:
    for address in ("room:{conversationId}", "room:work:{campaignId}", "user:{userId}"):
        assert f"`{address}`" in markdown


def test_resources_have_sections(markdown: str) -> None:
    for name in RESOURCE_NAMES:
        assert re.search(rf"^### {name}\b", markdown, flags=re.MULTILINE), name


def test_field_table_marks_required_and_extensions(markdown: str) -> None:
    error = markdown.split('<a id="schema-chaterrorpayload"></a>', 1)[1].split("<a id=", 1)[0]
    assert re.search(r"^\| `retryAfter` \| .* \| ext \|$", error, flags=re.MULTILINE)
    assert re.search(r"^\| `message` \| .* \|  \|$", error, flags=re.MULTILINE)
    send = markdown.split('<a id="schema-chatsendpayload"></a>', 1)[1]
    assert re.search(r"^\| `clientNonce` \| .* \| yes \|", send, flags=re.MULTILINE)
    assert re.search(r"^\| `text` \| .* \| no \|", send, flags=re.MULTILINE)


def test_session_is_a_mermaid_sequence_diagram(markdown: str) -> None:
    block = markdown.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block.startswith("sequenceDiagram\n")
    order = ["authenticate", "authenticated", "chat:join", "chat:joined", "chat:send", "chat:ack"]
    positions = [block.index(f": {name} ") for name in order]
    assert positions == sorted(positions)
    for name in ("chat:new", "conversation_list_updated", "chat:read", "chat:automated"):
        assert f": {name} " in block


def test_examples_are_json_blocks(markdown: str) -> None:
    assert markdown.count("```json\n") >= 20


def test_rendering_is_deterministic(doc: dict[str, Any], markdown: str) -> None:
    again = docs_markdown.render(load_docs_document(REPO / "asyncapi.yaml"))
    assert again == markdown == docs_markdown.render(doc)
