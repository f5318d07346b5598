"""The committed page bundles (src/chinwag/static/*/*.js) are what `make web` builds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.node

REPO = Path(__file__).resolve().parents[1]
BIN = REPO / "node_modules" / ".bin"
#: The flags of the Makefile's ESBUILD variable; a test below keeps the two in step.
FLAGS = [
    "--bundle",
    "--format=esm",
    "--target=es2020",
    "--minify",
    "--legal-comments=eof",
    "--log-level=warning",
]
BUNDLES = {
    "clients/web/demo/main.ts": "src/chinwag/static/demo/demo.js",
    "clients/web/console/main.ts": "src/chinwag/static/console/console.js",
}


def tool(name: str) -> str:
    path = BIN / name
    if shutil.which("node") is None or not path.is_file():
        pytest.fail("Node 20 and the npm packages are needed: install Node, then `make node-deps`")
    return str(path)


def test_web_sources_type_check() -> None:
    result = subprocess.run(
        [tool("tsc"), "-p", "clients/web/tsconfig.json"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("source", sorted(BUNDLES))
def test_committed_bundle_is_up_to_date(source: str, tmp_path: Path) -> None:
    out = tmp_path / "bundle.js"
    result = subprocess.run(
        [tool("esbuild"), source, *FLAGS, f"--outfile={out}"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    committed = (REPO / BUNDLES[source]).read_text(encoding="utf-8")
    stale = f"{BUNDLES[source]} is stale: run `make web`"
    assert out.read_text(encoding="utf-8") == committed, stale


def test_makefile_bundles_with_the_same_flags() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "ESBUILD := node_modules/.bin/esbuild " + " ".join(FLAGS) in makefile


def test_pages_load_nothing_from_another_origin() -> None:
    for page in (REPO / "src" / "chinwag" / "static").rglob("*"):
        if page.suffix in {".html", ".css", ".js"}:
            text = page.read_text(encoding="utf-8")
            for marker in ('src="http', 'href="http', "@import url(http", "cdn."):
                assert marker not in text, f"{page.relative_to(REPO)} loads {marker!r}"
