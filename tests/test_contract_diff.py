"""``python -m codegen diff``: every change class, in both directions, classified as the rules say.

Each case edits one payload of a tiny contract (a request ``ping`` with replies ``pong`` and
``oops``, and a broadcast ``news``) and checks the change's kind and whether it breaks clients.
The expected verdicts are written out here, not imported, so the test states the rules.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codegen.__main__ import main
from codegen.diff import Change, diff_sources, major_raised
from codegen.diff_source import ContractSource

ROOT = Path(__file__).resolve().parent.parent

# kind → (breaks when it happens in a client→server payload, … in a server→client payload)
VERDICTS = {
    "field-added-required": (True, False),
    "field-added-optional": (False, False),
    "field-removed": (True, True),
    "field-made-required": (True, False),
    "field-made-optional": (False, True),
    "type-narrowed": (True, False),
    "type-widened": (False, True),
    "enum-narrowed": (True, False),
    "enum-widened": (False, True),
    "bound-narrowed": (True, False),
    "bound-widened": (False, False),
    "made-nullable": (False, True),
    "made-non-nullable": (True, False),
    "pattern-changed": (True, True),
    "closed": (True, False),
    "opened": (False, True),
}


def payload() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["a"],
        "properties": {
            "a": {"type": "string", "maxLength": 10},
            "b": {"type": "integer", "minimum": 0, "maximum": 5},
            "c": {"type": "string", "maxLength": 9, "pattern": "^x"},
            "d": {"type": ["string", "null"], "maxLength": 9},
            "f": {"type": ["string", "integer"], "maxLength": 9},
            "g": {"type": "string", "enum": ["x", "y"]},
        },
    }


def contract(request: dict[str, Any], broadcast: dict[str, Any]) -> dict[str, Any]:
    """A minimal bundled AsyncAPI document with one request and one broadcast."""
    msg = "#/channels/socket/messages/"
    return {
        "info": {"version": "1.0.0"},
        "channels": {
            "socket": {"messages": {k: {"$ref": f"#/components/messages/{k}"} for k in MESSAGES}}
        },
        "operations": {
            "ping": {
                "action": "receive",
                "channel": {"$ref": "#/channels/socket"},
                "messages": [{"$ref": msg + "ping"}],
                "reply": {"messages": [{"$ref": msg + "pong"}, {"$ref": msg + "oops"}]},
                "x-chinwag-error-codes": ["not_found"],
            },
            "sendNews": {
                "action": "send",
                "channel": {"$ref": "#/channels/socket"},
                "messages": [{"$ref": msg + "news"}],
            },
        },
        "components": {
            "messages": {
                "ping": {"name": "ping", "payload": request},
                "pong": {"name": "pong", "payload": {"type": "object"}},
                "oops": {"name": "oops", "payload": {"type": "object"}},
                "news": {"name": "news", "payload": broadcast},
            }
        },
    }


MESSAGES = ("ping", "pong", "oops", "news")


def source(doc: dict[str, Any]) -> ContractSource:
    return ContractSource("fixture", doc, {})


Edit = Callable[[dict[str, Any]], None]


def _props(p: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = p["properties"]
    return props


EDITS: dict[str, tuple[Edit | None, Edit]] = {
    # kind: (edit of the old payload or None, edit that makes the new payload)
    "field-added-required": (
        None,
        lambda p: (_props(p).update(e={"type": "boolean"}), p["required"].append("e")),
    ),
    "field-added-optional": (None, lambda p: _props(p).update(e={"type": "boolean"})),
    "field-removed": (None, lambda p: _props(p).pop("b")),
    "field-made-required": (None, lambda p: p["required"].append("b")),
    "field-made-optional": (None, lambda p: p["required"].remove("a")),
    "type-narrowed": (None, lambda p: _props(p)["f"].update(type="string")),
    "type-widened": (None, lambda p: _props(p)["f"].update(type=["string", "integer", "boolean"])),
    "enum-narrowed": (None, lambda p: _props(p)["g"].update(enum=["x"])),
    "enum-widened": (None, lambda p: _props(p)["g"].update(enum=["x", "y", "z"])),
    "bound-narrowed": (None, lambda p: _props(p)["a"].update(maxLength=5)),
    "bound-widened": (None, lambda p: _props(p)["b"].update(maximum=50)),
    "made-nullable": (None, lambda p: _props(p)["a"].update(type=["string", "null"])),
    "made-non-nullable": (None, lambda p: _props(p)["d"].update(type="string")),
    "pattern-changed": (None, lambda p: _props(p)["c"].update(pattern="^y")),
    "closed": (lambda p: p.pop("additionalProperties"), lambda p: None),
    "opened": (None, lambda p: p.update(additionalProperties=True)),
}


def _diff(kind: str, direction: str) -> list[Change]:
    edit_old, edit_new = EDITS[kind]
    old, new = payload(), payload()
    if edit_old is not None:
        edit_old(old)
        edit_old(new)
        new = payload() if kind == "closed" else new
    edit_new(new)
    if direction == "client_to_server":
        return diff_sources(source(contract(old, payload())), source(contract(new, payload())))
    return diff_sources(source(contract(payload(), old)), source(contract(payload(), new)))


CASES = [(kind, d) for kind in VERDICTS for d in ("client_to_server", "server_to_client")]


def test_every_change_class_has_a_fixture() -> None:
    assert sorted(EDITS) == sorted(VERDICTS)


@pytest.mark.parametrize(("kind", "direction"), CASES, ids=[f"{k}-{d}" for k, d in CASES])
def test_each_change_class_is_classified_by_direction(kind: str, direction: str) -> None:
    changes = _diff(kind, direction)
    assert [c.kind for c in changes] == [kind], changes
    (change,) = changes
    assert change.direction == direction
    expected = VERDICTS[kind][0 if direction == "client_to_server" else 1]
    assert change.breaking is expected, change


def _without(doc: dict[str, Any], key: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    del doc["components"]["messages"][key]
    del doc["channels"]["socket"]["messages"][key]
    if key == "news":
        del doc["operations"]["sendNews"]
    if key == "ping":
        del doc["operations"]["ping"]
    return doc


@pytest.mark.parametrize(
    ("event", "direction"), [("ping", "client_to_server"), ("news", "server_to_client")]
)
def test_a_removed_event_breaks_and_a_new_one_does_not(event: str, direction: str) -> None:
    full = contract(payload(), payload())
    removed = diff_sources(source(full), source(_without(full, event)))
    assert [(c.kind, c.direction, c.breaking) for c in removed if c.where == f"event {event}"] == [
        ("event-removed", direction, True)
    ]
    added = diff_sources(source(_without(full, event)), source(full))
    assert [(c.kind, c.breaking) for c in added if c.where == f"event {event}"] == [
        ("event-added", False)
    ]


def test_reply_and_error_code_changes_break_clients_that_wait_for_replies() -> None:
    old = contract(payload(), payload())
    new = copy.deepcopy(old)
    new["operations"]["ping"]["reply"]["messages"].pop(0)  # pong no longer a reply
    new["operations"]["ping"]["x-chinwag-error-codes"] = ["not_found", "forbidden"]
    changes = {(c.kind, c.detail): c.breaking for c in diff_sources(source(old), source(new))}
    assert changes[("reply-removed", "pong")] is True
    assert changes[("error-code-added", "forbidden")] is True
    back = {(c.kind, c.detail): c.breaking for c in diff_sources(source(new), source(old))}
    assert back[("reply-added", "pong")] is True
    assert back[("error-code-removed", "forbidden")] is False


def test_major_part_of_the_version_decides_whether_breaking_is_allowed() -> None:
    assert major_raised("1.4.0", "2.0.0")
    assert not major_raised("1.4.0", "1.5.0")
    assert major_raised("0.1.0", "0.2.0")  # semver: in 0.y.z, y is the major part
    assert not major_raised("0.2.0", "0.2.1")
    assert not major_raised("2.0.0", "1.9.0")


def _write(folder: Path, doc: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "asyncapi.yaml").write_text(json.dumps(doc), encoding="utf-8")
    (folder / "schemas.yaml").write_text("$defs: {}\n", encoding="utf-8")
    return folder


def test_cli_exits_1_on_breaking_unless_the_major_part_was_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = contract(payload(), payload())
    new = copy.deepcopy(old)
    new["components"]["messages"]["news"]["payload"]["properties"].pop("b")
    a, b = _write(tmp_path / "old", old), _write(tmp_path / "new", new)
    assert main(["diff", str(a), str(b)]) == 1
    table = capsys.readouterr().out
    assert "BREAKING" in table and "field-removed" in table and "event news: b" in table
    assert main(["diff", str(a), str(b), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["breaking"] == 1 and report["majorRaised"] is False
    assert report["changes"][0]["kind"] == "field-removed"
    new["info"]["version"] = "2.0.0"
    _write(tmp_path / "new", new)
    assert main(["diff", str(a), str(b)]) == 0
    assert main(["diff", str(a), str(a)]) == 0
    assert "no changes" in capsys.readouterr().out


def test_cli_reads_git_revisions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    old = contract(payload(), payload())
    _write(repo, old)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "one", "--allow-empty")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "two")
    new = copy.deepcopy(old)
    new["components"]["messages"]["ping"]["payload"]["required"].append("b")
    _write(repo, new)
    assert main(["diff", "HEAD", str(repo), "--root", str(repo)]) == 1
    assert "field-made-required" in capsys.readouterr().out


def test_the_working_contract_does_not_break_the_latest_release() -> None:
    assert main(["diff", "@released", str(ROOT), "--root", str(ROOT)]) == 0


def test_rest_request_bodies_are_client_to_server_and_responses_server_to_client() -> None:
    from codegen.diff_source import load_source

    old = load_source(str(ROOT), ROOT)
    openapi = copy.deepcopy(old.openapi)
    del openapi["paths"]["/api/campaigns"]["post"]["responses"]["403"]
    del openapi["paths"]["/api/conversations/{conversationId}/flow"]
    create = openapi["components"]["schemas"]["CampaignCreate"]
    create["properties"]["name"]["maxLength"] = 100
    openapi["components"]["schemas"]["Health"]["properties"]["status"]["enum"] = ["ok", "degraded"]
    new = ContractSource("edited", old.asyncapi, openapi)
    found = {(c.kind, c.direction, c.where): c.breaking for c in diff_sources(old, new)}
    assert found[("status-removed", "server_to_client", "POST /api/campaigns 403")] is True
    flow = "POST /api/conversations/{conversationId}/flow"
    assert found[("route-removed", "client_to_server", flow)] is True
    assert found[("bound-narrowed", "client_to_server", "POST /api/campaigns body: name")] is True
    assert found[("enum-widened", "server_to_client", "GET /health 200: status")] is True
    back = {(c.kind, c.where): c.breaking for c in diff_sources(new, old)}
    assert back[("route-added", flow)] is False
    assert back[("bound-widened", "POST /api/campaigns body: name")] is False
