"""``junit.xml``: one test case per scenario expectation, so CI dashboards show the verdicts.

The layout is the one Jenkins, GitLab and GitHub test reporters read: ``<testsuites>`` around one
``<testsuite>`` with ``name``, ``tests``, ``failures``, ``errors``, ``skipped``, ``time`` and
``timestamp``, and a ``<failure message=...>`` holding the evidence for each expectation that
did not hold.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from sim.report.events import RunResult

# Characters XML 1.0 does not allow, even escaped; a detail quoting raw bytes must not make the
# file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def junit_tree(result: RunResult, digest: str) -> ET.ElementTree:
    failures = sum(not item.passed for item in result.expectations)
    counts = {
        "tests": str(len(result.expectations)),
        "failures": str(failures),
        "errors": "0",
        "skipped": "0",
        "time": f"{result.wall_seconds:.3f}",
    }
    suites = ET.Element("testsuites", {"name": "solrsim", **counts})
    suite = ET.SubElement(
        suites,
        "testsuite",
        {
            "name": xml_text(f"solrsim.{result.scenario}"),
            "timestamp": result.started.replace(tzinfo=None).isoformat(timespec="seconds"),
            **counts,
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (("scenario", result.scenario), ("seed", result.seed), ("digest", digest)):
        ET.SubElement(properties, "property", name=name, value=xml_text(str(value)))
    for item in result.expectations:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=xml_text(f"solrsim.{result.scenario}"),
            name=xml_text(item.name),
            time="0",
        )
        if item.rules:
            case_properties = ET.SubElement(case, "properties")
            ET.SubElement(case_properties, "property", name="rules", value=xml_text(item.rules))
        if item.passed:
            ET.SubElement(case, "system-out").text = xml_text(item.detail)
        else:
            failure = ET.SubElement(
                case, "failure", message=xml_text(item.detail), type="ExpectationNotMet"
            )
            failure.text = xml_text(item.detail)
    ET.indent(suites)
    return ET.ElementTree(suites)


def write_junit(result: RunResult, digest: str, path: Path) -> None:
    junit_tree(result, digest).write(path, encoding="utf-8", xml_declaration=True)


def xml_text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)
