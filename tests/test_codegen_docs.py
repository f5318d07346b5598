"""The docs ``python -m codegen`` writes describe every shared resource, REST-only ones included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codegen.docs_model import RESOURCE_NAMES
from codegen.outputs import build_outputs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    return build_outputs(ROOT)


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_every_resource_has_a_section_in_protocol_md(outputs: dict[str, str], name: str) -> None:
    assert re.search(rf"^### {name}$", outputs["docs/protocol.md"], flags=re.MULTILINE), name


@pytest.mark.parametrize("name", RESOURCE_NAMES)
def test_every_resource_has_a_section_in_protocol_html(outputs: dict[str, str], name: str) -> None:
    assert f'id="schema-{name.lower()}"' in outputs["docs/protocol.html"], name


def test_rest_only_resources_are_in_both_docs(outputs: dict[str, str]) -> None:
    for name in ("Conversation", "Campaign"):
        assert f"### {name}\n" in outputs["docs/protocol.md"]
        assert f'id="schema-{name.lower()}"' in outputs["docs/protocol.html"]
