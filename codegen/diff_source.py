"""Where ``python -m codegen diff`` reads a contract: a folder, a file, a git revision, a release.

A source is bundled the way the generator bundles it, so both sides are compared as published.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codegen.bundle import bundle_asyncapi, bundle_openapi
from codegen.wrapped_refs import unwrap_single_allof

__all__ = ["RELEASED_DIR", "ContractSource", "latest_release", "load_source", "version_key"]

RELEASED_DIR = Path("contract") / "released"
FILES = ("asyncapi.yaml", "schemas.yaml", "openapi.yaml")


@dataclass(frozen=True)
class ContractSource:
    """One side of a diff: its label and bundled documents."""

    label: str
    asyncapi: dict[str, Any]
    openapi: dict[str, Any]

    @property
    def version(self) -> str:
        """``info.version`` of the AsyncAPI document."""
        return str(self.asyncapi.get("info", {}).get("version", "0.0.0"))


def version_key(version: str) -> tuple[int, ...]:
    """``"1.10.2"`` → ``(1, 10, 2)`` (pre-release and build suffixes ignored)."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("-")[0])[:3])


def latest_release(root: Path) -> Path | None:
    """The newest snapshot under ``root/contract/released`` (by version), if any."""
    folder = root / RELEASED_DIR
    versions = [p for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []
    return max(versions, key=lambda p: version_key(p.name), default=None)


def _from_folder(folder: Path, label: str) -> ContractSource:
    openapi = folder / "openapi.yaml"
    return ContractSource(
        label,
        unwrap_single_allof(bundle_asyncapi(folder / "asyncapi.yaml")),
        unwrap_single_allof(bundle_openapi(openapi)) if openapi.is_file() else {},
    )


def _from_git(revision: str, root: Path) -> ContractSource:
    with tempfile.TemporaryDirectory(prefix="chinwag-diff-") as tmp:
        for name in FILES:
            shown = subprocess.run(
                ["git", "-C", str(root), "show", f"{revision}:{name}"],
                capture_output=True,
                check=False,
            )
            if shown.returncode == 0:
                (Path(tmp) / name).write_bytes(shown.stdout)
            elif name == "asyncapi.yaml":
                raise ValueError(f"{revision!r} is neither a path nor a git revision with {name}")
        return _from_folder(Path(tmp), revision)


def load_source(spec: str, root: Path) -> ContractSource:
    """Read ``spec``: a folder, an ``asyncapi.yaml`` path, ``@released`` or a git revision."""
    if spec == "@released":
        latest = latest_release(root)
        if latest is None:
            raise ValueError(f"no snapshot under {root / RELEASED_DIR}")
        return _from_folder(latest, f"released {latest.name}")
    path = Path(spec)
    if path.is_dir():
        return _from_folder(path, spec)
    if path.is_file():
        return _from_folder(path.parent, spec)
    return _from_git(spec, root)
