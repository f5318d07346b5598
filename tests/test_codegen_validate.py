"""The contract checks catch what the official schema cannot: each broken spec gets a reason."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codegen.__main__ import main
from codegen.bundle import bundle_asyncapi
from codegen.validate import asyncapi_problems

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "codegen"
GOOD = bundle_asyncapi(FIXTURE / "asyncapi.yaml")


def _dangling_ref(doc: dict[str, Any]) -> None:
    doc["channels"]["socket"]["messages"]["post"] = {"$ref": "#/components/messages/nope"}


def _no_example(doc: dict[str, Any]) -> None:
    del doc["components"]["messages"]["post"]["examples"]


def _bad_example(doc: dict[str, Any]) -> None:
    doc["components"]["messages"]["post"]["examples"][0]["payload"] = {"body": 5}


def _unused_schema(doc: dict[str, Any]) -> None:
    doc["components"]["schemas"]["Orphan"] = {"type": "object", "additionalProperties": False}


def _unused_message(doc: dict[str, Any]) -> None:
    extra = copy.deepcopy(doc["components"]["messages"]["post"])
    doc["components"]["messages"]["orphan"] = extra


def _open_object(doc: dict[str, Any]) -> None:
    del doc["components"]["schemas"]["PostPayload"]["additionalProperties"]


def _foreign_message(doc: dict[str, Any]) -> None:
    doc["operations"]["sendNoteNew"]["messages"] = [{"$ref": "#/channels/socket/messages/post"}]


def _not_asyncapi(doc: dict[str, Any]) -> None:
    doc["operations"]["post"]["action"] = "shout"


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (_dangling_ref, "does not resolve"),
        (_no_example, "components/messages/post has no example"),
        (_bad_example, "components/messages/post example 'plain': body: 5 is not of type 'string'"),
        (_unused_schema, "components/schemas/Orphan is not used"),
        (_unused_message, "components/messages/orphan is not used"),
        (_open_object, "PostPayload: object schema without additionalProperties: false"),
        (_foreign_message, "is not a message of channel 'board'"),
        (_not_asyncapi, "schema: operations/post/action"),
    ],
)
def test_a_broken_spec_is_reported(
    breakage: Callable[[dict[str, Any]], None], expected: str
) -> None:
    assert asyncapi_problems(GOOD) == []
    doc = copy.deepcopy(GOOD)
    breakage(doc)
    problems = asyncapi_problems(doc)
    assert any(expected in problem for problem in problems), problems


def test_python_m_codegen_exits_2_naming_the_problem_for_an_invalid_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("asyncapi.yaml", "openapi.yaml", "schemas.yaml"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    text = (tmp_path / "asyncapi.yaml").read_text(encoding="utf-8")
    (tmp_path / "asyncapi.yaml").write_text(text.replace('{body: "hi"}', "{body: 1}"))
    assert main(["--root", str(tmp_path)]) == 2
    assert "components/messages/post example 'plain'" in capsys.readouterr().err
    assert not (tmp_path / "generated").exists()
