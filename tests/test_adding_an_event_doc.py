"""docs/adding-an-event.md stays true: followed on a throwaway copy, it gives a working event.

The page's YAML blocks (each under an ``<!-- insert: path -->`` line) go into a copy of the
contract; then, as the page says, regeneration and lint pass, the diff calls it non-breaking, the
unchanged server refuses to start naming the missing handler, and the page's handler satisfies it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import yaml

from codegen.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "adding-an-event.md"


def _blocks(page: str) -> tuple[list[tuple[str, Any]], str]:
    inserts = [
        (path, yaml.safe_load(body))
        for path, body in re.findall(r"<!-- insert: ([\w.]+) -->\n```yaml\n(.*?)```", page, re.S)
    ]
    (handler,) = re.findall(r"<!-- handler -->\n```python\n(.*?)```", page, re.S)
    return inserts, handler


def _follow_the_contract_step(root: Path) -> None:
    for name in ("asyncapi.yaml", "schemas.yaml", "openapi.yaml", "flows.schema.yaml"):
        shutil.copy(ROOT / name, root / name)
    doc = yaml.safe_load((root / "asyncapi.yaml").read_text(encoding="utf-8"))
    inserts, _ = _blocks(PAGE.read_text(encoding="utf-8"))
    assert [path for path, _ in inserts] == [
        "components.schemas",
        "components.messages",
        "channels.socket.messages",
        "operations",
    ]
    for path, entries in inserts:
        node = doc
        for key in path.split("."):
            node = node[key]
        assert not set(entries) & set(node), f"{path}: the page's names are taken"
        node.update(entries)
    (root / "asyncapi.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_the_page_adds_a_working_event_on_a_throwaway_copy(tmp_path: Path, capsys: Any) -> None:
    _follow_the_contract_step(tmp_path)
    # 2. Regenerate and check.
    assert main(["--root", str(tmp_path)]) == 0
    assert main(["lint", "--root", str(tmp_path)]) == 0
    assert main(["diff", str(ROOT), str(tmp_path)]) == 0
    capsys.readouterr()
    generated = tmp_path / "generated"
    assert "on_chat_ping" in (generated / "chinwag_contract" / "handlers.py").read_text("utf-8")
    # 3. The server's handlers, unchanged, are refused with the page's message; with the page's
    # handler added they pass the start-up check.
    _, handler = _blocks(PAGE.read_text(encoding="utf-8"))
    script = "\n".join(
        [
            "from chinwag.handlers.context import SocketContext, require_principal",
            "from chinwag.handlers.socket import SocketHandlers",
            "from chinwag_contract.handlers import ensure_implemented",
            "from chinwag_contract.models import ChatPingPayload, ChatPongPayload",
            "try:",
            "    SocketHandlers(None)",
            "except TypeError as error:",
            "    print('REFUSED', error)",
            "class WithPing(SocketHandlers):",
            textwrap.indent(handler, "    "),
            "ensure_implemented(WithPing)",
            "import chinwag_contract",
            "print('OK', chinwag_contract.__file__)",
        ]
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(generated), str(ROOT / "src")])}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert (
        "REFUSED SocketHandlers does not implement the contract: "
        "on_chat_ping (chat:ping) is abstract"
    ) in run.stdout
    assert f"OK {generated}" in run.stdout  # the copy's package, not the repository's
    page = PAGE.read_text(encoding="utf-8")
    assert (
        "SocketHandlers does not implement the contract: on_chat_ping (chat:ping) is abstract"
        in page
    )
