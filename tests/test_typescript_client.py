"""clients/typescript (@chinwag/client): tsc builds it and its node tests pass against a server."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.server import ServerFactory

pytestmark = [pytest.mark.node, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "clients" / "typescript"
TSC = REPO / "node_modules" / ".bin" / "tsc"


def build_package() -> None:
    """``tsc -p clients/typescript`` (package and tests); fails with tsc's output."""
    if shutil.which("node") is None or not TSC.is_file():
        pytest.fail("Node 20 and the npm packages are needed: install Node, then `make node-deps`")
    built = subprocess.run(
        [str(TSC), "-p", str(PACKAGE / "tsconfig.json")], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stdout + built.stderr


def test_typescript_client_package_passes_its_node_tests_against_a_real_server(
    db_url: str, server_factory: ServerFactory, jwt_secret: str
) -> None:
    build_package()
    # A low per-socket limit, so the package's rate-limit test meets real `rate_limited` answers.
    server = server_factory(db_url, CHINWAG_RATE_LIMIT_SOCKET=5)
    env = {**os.environ, "CHINWAG_URL": server.url, "CHINWAG_JWT_SECRET": jwt_secret}
    result = subprocess.run(
        ["node", "--test", "--test-concurrency=1", "--test-reporter=spec", "dist/test/"],
        cwd=PACKAGE,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
