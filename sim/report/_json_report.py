"""``report.json``: every figure of a run, its verdicts and digest, for machines and diffing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sim.report.events import RunResult


def report_document(result: RunResult, digest: str) -> dict[str, Any]:
    """The run as JSON-ready data; ``digest`` is the SHA-256 of ``events.jsonl``."""
    return {
        "scenario": result.scenario,
        "seed": result.seed,
        "passed": result.passed,
        "digest": digest,
        "started": result.started.isoformat(),
        "ended": result.ended.isoformat(),
        "wall_seconds": result.wall_seconds,
        "expectations": [
            {"name": item.name, "rules": item.rules, "passed": item.passed, "detail": item.detail}
            for item in result.expectations
        ],
        "metrics": result.metrics,
        "series": {
            name: [[time.isoformat(), value] for time, value in points]
            for name, points in result.series.items()
        },
    }


def write_json(result: RunResult, digest: str, path: Path) -> None:
    """Write the document; values JSON cannot hold (a datetime in a metric) are written as text."""
    with path.open("w", encoding="utf-8") as out:
        json.dump(report_document(result, digest), out, indent=2, default=str)
        out.write("\n")
