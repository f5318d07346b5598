"""Compute every generated file in memory: ``{path relative to the root: content}``."""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codegen.bundle import bundle_asyncapi, bundle_openapi, load_yaml
from codegen.contract import read_contract
from codegen.datamodel import generate_models
from codegen.docs_model import load_docs_document
from codegen.field_checks import VALIDATORS_MODULE
from codegen.prepare import GeneratorInput, prepare
from codegen.pysource import Source, finish_python, format_python, header_lines
from codegen.render_emitter import render_emitter
from codegen.render_handlers import docstring, render_handlers
from codegen.render_operations import render_operations
from codegen.validate import validate_asyncapi, validate_flow_schema, validate_openapi

__all__ = ["DOCS", "PACKAGE_DIR", "Layout", "build_outputs"]

PACKAGE_DIR = "generated/chinwag_contract"
DOCS = {
    "codegen.docs_markdown": "docs/protocol.md",
    "codegen.docs_html": "docs/protocol.html",
    "codegen.typescript": "docs/chinwag-events.d.ts",
    "codegen.typescript_client": "clients/typescript/src/events.ts",
    "codegen.docs_flows": "docs/flows.md",
    "codegen.docs_flows_svg": "docs/flows.svg",
    "codegen.docs_config": "docs/configuration.md",
}


@dataclass(frozen=True)
class Layout:
    """Where the contract files are, relative to the root."""

    asyncapi: str = "asyncapi.yaml"
    openapi: str = "openapi.yaml"
    schemas: str = "schemas.yaml"
    flows: str = "flows.schema.yaml"


def _template(module: str) -> tuple[str, Source]:
    """A codegen module copied verbatim into the package, with its own path as the source."""
    path = Path(importlib.import_module(module).__file__ or "")
    data = path.read_bytes()
    return data.decode("utf-8"), (f"codegen/{path.name}", hashlib.sha256(data).hexdigest())


def _source(root: Path, name: str) -> Source:
    return name, hashlib.sha256((root / name).read_bytes()).hexdigest()


def _union_roots(code: str, unions: dict[str, dict[str, Any]]) -> str:
    """Append a ``RootModel`` per oneOf/anyOf payload (the generator would make a type alias)."""
    if not unions:
        return code
    code = code.replace(
        "from __future__ import annotations\n",
        "from __future__ import annotations\n\nfrom pydantic import RootModel\n",
        1,
    )
    for name, schema in unions.items():
        members = " | ".join(
            b["$ref"].rsplit("/", 1)[-1] for b in schema.get("oneOf") or schema["anyOf"]
        )
        code += f"\n\nclass {name}(RootModel[{members}]):\n"
        code += docstring(schema.get("description", name), "    ")
        code += f"\n    root: {members}\n"
    return code


def _init(title: str) -> str:
    return f'''
"""{title}: models, operations table, handler base and emitter generated from the contract."""

import json
from importlib.resources import files
from typing import Any

__all__ = ["asyncapi_document", "openapi_document"]


def asyncapi_document() -> dict[str, Any]:
    """The bundled AsyncAPI document (served as ``/asyncapi.json``)."""
    data: dict[str, Any] = json.loads(files(__name__).joinpath("asyncapi.json").read_text("utf-8"))
    return data


def openapi_document() -> dict[str, Any]:
    """The bundled OpenAPI document (served as ``/openapi.json``)."""
    data: dict[str, Any] = json.loads(files(__name__).joinpath("openapi.json").read_text("utf-8"))
    return data
'''


def _json(doc: dict[str, Any], sources: list[Source]) -> str:
    stamped = {"x-generated": header_lines(sources), **doc}
    return json.dumps(stamped, indent=2, ensure_ascii=False) + "\n"


def build_outputs(root: Path, layout: Layout | None = None, docs: bool = True) -> dict[str, str]:
    """Validate the contract under ``root`` and return every generated file."""
    layout = layout or Layout()
    asyncapi = bundle_asyncapi(root / layout.asyncapi)
    openapi = bundle_openapi(root / layout.openapi)
    validate_asyncapi(asyncapi)
    validate_openapi(root / layout.openapi, openapi)
    defs: dict[str, Any] = load_yaml(root / layout.schemas).get("$defs", {})
    shared = set(defs)
    resources_schemas = json.loads(json.dumps(defs).replace('"#/$defs/', '"#/components/schemas/'))
    resources: GeneratorInput = prepare(resources_schemas, set(), "resources")
    events = prepare(asyncapi["components"]["schemas"], shared, "events")
    rest = prepare(openapi["components"]["schemas"], shared, "rest")

    s_schemas = _source(root, layout.schemas)
    s_async = [_source(root, layout.asyncapi), s_schemas]
    s_open = [_source(root, layout.openapi), s_schemas]
    contract = read_contract(asyncapi)
    validators, s_validators = _template("codegen.template_validators")
    python = {
        "__init__.py": (_init(asyncapi["info"]["title"]), [*s_async, s_open[0]]),
        "resources.py": (generate_models(resources), [s_schemas]),
        "models.py": (
            _union_roots(generate_models(events, resources), events.union_roots),
            s_async,
        ),
        "rest.py": (generate_models(rest, resources), s_open),
        "operations.py": (render_operations(contract), s_async),
        "handlers.py": (render_handlers(contract), s_async),
        "emitter.py": (render_emitter(contract), s_async),
        f"{VALIDATORS_MODULE}.py": (validators, [s_validators]),
    }
    flows = _flow_schema(root, layout.flows)
    if flows is not None:
        python["flows.py"] = (generate_models(flows[1]), flows[2])
    checked = {name: finish_python(code, sources, name) for name, (code, sources) in python.items()}
    out = {f"{PACKAGE_DIR}/{name}": text for name, text in format_python(checked).items()}
    out[f"{PACKAGE_DIR}/py.typed"] = ""
    out[f"{PACKAGE_DIR}/asyncapi.json"] = _json(asyncapi, s_async)
    out[f"{PACKAGE_DIR}/openapi.json"] = _json(openapi, s_open)
    if flows is not None:
        out[f"{PACKAGE_DIR}/flows.schema.json"] = _json(flows[0], flows[2])
    if docs:
        # The docs describe every shared resource, REST-only ones (Conversation, Campaign) too.
        out.update(render_docs(load_docs_document(root / layout.asyncapi)))
    return out


def _flow_schema(
    root: Path, name: str
) -> tuple[dict[str, Any], GeneratorInput, list[Source]] | None:
    """The flow-definition schema (when the contract has one), checked, and its model input."""
    if not (root / name).is_file():
        return None
    schema: dict[str, Any] = load_yaml(root / name)
    validate_flow_schema(schema)
    defs = json.loads(json.dumps(schema["$defs"]).replace('"#/$defs/', '"#/components/schemas/'))
    return schema, prepare(defs, set(), "flows"), [_source(root, name)]


def render_docs(asyncapi: dict[str, Any]) -> dict[str, str]:
    """The docs, rendered by the doc renderers from ``codegen.docs_model.load_docs_document``."""
    out = {}
    for module_name, path in DOCS.items():
        text: str = importlib.import_module(module_name).render(asyncapi)
        out[path] = text
    return out
