"""An identity provider for tests: key pairs made in the test and a JWKS served on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.support.net import LOCALHOST


@dataclass
class SigningKey:
    """A private key with its ``kid`` and algorithm; ``jwk`` is the public half."""

    kid: str
    algorithm: str
    private: Any = field(repr=False)

    @classmethod
    def make(cls, kid: str, algorithm: str = "RS256") -> SigningKey:
        private: Any = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if algorithm == "RS256"
            else ec.generate_private_key(ec.SECP256R1())
        )
        return cls(kid, algorithm, private)

    @property
    def jwk(self) -> dict[str, Any]:
        algo = jwt.get_algorithm_by_name(self.algorithm)
        public: dict[str, Any] = json.loads(algo.to_jwk(self.private.public_key()))
        return public | {"kid": self.kid, "use": "sig", "alg": self.algorithm}

    def token(self, sub: str | None = None, *, ttl: int = 3600, **claims: Any) -> str:
        now = int(time.time())
        body: dict[str, Any] = {"iat": now, "exp": now + ttl} | claims
        if sub is not None:
            body["sub"] = sub
        return jwt.encode(body, self.private, algorithm=self.algorithm, headers={"kid": self.kid})


class JwksServer:
    """Serves ``{"keys": [...]}`` of the current keys at ``/jwks``; counts the fetches."""

    def __init__(self, *keys: SigningKey) -> None:
        self.keys = list(keys)
        self.fetches = 0
        #: Set when a fetch arrives; with ``gate`` set to an unset Event, the answer waits for it.
        self.requested = threading.Event()
        self.gate: threading.Event | None = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                outer.requested.set()
                if outer.gate is not None:
                    outer.gate.wait(30)
                body = json.dumps({"keys": [k.jwk for k in outer.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((LOCALHOST, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self._server.server_address[1]}/jwks"

    def __enter__(self) -> JwksServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
