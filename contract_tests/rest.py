"""REST: schemathesis against openapi.yaml on the live server, with a generated service token."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from contract_tests.phases import Budget

__all__ = ["CHECKS", "run_schemathesis"]

#: The standard checks named in the issue: no 5xx, response schema, documented status codes.
CHECKS = ",".join(
    [
        "not_a_server_error",
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
    ]
)
_CONFIG = """\
[warnings]
fail-on = ["missing_auth"]
"""


def _st_command() -> list[str]:
    found = shutil.which("st", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


def run_schemathesis(openapi: Path, base_url: str, token: str, budget: Budget) -> dict[str, Any]:
    """Run ``st run`` as a subprocess; return ``{ok, summary, ...}`` for the report."""
    auth = httpx.get(
        f"{base_url}/api/conversations", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    if auth.status_code != 200:
        return {"ok": False, "summary": f"the generated token was refused: HTTP {auth.status_code}"}
    with tempfile.TemporaryDirectory(prefix="chinwag-st-") as tmp:
        config = Path(tmp) / "schemathesis.toml"
        config.write_text(_CONFIG)
        report_path = Path(tmp) / "st.json"
        argv = [
            *_st_command(),
            "--config-file",
            str(config),
            "run",
            str(openapi),
            "--url",
            base_url,
            "-H",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--max-examples",
            str(max(1, budget.cases)),
            "--seed",
            str(budget.seed),
            "--phases",
            "examples,coverage,fuzzing",
            "--generation-allow-x00",
            "false",
            "--workers",
            "1",
            "--no-color",
            "--report",
            "json",
            "--report-json-path",
            str(report_path),
        ]
        if budget.derandomize:
            argv.append("--generation-deterministic")
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        details: Any = json.loads(report_path.read_text()) if report_path.exists() else None
    tail = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
    result: dict[str, Any] = {
        "ok": proc.returncode == 0,
        "exit_code": proc.returncode,
        "summary": (tail[0] if tail else "") + ("" if proc.returncode == 0 else " (FAILED)"),
    }
    if proc.returncode != 0:
        result["output"] = (proc.stdout[-8000:] + proc.stderr[-2000:]).strip()
    if details is not None:
        result["report"] = details
    return result
