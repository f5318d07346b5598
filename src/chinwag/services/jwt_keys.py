"""Where the key that checks a JWT's signature comes from: a shared secret, a PEM key, a JWKS.

The algorithm is fixed by configuration, never taken from the token: a token whose ``alg`` differs
is refused by PyJWT (no ``none``, no HS256 signed with a public key).
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

import jwt

Algorithm = Literal["HS256", "RS256", "ES256"]
ALGORITHMS: tuple[Algorithm, ...] = ("HS256", "RS256", "ES256")


class KeySource(Protocol):
    """The verification key for a token, and the one algorithm it is used with."""

    algorithm: Algorithm

    def key_for(self, token: str) -> Any:
        """The key that must have signed ``token``; raises ``jwt.PyJWTError`` when none does."""
        ...


class SharedSecret:
    """HS256 with a shared secret (chinwag's default; it can also issue tokens)."""

    algorithm: Algorithm = "HS256"

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def key_for(self, token: str) -> Any:
        """The secret."""
        return self.secret


class PublicKey:
    """RS256 or ES256 with one PEM-encoded public key."""

    def __init__(self, pem: str, algorithm: Algorithm) -> None:
        self.algorithm = algorithm
        # Parsed once: a broken key fails at start-up, not on the first token.
        self.key = jwt.get_algorithm_by_name(algorithm).prepare_key(pem)

    def key_for(self, token: str) -> Any:
        """The configured key."""
        return self.key


class JwksKeys:
    """RS256 or ES256 with the identity provider's keys from a JWKS URL (PyJWT's PyJWKClient).

    The key set is cached for ``cache_s``; a token whose ``kid`` is not in it triggers one fetch,
    and at most one such fetch per ``min_refresh_s`` (PyJWKClient's cooldown), so a flood of
    tokens with made-up ``kid``s cannot turn into a flood of requests to the provider. A fetch
    blocks the caller for at most ``timeout_s`` (it happens on a rotation, not per token).
    """

    def __init__(
        self,
        url: str,
        algorithm: Algorithm,
        *,
        cache_s: float = 300,
        min_refresh_s: float = 30,
        timeout_s: float = 5,
    ) -> None:
        self.algorithm = algorithm
        self.client = jwt.PyJWKClient(
            url,
            cache_jwk_set=True,
            lifespan=cache_s,
            timeout=timeout_s,
            cooldown_duration=min_refresh_s,
        )

    def key_for(self, token: str) -> Any:
        """The JWKS key named by the token's ``kid`` (may fetch: blocking, see ``may_fetch``)."""
        return self.client.get_signing_key_from_jwt(token).key

    def may_fetch(self, token: str) -> bool:
        """Whether ``key_for(token)`` could go to the network (no fresh cached key for its kid).

        PyJWKClient fetches with blocking urllib; callers on the event loop use this to move
        only those rare lookups to a thread.
        """
        cache = self.client.jwk_set_cache
        cached = None if cache is None else cache.get()
        if cached is None:
            return True
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            return False  # refused without any lookup
        return not any(key.key_id == kid for key in cached.keys)
