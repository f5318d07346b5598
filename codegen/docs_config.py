"""``docs/configuration.md``: every setting of ``chinwag.config.Settings`` as a table.

Read from the settings class itself (names, types, defaults, constraints, descriptions), so the
table cannot drift from the code: ``python -m codegen --check`` fails when it is stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from chinwag.config import Settings

__all__ = ["render"]

from chinwag.settings_report import SECRET_FIELDS as SECRETS

HEADER = """# Configuration

> Generated from `src/chinwag/config.py` by `python -m codegen` (`codegen/docs_config.py`); do not
> edit by hand.

Every option is an environment variable read at start-up. A bad value stops `chinwag serve`
(and every other command) with a message naming the variable; `chinwag config` prints the
effective configuration with secrets masked. Lists are comma-separated.

| variable | type | default | meaning |
| --- | --- | --- | --- |
"""

FOOTER = """
Also read: `PROMETHEUS_MULTIPROC_DIR` (prometheus-client's multi-process mode: when several
worker processes share one port, each writes its metrics there and `/metrics` adds them up; empty
the folder before the workers start).
"""


def _type(field: FieldInfo) -> str:
    text = str(field.annotation).replace("typing.", "").replace("pathlib.", "")
    text = text.replace("<class '", "").replace("'>", "")
    text = text.replace("pydantic.types.", "").replace("Annotated[", "").replace(", NoDecode]", "")
    # A table cell cannot hold "|": unions read "or".
    return text.replace("Literal[", "one of [").replace(" | ", " or ")


def _default(name: str, field: FieldInfo) -> str:
    default: Any = field.get_default(call_default_factory=True)
    if default is None:
        return "unset"
    if isinstance(default, Path):
        return "(the bundled `flows/` folder)" if name == "flows_dir" else f"`{default}`"
    if isinstance(default, list):
        return "`" + ",".join(str(item) for item in default) + "`"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    return f"`{json.dumps(default) if isinstance(default, str) else default}`"


def _bounds(field: FieldInfo) -> str:
    marks = []
    for meta in field.metadata:
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            value = getattr(meta, attr, None)
            if value is not None:
                marks.append(f"{sign} {value}")
    return f" ({', '.join(marks)})" if marks else ""


def render(asyncapi: dict[str, Any] | None = None) -> str:
    """The page (the contract argument is unused: the settings are the source)."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    rows = []
    for name, field in Settings.model_fields.items():
        variable = f"`{prefix}{name}`".upper()
        meaning = (field.description or "").replace("|", "\\|").replace("\n", " ")
        if name in SECRETS:
            meaning += " Secret: masked by `chinwag config`."
        rows.append(
            f"| {variable} | {_type(field)}{_bounds(field)} | {_default(name, field)} | "
            f"{meaning} |\n"
        )
    return HEADER + "".join(rows) + FOOTER
