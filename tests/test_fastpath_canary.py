"""The fast path's canary: everything it relies on in other libraries is where it expects, and
when something moved it switches itself off (one warning, stock behaviour), never breaks.

The checks run in fresh interpreters: the test process may already have the patches installed,
and the canary reads the libraries' own functions.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx

from chinwag.transport.fastpath import canary, engineio_patches
from tests.support import ServerProcess
from tests.support.client import Api, ChatClient, Tokens, make_scene, new_user

ROOT = Path(__file__).resolve().parents[1]
MOVED_SANSIO = "tests.fixtures.fastpath.uvicorn_moved_sansio"


def _problems_in_fresh_interpreter(folder: Path, prelude: str = "") -> list[str]:
    script = folder / "canary_run.py"  # a file, so inspect.getsource finds a changed function
    script.write_text(
        f"{prelude}\nimport json\nfrom chinwag.transport.fastpath import canary\n"
        "print(json.dumps(canary.problems()))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    problems: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return problems


def test_every_private_name_and_copied_function_is_as_the_fast_path_expects(
    tmp_path: Path,
) -> None:
    assert _problems_in_fresh_interpreter(tmp_path) == []


def test_the_libraries_the_fast_path_reaches_into_are_pinned_exactly() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = {}
    for requirement in pyproject["project"]["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^]]*\])?==([0-9][0-9A-Za-z.]*)", requirement)
        if match:
            pins[match.group(1).lower()] = match.group(3)
    for name in ("python-socketio", "python-engineio", "uvicorn"):
        assert name in pins, f"{name} must be pinned exactly (==X.Y.Z) in pyproject.toml"
        assert importlib.metadata.version(name) == pins[name]


def test_every_patched_engineio_function_is_pinned_by_source_hash_and_signature() -> None:
    for name in engineio_patches.PATCHED:
        target = f"engineio.async_socket:AsyncSocket.{name}"
        assert target in canary.SOURCE_HASHES and target in canary.SIGNATURES


def test_a_changed_library_function_is_reported_by_name(tmp_path: Path) -> None:
    prelude = (
        "import engineio.async_socket as a\n"
        "_poll = a.AsyncSocket.poll\n"
        "async def poll(self):\n"
        "    return await _poll(self)\n"
        "a.AsyncSocket.poll = poll"
    )
    problems = _problems_in_fresh_interpreter(tmp_path, prelude)
    assert len(problems) == 1
    assert problems[0].startswith("engineio.async_socket:AsyncSocket.poll: source changed")


async def test_a_moved_private_name_turns_the_fast_path_off_with_one_warning_and_chat_works(
    tmp_path: Path, jwt_secret: str
) -> None:
    env = {
        "CHINWAG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chinwag.db'}",
        "CHINWAG_JWT_SECRET": jwt_secret,
        "CHINWAG_RATE_LIMIT_SOCKET": "0",
        "CHINWAG_RATE_LIMIT_USER": "0",
    }
    tokens = Tokens(jwt_secret)
    with ServerProcess(env, module=MOVED_SANSIO, log_dir=tmp_path) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            api = Api(http, tokens)
            alice, bob = new_user("alice"), new_user("bob")
            scene = await make_scene(api, participants=[alice, bob])
            for transports in (["websocket"], None):  # websocket-only, polling then upgrade
                sender, listener = ChatClient("alice"), ChatClient("bob")
                await sender.connect(server.url, tokens.user(alice), transports)
                await listener.connect(server.url, tokens.user(bob), transports)
                await listener.join(scene.conversation_id)
                message = await sender.send(scene.conversation_id, f"stock {transports}")
                assert await listener.wait_for("chat:new") == {"message": message}
                await sender.disconnect()
                await listener.disconnect()
        log = server.read_log()
    off = [line for line in log.splitlines() if "fast path OFF" in line]
    assert len(off) == 1, log
    assert "websockets_sansio_impl" in off[0]
    assert "Traceback" not in log
