"""The suite read as data: every runnable scenario (an outline row counts as one) with its tags
and steps, and the step library's definitions (:mod:`sim.gherkin.library`), for the coverage,
convention and step catalogue checks. Features are read with pytest-bdd's own parser, so what
is checked is what runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pytest_bdd.feature import get_features

from sim.gherkin.library import StepDefinition, step_definitions
from sim.gherkin.runner import runnables
from sim.report.feature_run import RULE_TAG

FEATURES = Path(__file__).resolve().parents[2] / "features"
GENERATIONS = frozenset({"smets1", "smets2"})


@dataclass(frozen=True)
class Runnable:
    """One scenario as pytest runs it: a plain scenario, or one row of an outline."""

    feature: str  # the file name
    name: str
    line: int
    tags: frozenset[str]
    steps: tuple[tuple[str, str], ...]  # (given/when/then, text with outline values filled in)

    def __str__(self) -> str:
        return f"{self.feature}:{self.line} {self.name}"

    @property
    def rule_tags(self) -> frozenset[str]:
        return frozenset(tag for tag in self.tags if RULE_TAG.fullmatch(tag))


def runnable_scenarios() -> list[Runnable]:
    """Every scenario and outline row of features/, as ``solrsim run`` would run them."""
    return [
        Runnable(
            Path(feature.filename).name,
            name,
            line,
            tags,
            tuple((step.type, step.name) for step in steps),
        )
        for feature in get_features([str(FEATURES)])
        for name, line, tags, steps in runnables(feature)
    ]


__all__ = [
    "FEATURES",
    "GENERATIONS",
    "RULE_TAG",
    "Runnable",
    "StepDefinition",
    "runnable_scenarios",
    "step_definitions",
]
