"""The token service as configured: which key source and which claim mapping."""

from __future__ import annotations

from chinwag.config import Settings
from chinwag.services.auth import ClaimMapping, TokenService
from chinwag.services.jwt_keys import JwksKeys, KeySource, PublicKey, SharedSecret


def key_source(settings: Settings) -> KeySource:
    """HS256 with the shared secret, or RS256/ES256 from the JWKS URL or the PEM key."""
    if settings.jwt_algorithm == "HS256":
        return SharedSecret(settings.effective_jwt_secret)
    if settings.jwt_jwks_url:
        return JwksKeys(
            settings.jwt_jwks_url,
            settings.jwt_algorithm,
            cache_s=settings.jwt_jwks_cache_s,
            min_refresh_s=settings.jwt_jwks_min_refresh_s,
        )
    if settings.jwt_public_key:
        return PublicKey(settings.jwt_public_key, settings.jwt_algorithm)
    raise ValueError(
        f"CHINWAG_JWT_ALGORITHM={settings.jwt_algorithm} needs CHINWAG_JWT_JWKS_URL "
        "or CHINWAG_JWT_PUBLIC_KEY"
    )


def token_service(settings: Settings) -> TokenService:
    """The token service ``settings`` describe."""
    return TokenService(
        settings.effective_jwt_secret,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        keys=key_source(settings),
        claims=ClaimMapping(
            user_id=settings.jwt_user_id_claim,
            role=settings.jwt_role_claim,
            service_role=settings.jwt_service_role,
        ),
    )
