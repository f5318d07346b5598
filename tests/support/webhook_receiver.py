"""A webhook receiver on 127.0.0.1 that fails the first attempts of each delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.net import LOCALHOST


@dataclass
class Received:
    """One POST as the receiver saw it."""

    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        """Whether ``X-Chinwag-Signature`` is the HMAC of timestamp + body with ``secret``."""
        mac = hmac.new(
            secret.encode(),
            self.headers["x-chinwag-timestamp"].encode() + b"." + self.body,
            hashlib.sha256,
        )
        return hmac.compare_digest(self.headers["x-chinwag-signature"], "sha256=" + mac.hexdigest())


class WebhookReceiver:
    """Answers 500 to the first ``fail_first`` attempts of every delivery id, then 204.

    ``always_fail(body)`` → True makes every attempt of that delivery fail (until changed).
    """

    def __init__(self, fail_first: int = 2) -> None:
        self.fail_first = fail_first
        self.always_fail: Callable[[Any], bool] = lambda body: False
        self.received: list[Received] = []
        self.attempts: Counter[str] = Counter()
        self.changed = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                delivery = self.headers["X-Chinwag-Delivery"]
                with outer.changed:
                    outer.attempts[delivery] += 1
                    failing = outer.attempts[delivery] <= outer.fail_first or outer.always_fail(
                        json.loads(body)
                    )
                    status = 500 if failing else 204
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    outer.received.append(Received(headers, body, status))
                    outer.changed.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((LOCALHOST, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self._server.server_address[1]}/hooks"

    def delivered(self) -> list[Any]:
        """Bodies of the deliveries that got a 2xx, in arrival order."""
        return [r.json for r in self.received if r.status < 300]

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 30) -> None:
        """Block until ``predicate()`` holds (checked after every POST); TimeoutError if not."""
        with self.changed:
            if not self.changed.wait_for(predicate, timeout):
                raise TimeoutError(f"webhook receiver: condition not met; got {self.received!r}")

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
