"""Bundle a contract document: inline the shared file's ``$defs`` into ``components/schemas``.

The official AsyncAPI schema and the generators do not follow external file refs reliably, so both
contract documents are bundled first: every ``./schemas.yaml#/$defs/X`` that is (transitively) used
is copied to ``components/schemas/X`` and the ref is rewritten to ``#/components/schemas/X``.
Internal refs (operations → channels → messages, reply) stay ``$ref`` s: full dereferencing would
break the AsyncAPI document's structure.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "BundleError",
    "bundle_asyncapi",
    "bundle_document",
    "bundle_openapi",
    "load_yaml",
]

_DEFS_FRAGMENT = "#/$defs/"
_COMPONENT_PREFIX = "#/components/schemas/"


class BundleError(ValueError):
    """The document cannot be bundled (unknown file, unknown definition, name clash)."""


def load_yaml(path: Path) -> dict[str, Any]:
    """Load a YAML mapping from ``path``."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise BundleError(f"{path}: top level is not a mapping")
    return data


def _split_external(ref: str) -> tuple[str, str] | None:
    """Return ``(file, name)`` for a ``file#/$defs/name`` ref, ``None`` for an internal ref."""
    if ref.startswith("#") or _DEFS_FRAGMENT not in ref:
        return None
    file_part, _, name = ref.partition(_DEFS_FRAGMENT)
    return file_part, name


class _Bundler:
    """Collects the shared definitions a document uses and rewrites refs to them."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.files: dict[str, dict[str, Any]] = {}
        self.used: dict[str, dict[str, Any]] = {}
        self.origin: dict[str, str] = {}

    def _defs(self, file_part: str) -> dict[str, Any]:
        if file_part not in self.files:
            target = (self.base_dir / file_part).resolve()
            if not target.is_file():
                raise BundleError(f"external ref to missing file {file_part!r}")
            defs = load_yaml(target).get("$defs", {})
            if not isinstance(defs, dict):
                raise BundleError(f"{file_part}: $defs is not a mapping")
            self.files[file_part] = defs
        return self.files[file_part]

    def _use(self, file_part: str, name: str) -> None:
        if name in self.used:
            if self.origin[name] != file_part:
                raise BundleError(f"definition {name!r} comes from two files")
            return
        defs = self._defs(file_part)
        if name not in defs:
            raise BundleError(f"{file_part}#/$defs/{name} does not exist")
        self.origin[name] = file_part
        self.used[name] = {}  # placeholder: breaks cycles
        self.used[name] = self.rewrite(copy.deepcopy(defs[name]), file_part)

    def rewrite(self, node: Any, current_file: str | None) -> Any:
        """Rewrite refs in ``node``; ``current_file`` is the shared file ``node`` came from."""
        if isinstance(node, list):
            return [self.rewrite(item, current_file) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = self._rewrite_ref(value, current_file)
            else:
                out[key] = self.rewrite(value, current_file)
        return out

    def _rewrite_ref(self, ref: str, current_file: str | None) -> str:
        if current_file is not None and ref.startswith(_DEFS_FRAGMENT):
            name = ref[len(_DEFS_FRAGMENT) :]
            self._use(current_file, name)
            return _COMPONENT_PREFIX + name
        external = _split_external(ref)
        if external is None:
            return ref
        file_part, name = external
        self._use(file_part, name)
        return _COMPONENT_PREFIX + name


def _is_alias_of(local: Any, name: str, origin: str) -> bool:
    """True when a local component is just ``$ref: <origin>#/$defs/<name>`` (plus annotations)."""
    return isinstance(local, dict) and local.get("$ref") == f"{origin}{_DEFS_FRAGMENT}{name}"


def bundle_document(doc: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """Return a bundled deep copy of ``doc`` whose external refs resolve against ``base_dir``."""
    bundler = _Bundler(base_dir)
    original_schemas = doc.get("components", {}).get("schemas", {})
    aliases = {
        name
        for name, local in original_schemas.items()
        if _is_alias_of(local, name, "./schemas.yaml") or _is_alias_of(local, name, "schemas.yaml")
    }
    result: dict[str, Any] = bundler.rewrite(copy.deepcopy(doc), None)
    components = result.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    defs_order = {name: index for defs in bundler.files.values() for index, name in enumerate(defs)}
    for name in sorted(bundler.used, key=lambda n: (defs_order.get(n, 0), n)):
        shared = bundler.used[name]
        if name in schemas and name not in aliases:
            raise BundleError(f"components/schemas/{name} clashes with a shared definition")
        # A local alias of the same name (e.g. ErrorBody) is replaced by the definition itself.
        schemas[name] = shared
    return result


def bundle_asyncapi(path: Path) -> dict[str, Any]:
    """Load and bundle an AsyncAPI document."""
    return bundle_document(load_yaml(path), path.parent)


def bundle_openapi(path: Path) -> dict[str, Any]:
    """Load and bundle an OpenAPI document."""
    return bundle_document(load_yaml(path), path.parent)
