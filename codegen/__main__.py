"""``python -m codegen [--check] [--root DIR]``: regenerate or verify what the contract makes.

Exit status: 0 done/clean, 1 ``--check`` found stale, missing or orphaned files or a lint finding,
2 the contract is invalid (every problem is listed).

``python -m codegen lint`` runs the contract's lint rules (:mod:`codegen.lint`);
``python -m codegen diff OLD NEW`` classifies the changes between two contracts
(:mod:`codegen.diff`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from codegen.bundle import BundleError
from codegen.outputs import PACKAGE_DIR, build_outputs
from codegen.validate import ContractError

__all__ = ["compare", "main"]

_IGNORED_PARTS = ("__pycache__",)


def _existing(root: Path) -> set[str]:
    folder = root / PACKAGE_DIR
    if not folder.is_dir():
        return set()
    return {
        path.relative_to(root).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and not any(part in _IGNORED_PARTS for part in path.parts)
    }


def compare(root: Path, outputs: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """Return (stale, missing, orphaned) paths of ``root`` against the expected ``outputs``."""
    stale, missing = [], []
    for rel, content in sorted(outputs.items()):
        path = root / rel
        if not path.is_file():
            missing.append(rel)
        elif path.read_text(encoding="utf-8") != content:
            stale.append(rel)
    orphaned = sorted(_existing(root) - set(outputs))
    return stale, missing, orphaned


def _write(root: Path, outputs: dict[str, str]) -> None:
    stale, missing, orphaned = compare(root, outputs)
    for rel in [*stale, *missing]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(outputs[rel], encoding="utf-8")
        print(f"wrote {rel}")
    for rel in orphaned:
        (root / rel).unlink()
        print(f"removed orphan {rel}")
    if not (stale or missing or orphaned):
        print("everything up to date")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["lint"]:
        from codegen.lint import main as lint_main

        return lint_main(argv[1:])
    if argv[:1] == ["diff"]:
        from codegen.diff import main as diff_main

        return diff_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    parser.add_argument(
        "--root", type=Path, default=Path(__file__).resolve().parent.parent, help="repo root"
    )
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    started = time.perf_counter()
    try:
        outputs = build_outputs(root)
    except (ContractError, BundleError) as error:
        print(f"codegen: the contract is invalid: {error}", file=sys.stderr)
        return 2
    if not args.check:
        _write(root, outputs)
        print(f"codegen: {len(outputs)} files in {time.perf_counter() - started:.2f}s")
        return 0
    from codegen.lint import lint_root

    findings = lint_root(root)
    for finding in findings:
        print(f"lint: {finding}", file=sys.stderr)
    stale, missing, orphaned = compare(root, outputs)
    for label, paths in (("stale", stale), ("missing", missing), ("orphaned", orphaned)):
        for rel in paths:
            print(f"{label}: {rel}", file=sys.stderr)
    if findings:
        print("codegen --check: the contract breaks lint rules (above)", file=sys.stderr)
    if stale or missing or orphaned:
        print(
            "codegen --check: generated files are out of date; run `python -m codegen`",
            file=sys.stderr,
        )
        return 1
    if findings:
        return 1
    print(
        f"codegen --check: {len(outputs)} files up to date ({time.perf_counter() - started:.2f}s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
