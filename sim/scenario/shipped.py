"""The rehearsal scenarios shipped in the checkout's ``scenarios/``, found from the package so
``make run`` and the benchmarks work from any directory."""

from __future__ import annotations

from pathlib import Path

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DEFAULT_SCENARIO = SCENARIOS / "solr-default.yaml"
