"""Checks of setting values that a type alone cannot express; each error names the bad value."""

from __future__ import annotations

from urllib.parse import urlsplit

DATABASE_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg", "postgresql+psycopg")
REDIS_SCHEMES = ("redis", "rediss", "unix")


def check_origins(origins: list[str]) -> list[str]:
    """Each origin is ``*`` or ``scheme://host[:port]`` with no path (what browsers send)."""
    for origin in origins:
        if origin == "*":
            continue
        parts = urlsplit(origin)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
        ):
            raise ValueError(
                f"{origin!r} is not an origin: use scheme://host[:port] (e.g. "
                "https://app.example.com) or *"
            )
    if "*" in origins and len(origins) > 1:
        raise ValueError("* allows every origin: list origins or use * alone")
    return [origin.rstrip("/") for origin in origins]


def check_database_url(url: str) -> str:
    """An async SQLAlchemy URL chinwag has a driver for."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in DATABASE_SCHEMES:
        raise ValueError(f"scheme {scheme or url!r} is not one of {', '.join(DATABASE_SCHEMES)}")
    return url


def check_redis_url(url: str) -> str:
    """A URL redis-py can connect to."""
    scheme = urlsplit(url).scheme
    if scheme not in REDIS_SCHEMES:
        raise ValueError(f"scheme {scheme or url!r} is not one of {', '.join(REDIS_SCHEMES)}")
    return url


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
