"""``python -m codegen lint``: rules beyond the official schema, each with an id.

The rules live in :mod:`codegen.lint_examples`, :mod:`codegen.lint_schemas`,
:mod:`codegen.lint_operations` and :mod:`codegen.lint_recipients`; ``docs/profile.md`` explains
each. ``make lint`` and ``python -m codegen --check`` run them; exit status 1 when any rule fails.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import codegen.lint_asyncapi31
import codegen.lint_examples
import codegen.lint_operations
import codegen.lint_recipients
import codegen.lint_schemas

# Each rule module registers its rules when imported.
from codegen.bundle import bundle_asyncapi, bundle_openapi, load_yaml
from codegen.lint_model import RULES, Finding, LintInput

__all__ = ["lint", "lint_root", "main"]

_MODULES = (
    codegen.lint_asyncapi31,
    codegen.lint_examples,
    codegen.lint_operations,
    codegen.lint_recipients,
    codegen.lint_schemas,
)


def lint(data: LintInput, only: set[str] | None = None) -> list[Finding]:
    """Every finding of every rule (or of the rules in ``only``), sorted and without repeats."""
    findings: set[Finding] = set()
    for rule_id, rule in sorted(RULES.items()):
        if only is None or rule_id in only:
            findings.update(rule.check(data))
    return sorted(findings)


def load_input(root: Path) -> LintInput:
    """Bundle the contract under ``root`` for the rules."""
    openapi_path = root / "openapi.yaml"
    shared = load_yaml(root / "schemas.yaml").get("$defs", {})
    return LintInput(
        asyncapi=bundle_asyncapi(root / "asyncapi.yaml"),
        openapi=bundle_openapi(openapi_path) if openapi_path.is_file() else {},
        shared_names=frozenset(shared),
    )


def lint_root(root: Path) -> list[Finding]:
    """Lint the contract files under ``root``."""
    return lint(load_input(root))


def main(argv: list[str] | None = None) -> int:
    """Print every finding; exit status 1 when there is one."""
    parser = argparse.ArgumentParser(prog="python -m codegen lint", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--rules", action="store_true", help="list the rules and exit")
    args = parser.parse_args(argv)
    if args.rules:
        for rule_id, rule in sorted(RULES.items()):
            print(f"{rule_id}  {rule.title}")
        return 0
    findings = lint_root(args.root.resolve())
    for finding in findings:
        print(finding)
    print(f"codegen lint: {len(findings)} finding(s), {len(RULES)} rules")
    return 1 if findings else 0
