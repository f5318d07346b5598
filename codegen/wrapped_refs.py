"""Undo the ``allOf: [{$ref}]`` wrap that keeps a mark beside a reference.

The contract writes an extension field that refers to a shared schema as
``{x-chinwag-extension: true, allOf: [{$ref: …}]}`` (docs/profile.md): JSON Schema Draft 7 based
tools ignore every sibling of ``$ref``, so the mark would be lost beside a bare ``$ref``. Our own
renderers read the mark and the reference together, so they see the plain ``{$ref, mark}`` form.
"""

from __future__ import annotations

from typing import Any

__all__ = ["unwrap_single_allof"]


def unwrap_single_allof(node: Any) -> Any:
    """A copy of ``node`` where every one-element ``allOf`` is merged into its parent."""
    if isinstance(node, list):
        return [unwrap_single_allof(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: unwrap_single_allof(value) for key, value in node.items()}
    parts = out.get("allOf")
    if isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], dict):
        inner = parts[0]
        rest = {key: value for key, value in out.items() if key != "allOf"}
        if not set(inner) & set(rest):
            return {**inner, **rest}
    return out
