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


def run_schemathesis(
    openapi: Path,
    base_url: str,
    token: str,
    budget: Budget,
    parameter_sets: list[dict[str, str]],
) -> dict[str, Any]:
    """Run ``st run`` once per parameter set (``{}``: all generated); merge the results."""
    auth = httpx.get(
        f"{base_url}/api/conversations", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    if auth.status_code != 200:
        return {"ok": False, "summary": f"the generated token was refused: HTTP {auth.status_code}"}
    runs = [_run_once(openapi, base_url, token, budget, params) for params in parameter_sets]
    return {
        "ok": all(r["ok"] for r in runs),
        "summary": " | ".join(r["summary"] for r in runs),
        "runs": runs,
    }


def _config(parameters: dict[str, str]) -> str:
    lines = [_CONFIG]
    if parameters:
        lines.append("[parameters]")
        lines += [f"{json.dumps(key)} = {json.dumps(value)}" for key, value in parameters.items()]
    return "\n".join(lines) + "\n"


def _run_once(
    openapi: Path, base_url: str, token: str, budget: Budget, parameters: dict[str, str]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="chinwag-st-") as tmp:
        config = Path(tmp) / "schemathesis.toml"
        config.write_text(_config(parameters))
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
    result: dict[str, Any] = {
        "ok": proc.returncode == 0,
        "exit_code": proc.returncode,
        "parameters": parameters,
        "summary": _summary(details, proc.returncode, bool(parameters)),
    }
    if proc.returncode != 0:
        result["output"] = (proc.stdout[-8000:] + proc.stderr[-2000:]).strip()
    if details is not None:
        result["report"] = details
    return result


def _summary(details: Any, exit_code: int, bound: bool) -> str:
    label = "bound ids" if bound else "random ids"
    if not isinstance(details, dict):
        return f"{label}: no report (exit {exit_code})"
    ops, cases = details.get("operations", {}), details.get("test_cases", {})
    return (
        f"{label}: {ops.get('tested', 0)}/{ops.get('total', 0)} operations, "
        f"{cases.get('generated', 0)} cases, {cases.get('unique_failures', 0)} failures"
        + ("" if exit_code == 0 else f" (exit {exit_code})")
    )
