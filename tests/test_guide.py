"""Every code block of docs/guide.md type-checks and runs against a real server.

Each block is preceded by ``<!-- guide-test: [socket=refused] [expect=name,...] -->``. The test
wraps each block in an async function whose context (tests/guide/prelude.ts) holds a socket
authenticated as a participant of a prepared conversation and recording stand-ins for the app
functions the guide leaves to the reader; ``expect`` names the stand-ins the block must end up
calling. The blocks are type-checked with tsc against docs/chinwag-events.d.ts and
@chinwag/client, bundled with esbuild and run in order by node.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Before the import: the plugin's asserts get pytest's rewriting (no "already imported" warning).
pytest.register_assert_rewrite("tests.support.client")

from tests.support.client import Api, make_scene, new_user  # noqa: E402
from tests.support.server import ServerProcess  # noqa: E402
from tests.test_typescript_client import build_package  # noqa: E402

pytest_plugins = ("tests.support.client",)
pytestmark = [pytest.mark.node, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "guide.md"
BIN = REPO / "node_modules" / ".bin"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)
MARK = re.compile(r"<!-- guide-test:([^>]*)-->\s*$")
#: Names of tests/guide/prelude.ts's Context, in scope for every block.
CONTEXT = [
    "socket",
    "baseUrl",
    "conversationId",
    "campaignId",
    "lastSeq",
    "lastVisibleMessageId",
    "prompt",
    "text",
    "fetchToken",
    "sleep",
    "showUser",
    "showError",
    "showJoined",
    "showPending",
    "replacePending",
    "markFailed",
    "showSynced",
    "showBanner",
    "setComposer",
    "showAnswered",
    "showFieldErrors",
    "disablePrompt",
    "markRead",
    "addIfMissing",
    "updateRow",
    "render",
]


@dataclass(frozen=True)
class Block:
    """One fenced block of the guide and its test annotation."""

    line: int
    code: str
    socket: str
    expect: tuple[str, ...]


def guide_blocks() -> list[Block]:
    """Every fenced block, each with its annotation (a block without one fails the test)."""
    text = GUIDE.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = MARK.search(before)
        assert mark is not None, f"guide.md:{line}: a code block without <!-- guide-test: -->"
        assert match.group(1) == "ts", f"guide.md:{line}: only ts blocks can be run"
        options = dict(item.split("=", 1) for item in mark.group(1).split() if "=" in item)
        expect = tuple(filter(None, options.get("expect", "").split(",")))
        blocks.append(Block(line, match.group(2), options.get("socket", "ready"), expect))
    return blocks


def render_block(block: Block) -> str:
    lines = block.code.splitlines()
    imports = [line for line in lines if line.startswith("import ")]
    body = [line for line in lines if not line.startswith("import ")]
    return "\n".join(
        [
            *imports,
            'import type { Context } from "./prelude";',
            "",
            "export default async function run(ctx: Context): Promise<void> {",
            f"  const {{ {', '.join(CONTEXT)} }} = ctx;",
            "  {",
            *(f"    {line}" for line in body),
            "  }",
            "}",
            "",
        ]
    )


def render_runner(blocks: list[Block]) -> str:
    imports = [f'import block{i} from "./block{i}";' for i in range(len(blocks))]
    table = ",\n".join(
        f"  {{ run: block{i}, line: {b.line}, socket: {json.dumps(b.socket)} as const, "
        f"expect: {json.dumps(list(b.expect))} }}"
        for i, b in enumerate(blocks)
    )
    return f"""import {{ Calls, context, openSocket, type Scene }} from "./prelude";
{chr(10).join(imports)}

const blocks = [
{table}
];
const scene = JSON.parse(process.env.CHINWAG_GUIDE_SCENE ?? "{{}}") as Scene;
for (const block of blocks) {{
  const calls = new Calls();
  const socket = await openSocket(scene, block.socket);
  try {{
    await block.run(context(scene, socket, calls));
    for (const name of block.expect) await calls.wait(name, 10_000);
    console.log(`ok guide.md:${{block.line}} (${{[...calls.seen.keys()].join(", ")}})`);
  }} catch (error) {{
    console.error(`FAILED guide.md:${{block.line}}: ${{String(error)}}`);
    process.exit(1);
  }} finally {{
    socket.disconnect();
  }}
}}
// Sockets a block opened itself (section 1) would keep node alive.
process.exit(0);
"""


TSCONFIG = {
    "compilerOptions": {
        "target": "ES2022",
        "module": "ESNext",
        "moduleResolution": "Bundler",
        "lib": ["ES2022", "DOM"],
        "types": ["node"],
        "strict": True,
        "noEmit": True,
        "skipLibCheck": True,
    },
    "include": ["*.ts"],
}


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A folder inside the repository, so node and tsc find its node_modules."""
    folder = REPO / ".tmp" / f"guide-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, timeout=180)
    assert result.returncode == 0, result.stdout[-10000:] + result.stderr[-10000:]
    return result.stdout


async def test_every_guide_code_block_runs_against_a_real_server(
    chat_server: ServerProcess, api: Api, workdir: Path
) -> None:
    blocks = guide_blocks()
    assert len(blocks) >= 10
    build_package()
    alice, bob = new_user("alice"), new_user("bob")
    scene = await make_scene(api, members=[alice], participants=[alice, bob])
    posted = await api.automated(scene.conversation_id, "Welcome to the guide", "guide")
    flow = await api.expect(
        "POST",
        "/api/conversations",
        201,
        "Conversation",
        json={
            "campaign_id": scene.campaign_id,
            "participant_ids": [alice],
            "chat_status": "automated",
            "flow_id": "demo",
        },
    )
    prompts = [m for m in await api.messages(flow["id"]) if m["action_data"]]

    (workdir / "tsconfig.json").write_text(json.dumps(TSCONFIG), encoding="utf-8")
    shutil.copy(REPO / "docs" / "chinwag-events.d.ts", workdir / "chinwag-events.d.ts")
    shutil.copy(REPO / "tests" / "guide" / "prelude.ts", workdir / "prelude.ts")
    for i, block in enumerate(blocks):
        (workdir / f"block{i}.ts").write_text(render_block(block), encoding="utf-8")
    (workdir / "runner.ts").write_text(render_runner(blocks), encoding="utf-8")
    run([str(BIN / "tsc"), "-p", "tsconfig.json"], workdir)
    run(
        # Packages stay imports: node loads socket.io-client and @chinwag/client itself.
        [
            str(BIN / "esbuild"),
            "runner.ts",
            "--bundle",
            "--platform=node",
            "--format=esm",
            "--packages=external",
            "--outfile=runner.mjs",
            "--log-level=warning",
        ],
        workdir,
    )
    env = {
        **os.environ,
        "CHINWAG_GUIDE_SCENE": json.dumps(
            {
                "baseUrl": chat_server.url,
                "token": api.tokens.user(alice),
                "conversationId": scene.conversation_id,
                "campaignId": scene.campaign_id,
                "lastSeq": 0,
                "lastVisibleMessageId": posted["id"],
                "prompt": prompts[0],
            }
        ),
    }
    output = run(["node", "runner.mjs"], workdir, env)
    assert output.count("ok guide.md:") == len(blocks), output
