"""A feature run's report folder: ``report.html``, ``report.json``, ``junit.xml`` and
``cucumber.json`` for the run, and ``scenarios/NN-name/`` for each scenario: its wire log
(``events.jsonl``) and, for a scenario that ran a fleet-scale rehearsal, the four reports a
scenario file's run writes (:func:`sim.report.files.write_reports`)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.report._cucumber import write_cucumber
from sim.report._feature_html import write_feature_html
from sim.report._junit import xml_text
from sim.report.feature_run import FeatureRun, ScenarioResult
from sim.report.files import write_events, write_reports


@dataclass(frozen=True)
class FeatureReports:
    folder: Path
    digests: dict[int, str]  # scenario index -> digest of its events.jsonl

    @property
    def html(self) -> Path:
        return self.folder / "report.html"


def write_feature_reports(
    run: FeatureRun, folder: Path, title: str, context: dict[str, str], root: Path | None = None
) -> FeatureReports:
    """Write every file into ``folder`` (created if need be); ``root``: where feature paths in
    cucumber.json are taken from."""
    folder.mkdir(parents=True, exist_ok=True)
    links: dict[int, str] = {}
    digests: dict[int, str] = {}
    for number, scenario in enumerate(run.scenarios):
        name = f"{number + 1:02d}-{_slug(scenario.name)}"
        sub = folder / "scenarios" / name
        sub.mkdir(parents=True, exist_ok=True)
        if scenario.rehearsal is not None:
            digests[number] = write_reports(scenario.rehearsal, sub).digest
        else:
            digests[number] = write_events(scenario.events, sub / "events.jsonl")
        links[number] = f"scenarios/{name}/"
    write_feature_html(run, folder / "report.html", links, title, context)
    write_cucumber(run, folder / "cucumber.json", root)
    _write_junit(run, folder / "junit.xml")
    _write_json(run, folder / "report.json", title, context, links, digests)
    return FeatureReports(folder, digests)


def _write_json(
    run: FeatureRun,
    path: Path,
    title: str,
    context: dict[str, str],
    links: dict[int, str],
    digests: dict[int, str],
) -> None:
    document = {
        "title": title,
        "passed": run.passed,
        **context,
        "scenarios": [
            _scenario_document(scenario, links[number], digests[number])
            for number, scenario in enumerate(run.scenarios)
        ],
    }
    with path.open("w", encoding="utf-8") as out:
        json.dump(document, out, indent=2, default=str)
        out.write("\n")


def _scenario_document(scenario: ScenarioResult, folder: str, digest: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        "feature": scenario.feature.name,
        "file": str(scenario.feature.path),
        "name": scenario.name,
        "line": scenario.line,
        "tags": list(scenario.tags),
        "rules": list(scenario.rule_tags),
        "status": scenario.status,
        "folder": folder,
        "digest": digest,
        "steps": [
            {
                "keyword": step.keyword,
                "text": step.text,
                "line": step.line,
                "status": step.status,
                "evidence": step.evidence,
            }
            for step in scenario.steps
        ],
    }
    rehearsal = scenario.rehearsal
    if rehearsal is not None:
        document["rehearsal"] = {
            "scenario": rehearsal.scenario,
            "seed": rehearsal.seed,
            "passed": rehearsal.passed,
            "expectations": [
                {"name": e.name, "rules": e.rules, "passed": e.passed, "detail": e.detail}
                for e in rehearsal.expectations
            ],
        }
    return document


def _write_junit(run: FeatureRun, path: Path) -> None:
    """One test suite per feature, one test case per scenario; a failed one carries the step
    that failed and its evidence."""
    failures = sum(not scenario.passed for scenario in run.scenarios)
    suites = ET.Element(
        "testsuites", name="solrsim", tests=str(len(run.scenarios)), failures=str(failures)
    )
    for info, scenarios in run.by_feature():
        seconds = sum(step.seconds for scenario in scenarios for step in scenario.steps)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=xml_text(info.name),
            tests=str(len(scenarios)),
            failures=str(sum(not s.passed for s in scenarios)),
            errors="0",
            skipped="0",
            time=f"{seconds:.3f}",
        )
        for scenario in scenarios:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=xml_text(info.name),
                name=xml_text(scenario.name),
                time=f"{sum(step.seconds for step in scenario.steps):.3f}",
            )
            failing = scenario.failing
            if not scenario.passed:
                message = (
                    "the scenario has no steps"
                    if failing is None
                    else f"{failing.keyword} {failing.text}: {failing.evidence}"
                )
                failure = ET.SubElement(
                    case, "failure", message=xml_text(message), type="StepFailed"
                )
                failure.text = xml_text(message)
    ET.indent(suites)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:60].lower() or "scenario"
