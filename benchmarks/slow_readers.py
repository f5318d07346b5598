"""``python -m benchmarks.slow_readers``: server memory with readers that stop reading (issue 13).

One case = a fresh chinwag server (SQLite) with ``CHINWAG_MAX_SOCKET_BUFFER`` = the bound, one
sender and one normal reader (python-socketio, websocket) and K raw websockets with a 4 KiB
receive buffer that join the conversation and never read again. The sender sends messages of
9,000 characters as fast as acks come back. Reported: the server's RSS growth over its RSS after
a warm-up (peak during the run, and at the end), how many sockets the server aborted as slow
consumers, and whether the normal reader got every message. ``--cases 0:1`` shows the growth
without a bound.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

import httpx

from benchmarks.servers import LOAD_SETTINGS, new_secret
from tests.support import RawSocketIO, ServerProcess
from tests.support.client import Api, ChatClient, Tokens, make_scene, new_user

TEXT = "x" * 9000
ABORT_LOG = "socket aborted (slow_consumer)"
MIB = 1024 * 1024


def rss(pid: int) -> int:
    """Resident set of process ``pid`` in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


async def run_case(bound: int, stalled: int, messages: int) -> dict[str, float | int | bool]:
    """One server, ``stalled`` readers that stop reading, ``messages`` sends; the figures."""
    secret = new_secret()
    tokens = Tokens(secret)
    with tempfile.TemporaryDirectory(prefix="chinwag-slow-") as folder:
        env = {
            **LOAD_SETTINGS,
            "CHINWAG_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/chinwag.db",
            "CHINWAG_JWT_SECRET": secret,
            "CHINWAG_MAX_SOCKET_BUFFER": str(bound),
        }
        with ServerProcess(env, log_dir=Path(folder)) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
                api = Api(http, tokens)
                alice, bob = new_user("alice"), new_user("bob")
                slow = [new_user("slow") for _ in range(stalled)]
                users = [alice, bob, *slow]
                scene = await make_scene(api, members=users, participants=users)
                room = scene.conversation_id
                sender, reader = ChatClient("alice"), ChatClient("bob")
                await sender.connect(server.url, tokens.user(alice), ["websocket"])
                await reader.connect(server.url, tokens.user(bob), ["websocket"])
                await reader.join(room)
                for _ in range(20):  # warm-up: allocator, caches, the send path
                    await sender.send(room, TEXT)
                raws = []
                for user in slow:
                    raw = await RawSocketIO.open(server.url, tokens.user(user), receive_buffer=4096)
                    await raw.call("chat:join", {"conversationId": room})
                    raws.append(raw)
                before = rss(server.pid)
                peak = 0
                last = 0
                for _ in range(messages):
                    last = (await sender.send(room, TEXT))["seq"]
                    peak = max(peak, rss(server.pid) - before)
                await reader.wait_for(
                    "chat:new", lambda p: p["message"]["seq"] == last, timeout=120
                )
                end = rss(server.pid) - before
                complete = len(reader.received("chat:new")) == messages + 20
                await sender.disconnect()
                await reader.disconnect()
                aborts = server.read_log().count(ABORT_LOG)
                for raw in raws:
                    raw.ws.transport.abort()  # never read: do not wait for a closing handshake
    return {
        "bound": bound,
        "stalled": stalled,
        "messages": messages,
        "sent_mib": round(messages * len(TEXT) / MIB, 1),
        "peak_mib": round(peak / MIB, 2),
        "end_mib": round(end / MIB, 2),
        "aborted": aborts,
        "reader_complete": complete,
    }


def main() -> None:
    """Run the cases and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument(
        "--cases",
        default=f"{2 * MIB}:1,{2 * MIB}:10",
        help="comma-separated bound:stalled pairs (bound 0: unbounded)",
    )
    args = parser.parse_args()
    print("bound      stalled  sent MiB  RSS growth peak MiB  end MiB  aborted  reader got all")
    for case in args.cases.split(","):
        bound, stalled = (int(part) for part in case.split(":"))
        row = asyncio.run(run_case(bound, stalled, args.messages))
        print(
            f"{row['bound']:<10} {row['stalled']:<8} {row['sent_mib']:<9} "
            f"{row['peak_mib']:<20} {row['end_mib']:<8} {row['aborted']:<8} "
            f"{row['reader_complete']}"
        )


if __name__ == "__main__":
    main()
