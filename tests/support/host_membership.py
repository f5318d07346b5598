"""A host's own membership data, as a Python provider and as an HTTP callback on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.net import LOCALHOST


class HostMemberships:
    """The host's own membership data, and how often chinwag asked."""

    def __init__(self) -> None:
        self.access: set[tuple[str, str]] = set()  # (user, conversation)
        self.members: set[tuple[str, str]] = set()  # (user, campaign)
        self.calls = 0
        #: (user, conversation) of every conversation_access question the HTTP callback answered.
        self.asked: list[tuple[str, str]] = []
        self.changed = threading.Condition()

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 30) -> None:
        """Block until ``predicate()`` holds (checked after every answered question)."""
        with self.changed:
            if not self.changed.wait_for(predicate, timeout):
                raise TimeoutError(f"host membership: condition not met; asked {self.asked!r}")

    async def may_access_conversation(
        self, user_id: str, conversation_id: str, campaign_id: str
    ) -> bool:
        self.calls += 1
        return (user_id, conversation_id) in self.access

    async def is_campaign_member(self, user_id: str, campaign_id: str) -> bool:
        self.calls += 1
        return (user_id, campaign_id) in self.members

    async def participants(self, conversation_id: str, campaign_id: str) -> Sequence[str]:
        self.calls += 1
        return sorted(u for u, c in self.access if c == conversation_id)


@contextlib.contextmanager
def membership_callback(memberships: HostMemberships) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            question = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            memberships.calls += 1
            answer: dict[str, Any]
            if question["question"] == "conversation_access":
                answer = {
                    "allowed": (question["user_id"], question["conversation_id"])
                    in memberships.access
                }
            elif question["question"] == "campaign_member":
                answer = {
                    "allowed": (question["user_id"], question["campaign_id"]) in memberships.members
                }
            else:
                answer = {
                    "user_ids": sorted(
                        u for u, c in memberships.access if c == question["conversation_id"]
                    )
                }
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            # Recorded once the answer is on its way, so a waiter sees questions already answered.
            with memberships.changed:
                if question["question"] == "conversation_access":
                    memberships.asked.append((question["user_id"], question["conversation_id"]))
                memberships.changed.notify_all()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((LOCALHOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCALHOST}:{server.server_address[1]}/membership"
    finally:
        server.shutdown()
        server.server_close()
