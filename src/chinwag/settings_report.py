"""Settings for people: start-up errors that name the variable, the effective configuration
with secrets masked, and the table of every option (``docs/configuration.md``)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings

from chinwag.config import Settings
from chinwag.config_checks import mask_url

SECRET_FIELDS = frozenset({"jwt_secret", "admin_ui_password", "webhook_secret"})
URL_FIELDS = frozenset(
    {"database_url", "redis_url", "jwt_jwks_url", "membership_url", "webhook_url"}
)
MASK = "***"


def env_name(field: str) -> str:
    """The environment variable of a settings field."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return f"{prefix}{field}".upper()


def describe_errors(error: ValidationError) -> str:
    """One line per bad setting: variable, the (masked) value given, and what is wrong."""
    lines = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        where = env_name(field) if field else "settings"
        value = item.get("input")
        shown = "" if not field or isinstance(value, dict) else f"={_masked(field, value)!r}"
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"  {where}{shown}: {message}")
    return "invalid configuration:\n" + "\n".join(lines)


def _masked(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in SECRET_FIELDS:
        return MASK
    if field in URL_FIELDS and isinstance(value, str):
        return mask_url(value)
    return value


def effective(settings: BaseSettings) -> dict[str, Any]:
    """``{VARIABLE: value}`` of every setting as in force, secrets masked."""
    out: dict[str, Any] = {}
    for field in type(settings).model_fields:
        value = getattr(settings, field)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        value = _masked(field, value)
        plain = isinstance(value, int | float | bool | list) or value is None
        out[env_name(field)] = value if plain else str(value)
    return out


def render_effective(settings: BaseSettings, as_json: bool) -> str:
    """The effective configuration as aligned lines, or as JSON."""
    values = effective(settings)
    if as_json:
        return json.dumps(values, indent=2)
    width = max(len(name) for name in values)
    return "\n".join(f"{name:<{width}}  {json.dumps(value)}" for name, value in values.items())
