"""Run datamodel-code-generator (pinned 0.89.0) in-process on a prepared input."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from codegen.field_checks import FIELD_FLAGS, mark_fields
from codegen.field_rewrite import apply_field_checks
from codegen.prepare import RESOURCES_FILE, GeneratorInput

__all__ = ["FLAGS", "REQUIRED_VERSION", "generate_models"]

REQUIRED_VERSION = "0.89.0"

# Deterministic, mypy --strict-clean output (see /work/shared/TOOLCHAIN.md). The builtin formatter
# is pinned because the default is announced to change; ruff format runs afterwards anyway.
# uuid/date-time/uri stay constrained strings: the service formats timestamps itself, and AnyUrl
# would drop the https pattern and length limit.
FLAGS: tuple[str, ...] = (
    "--input-file-type", "openapi",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--target-python-version", "3.11",
    "--disable-timestamp",
    "--formatters", "builtin",
    "--use-annotated",
    "--field-constraints",
    "--use-standard-collections",
    "--use-union-operator",
    "--strict-types", "str", "int", "float", "bool",
    "--use-double-quotes",
    "--keep-model-order",
    "--enum-field-as-literal", "all",
    "--use-type-alias",
    "--use-schema-description",
    "--use-field-description",
    "--type-mappings", "string+uuid=string", "string+date-time=string", "string+uri=string",
)  # fmt: skip


def _check_version() -> None:
    from importlib.metadata import version

    found = version("datamodel-code-generator")
    if found != REQUIRED_VERSION:
        raise RuntimeError(f"datamodel-code-generator {REQUIRED_VERSION} is pinned, found {found}")


def generate_models(
    target: GeneratorInput,
    resources: GeneratorInput | None = None,
    resources_module: str = "chinwag_contract.resources",
) -> str:
    """Return the generator's Python source for ``target``.

    When ``resources`` is given, refs into it become imports from ``resources_module``. Fields
    whose schema the generator under-enforces get validators (see ``codegen.field_checks``).
    """
    from datamodel_code_generator.__main__ import Exit, main

    _check_version()
    with tempfile.TemporaryDirectory(prefix="chinwag-codegen-") as tmp:
        folder = Path(tmp)
        source = folder / "input.json"
        output = folder / "output.py"
        _write_json(source, mark_fields(target.document))
        args = ["--input", str(source), "--output", str(output), *FLAGS, *FIELD_FLAGS]
        if resources is not None:
            _write_json(folder / RESOURCES_FILE, resources.document)
            args += ["--external-ref-mapping", f"{RESOURCES_FILE}={resources_module}"]
        status = main(args)
        if status != Exit.OK:
            raise RuntimeError(f"datamodel-code-generator failed ({status!r})")
        package = resources_module.rpartition(".")[0]
        return apply_field_checks(output.read_text(encoding="utf-8"), package)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1, sort_keys=False), encoding="utf-8")
