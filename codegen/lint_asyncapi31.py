"""CW070: the contract is also valid AsyncAPI 3.1.0 (official schema, npm ``@asyncapi/specs``).

The contract is written as 3.0.0 and validated as such (:mod:`codegen.validate`); this rule checks
the same bundled document with ``asyncapi: 3.1.0`` against the vendored 3.1.0 schema, so a move to
3.1 stays a one-line change (``docs/profile.md`` says what else it would take).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from jsonschema import Draft7Validator

from codegen.lint_model import Finding, LintInput, rule

__all__ = ["VENDORED_31_SHA256"]

VENDORED_31 = Path(__file__).parent / "vendor" / "asyncapi-3.1.0.json"
VENDORED_31_SHA256 = "51d3274899ad2875f25c18fd1aef4d5512f0a97be785d519740bde55a4162f61"


@cache
def _validator() -> Draft7Validator:
    raw = VENDORED_31.read_bytes()
    if hashlib.sha256(raw).hexdigest() != VENDORED_31_SHA256:
        raise RuntimeError(f"{VENDORED_31} does not match its recorded sha256")
    return Draft7Validator(json.loads(raw))


@rule("CW070", "the contract is valid AsyncAPI 3.1.0 as well as 3.0.0")
def valid_as_31(data: LintInput) -> Iterator[Finding]:
    doc = copy.deepcopy(data.asyncapi)
    doc["asyncapi"] = "3.1.0"
    for error in _validator().iter_errors(doc):
        where = "/".join(map(str, error.absolute_path)) or "<root>"
        yield Finding(f"asyncapi.yaml: {where}", "CW070", f"AsyncAPI 3.1.0: {error.message[:200]}")
