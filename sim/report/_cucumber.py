"""``cucumber.json``: a feature run in Cucumber's JSON report format, which CI dashboards and
Cucumber report tools read (the format pytest-bdd's ``--cucumberjson`` writes for ``make test``):
a list of features, each with its scenarios ("elements") and their steps, each step with its
result ``status``, ``duration`` in nanoseconds and, when it failed, ``error_message``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sim.report.feature_run import FeatureInfo, FeatureRun, ScenarioResult, StepResult


def cucumber_document(run: FeatureRun, root: Path | None = None) -> list[dict[str, Any]]:
    """The run as Cucumber JSON data; feature URIs are relative to ``root`` when under it."""
    return [_feature(info, scenarios, root) for info, scenarios in run.by_feature()]


def write_cucumber(run: FeatureRun, path: Path, root: Path | None = None) -> None:
    with path.open("w", encoding="utf-8") as out:
        json.dump(cucumber_document(run, root), out, indent=2)
        out.write("\n")


def _feature(
    info: FeatureInfo, scenarios: list[ScenarioResult], root: Path | None
) -> dict[str, Any]:
    uri = info.path
    if root is not None and info.path.is_relative_to(root):
        uri = info.path.relative_to(root)
    feature_id = _id(info.name)
    return {
        "uri": uri.as_posix(),
        "id": feature_id,
        "keyword": "Feature",
        "name": info.name,
        "description": info.description,
        "line": info.line,
        "tags": [{"name": f"@{tag}", "line": info.line} for tag in info.tags],
        "elements": [_scenario(feature_id, scenario) for scenario in scenarios],
    }


def _scenario(feature_id: str, scenario: ScenarioResult) -> dict[str, Any]:
    return {
        "id": f"{feature_id};{_id(scenario.name)}",
        "keyword": "Scenario",
        "type": "scenario",
        "name": scenario.name,
        "description": "",
        "line": scenario.line,
        "tags": [{"name": f"@{tag}", "line": scenario.line} for tag in scenario.tags],
        "steps": [_step(step) for step in scenario.steps],
    }


def _step(step: StepResult) -> dict[str, Any]:
    result: dict[str, Any] = {"status": step.status, "duration": round(step.seconds * 1e9)}
    if step.evidence:
        result["error_message"] = step.evidence
    document: dict[str, Any] = {
        "keyword": f"{step.keyword} ",
        "name": step.text,
        "line": step.line,
        "match": {"location": step.location},
        "result": result,
    }
    if step.datatable is not None:
        document["rows"] = [{"cells": row} for row in step.datatable]
    return document


def _id(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
