"""docs/chinwag-events.d.ts: typed event maps that socket.io-client and ``tsc --strict`` accept.

The tsc tests compile ``docs/examples/typed-client.ts`` against the declarations. They need
``node_modules`` (``make node-deps`` runs ``npm ci``): without it they skip on a developer machine
and fail in CI (``CI`` set), so a CI run can never pass without type-checking.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen import typescript
from codegen.docs_model import load_docs_document

REPO = Path(__file__).resolve().parents[1]
DTS = "docs/chinwag-events.d.ts"
EXAMPLE = "docs/examples/typed-client.ts"

Tsc = Callable[[Path], "subprocess.CompletedProcess[str]"]


@pytest.fixture(scope="module")
def declarations() -> str:
    return typescript.render(load_docs_document(REPO / "asyncapi.yaml"))


@pytest.fixture(scope="module")
def tsc() -> Tsc:
    """Runs ``npx tsc --noEmit --strict -p tsconfig.json`` in a directory."""
    npx = shutil.which("npx")
    if npx is None or not (REPO / "node_modules" / ".bin" / "tsc").exists():
        message = "node_modules/.bin/tsc or npx is missing: run `make node-deps` (npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    def run(cwd: Path) -> subprocess.CompletedProcess[str]:
        # --no: never download a package named "tsc"; the pinned typescript must be installed.
        command = [npx, "--no", "--", "tsc", "--noEmit", "--strict", "-p", "tsconfig.json"]
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)

    return run


@pytest.fixture
def project(declarations: str) -> Iterator[Path]:
    """A copy of tsconfig.json, the example and freshly rendered declarations.

    It lives under the repo's git-ignored .tmp/ so that module resolution finds node_modules.
    """
    (REPO / ".tmp").mkdir(exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="tsc-", dir=REPO / ".tmp"))
    try:
        shutil.copy(REPO / "tsconfig.json", root / "tsconfig.json")
        (root / EXAMPLE).parent.mkdir(parents=True)
        shutil.copy(REPO / EXAMPLE, root / EXAMPLE)
        (root / DTS).write_text(declarations, encoding="utf-8")
        yield root
    finally:
        shutil.rmtree(root)


def _strip_comments(source: str) -> str:
    return re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)


def test_declarations_mention_every_event(declarations: str) -> None:
    raw: dict[str, Any] = yaml.safe_load((REPO / "asyncapi.yaml").read_text(encoding="utf-8"))
    code = _strip_comments(declarations)
    for message in raw["components"]["messages"].values():
        assert f'"{message["name"]}": (payload: ' in code, message["name"]


def test_chat_read_is_in_both_maps_with_its_own_payload(declarations: str) -> None:
    code = _strip_comments(declarations)
    server = code.split("export interface ServerToClientEvents", 1)[1].split("}", 1)[0]
    client = code.split("export interface ClientToServerEvents", 1)[1].split("}", 1)[0]
    assert '"chat:read": (payload: ChatReadReceiptPayload) => void;' in server
    assert (
        '"chat:read": (payload: ChatReadRequestPayload, ack?: Ack<ChatReadReceiptPayload>) => void;'
        in client
    )


def test_read_request_is_a_union_of_closed_variants(declarations: str) -> None:
    assert (
        "export type ChatReadRequestPayload =\n"
        "  | (ChatReadByIds & { upToMessageId?: never })\n"
        "  | (ChatReadUpTo & { messageIds?: never });"
    ) in declarations


def test_optional_nullable_and_enum_fields(declarations: str) -> None:
    code = _strip_comments(declarations)
    assert re.search(r"^\s+text\?: MessageText;$", code, flags=re.MULTILINE)
    assert re.search(r"^\s+sender_id: string \| null;$", code, flags=re.MULTILINE)
    assert 'export type ChatStatus = "real_time" | "automated";' in code
    assert re.search(r"^\s+messages: Message\[\];$", code, flags=re.MULTILINE)


def test_declarations_never_use_any(declarations: str) -> None:
    assert not re.search(r"\bany\b", _strip_comments(declarations))


def test_rendering_is_deterministic(declarations: str) -> None:
    assert typescript.render(load_docs_document(REPO / "asyncapi.yaml")) == declarations


@pytest.mark.node
def test_typed_client_compiles_against_the_declarations(tsc: Tsc, project: Path) -> None:
    result = tsc(project)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.node
def test_declarations_typed_with_any_fail_the_typed_client(tsc: Tsc, project: Path) -> None:
    dts = project / DTS
    loose = re.sub(r"\(payload: \w+", "(payload: any", dts.read_text(encoding="utf-8"))
    loose = re.sub(r"ack\?: Ack<[^>]+>", "ack?: Ack<any>", loose)
    assert loose.count("(payload: any") >= 20
    dts.write_text(loose, encoding="utf-8")
    result = tsc(project)
    assert result.returncode != 0
    # The example's @ts-expect-error lines no longer find an error: that is what must fail.
    assert "TS2578" in result.stdout, result.stdout + result.stderr


@pytest.mark.node
def test_committed_declarations_compile_with_the_repo_tsconfig(tsc: Tsc) -> None:
    if not (REPO / DTS).is_file():
        pytest.fail(f"{DTS} is missing: run `python -m codegen`")
    result = tsc(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
