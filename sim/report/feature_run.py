"""What a feature run hands to its reports: each scenario (each outline row) with its feature,
tags, steps and their verdicts, the rehearsal it ran if any, and its wire log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sim.report.events import Event, RunResult

Status = str  # "passed", "failed", "skipped" or "undefined"


@dataclass
class StepResult:
    keyword: str  # as written: "Given", "And", ...
    kind: str  # given, when or then
    text: str
    line: int
    status: Status = "skipped"
    seconds: float = 0.0
    evidence: str = ""  # why it failed
    location: str = ""  # the step definition that matched: module:line
    datatable: list[list[str]] | None = None


@dataclass
class ScenarioResult:
    feature: FeatureInfo
    name: str
    line: int
    tags: tuple[str, ...]  # without "@", sorted
    steps: list[StepResult]
    rehearsal: RunResult | None = None  # a fleet-scale rehearsal the scenario ran
    events: list[Event] = field(default_factory=list)  # the named world's wire log

    @property
    def status(self) -> Status:
        """A scenario without steps shows nothing: it is undefined, not passed."""
        if not self.steps:
            return "undefined"
        return next((s.status for s in self.steps if s.status != "passed"), "passed")

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def failing(self) -> StepResult | None:
        return next((s for s in self.steps if s.status in ("failed", "undefined")), None)

    @property
    def rule_tags(self) -> tuple[str, ...]:
        """The MP134B rule ids among the tags (R7.1), in rule order."""
        rules = [tag for tag in self.tags if RULE_TAG.fullmatch(tag)]
        return tuple(sorted(rules, key=lambda tag: [int(n) for n in tag[1:].split(".")]))


@dataclass(frozen=True)
class FeatureInfo:
    path: Path
    name: str
    description: str
    line: int
    tags: tuple[str, ...]


RULE_TAG = re.compile(r"R\d+(?:\.\d+)+")  # an MP134B rule id as a tag: R7.1


@dataclass
class FeatureRun:
    scenarios: list[ScenarioResult]

    @property
    def passed(self) -> bool:
        return bool(self.scenarios) and all(s.passed for s in self.scenarios)

    def by_feature(self) -> Iterator[tuple[FeatureInfo, list[ScenarioResult]]]:
        features: dict[Path, list[ScenarioResult]] = {}
        for scenario in self.scenarios:
            features.setdefault(scenario.feature.path, []).append(scenario)
        for results in features.values():
            yield results[0].feature, results
