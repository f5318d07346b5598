"""The run as JUnit XML, beside ``report.json``, for CI systems that show test results.

One test case per client→server operation and per server→client operation (failed when a failure
names it or it was not exercised), one for the REST run and one for failures that name no
operation (fixture set-up, leaks on listening sockets).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from contract_tests.report import Report

__all__ = ["junit_xml", "write_junit"]


def _owner(failure: str, keys: list[str]) -> str | None:
    """The operation a failure names (``[socket] chatJoin …`` or ``chatJoin: …``), if any."""
    for key in keys:
        if re.search(rf"(^|\] ){re.escape(key)}[: ]", failure):
            return key
    return None


def junit_xml(report: Report) -> ET.Element:
    """The ``<testsuites>`` element of ``report``."""
    requests, broadcasts = list(report.contract.requests), list(report.contract.broadcasts)
    by_case: dict[str, list[str]] = {key: [] for key in [*requests, *broadcasts, "(run)"]}
    for failure in report.failures:
        by_case[_owner(failure, [*requests, *broadcasts]) or "(run)"].append(failure)
    for gap in report.coverage_gaps():
        key = gap.split(":", 1)[0]
        by_case.setdefault(key, []).append(f"not exercised: {gap}")
    suites = ET.Element("testsuites", name="chinwag contract")
    suite = ET.SubElement(suites, "testsuite", name="contract_tests")
    cases = 0
    failed = 0
    for key, problems in by_case.items():
        if key in report.not_applicable:
            continue
        kind = "request" if key in requests else "send" if key in broadcasts else "run"
        seconds = report.timings.get(f"operation:{key}", 0.0)
        case = ET.SubElement(
            suite, "testcase", classname=f"contract.{kind}", name=key, time=f"{seconds:.3f}"
        )
        cases += 1
        if problems:
            failed += 1
            node = ET.SubElement(case, "failure", message=problems[0][:300])
            node.text = "\n".join(problems)
    if report.rest is not None:
        case = ET.SubElement(suite, "testcase", classname="contract.rest", name="schemathesis")
        cases += 1
        if not report.rest.get("ok"):
            failed += 1
            summary = str(report.rest.get("summary", "REST run failed"))
            ET.SubElement(case, "failure", message=summary[:300]).text = summary
    total = f"{report.timings.get('total', 0.0):.3f}"
    for element in (suites, suite):
        element.set("tests", str(cases))
        element.set("failures", str(failed))
        element.set("time", total)
    return suites


def write_junit(report: Report, path: Path) -> None:
    """Write the JUnit XML of ``report`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(junit_xml(report))
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
