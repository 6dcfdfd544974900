"""A fleet-scale rehearsal written in Gherkin: the Given steps describe it (or take it from a
scenario file), a When step runs it on the simpy world of ``solrsim run``, and each Then step
judges one expectation with the evaluator and evidence text of a scenario file.

The plan is the scenario as plain data, the shape of a scenario file, so a feature and a file
that describe the same rehearsal validate to the same :class:`~sim.scenario.model.Scenario`,
run to the same event log and get the same verdicts. Its expectations are the Then steps',
judged after the run (``STEPS_JUDGE``), not listed in advance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.report.events import Expectation, RunResult
from sim.scenario.expectations import Evidence, judge
from sim.scenario.model import STEPS_JUDGE, Scenario, load_scenario
from sim.scenario.model import Expectation as ExpectationModel
from sim.world.runner import Rehearsal


class PlanError(Exception):
    """A rehearsal step used out of turn or with values that do not fit, with the reason."""


@dataclass
class RehearsalPlan:
    """The scenario as the steps so far describe it, and, once run, its result and verdicts."""

    data: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None  # replaces the described seed (``solrsim run --seed``)
    result: RunResult | None = None
    evidence: Evidence | None = None
    scenario: Scenario | None = None
    verdicts: list[Expectation] = field(default_factory=list)

    @property
    def described(self) -> bool:
        return bool(self.data)

    def load(self, path: Path) -> None:
        """Everything a scenario file describes but its expectations (the Then steps say them)."""
        self._not_run()
        self.data = load_scenario(path).model_dump(mode="python")
        self.data["expectations"] = []

    def begin(self, name: str, start: datetime, end: datetime, seed: int) -> None:
        self._not_run()
        if end <= start:
            raise PlanError(f"the rehearsal ends ({end:%A %H:%M}) before it starts")
        self.data = {
            "name": name,
            "seed": seed,
            "start": start,
            "duration_hours": self.hours(end, start),
            "suppliers": [],
            "faults": [],
            "alerts": [],
            "expectations": [],
        }

    def section(self, name: str) -> dict[str, Any]:
        """A section of the plan (``srp``, ``ofgem``, ``wan``, ...), made if need be."""
        section: dict[str, Any] = self._described().setdefault(name, {})
        return section

    def add(self, name: str, item: dict[str, Any]) -> None:
        """Another supplier, fault or alert burst."""
        self._described().setdefault(name, []).append(item)

    def hours(self, when: datetime, start: datetime | None = None) -> float:
        """Hours from the rehearsal's start (or ``start``) to ``when``: how a file says it."""
        origin = start if start is not None else self._described()["start"]
        minutes = (when - origin).total_seconds() / 60
        if minutes < 0:
            raise PlanError(f"{when:%A %H:%M} is before the rehearsal starts ({origin:%A %H:%M})")
        return minutes / 60

    def minutes_after(self, when: datetime, after: datetime) -> float:
        if when < after:
            raise PlanError(f"{when:%A %H:%M} is before {after:%A %H:%M}")
        return (when - after).total_seconds() / 60

    def failure_time(self) -> datetime:
        """When the failing supplier fails, as the suppliers say."""
        data = self._described()
        failing = [s for s in data["suppliers"] if s.get("fails_after_hours") is not None]
        if not failing:
            raise PlanError("no supplier fails yet: describe the suppliers first")
        start: datetime = data["start"]
        return start + timedelta(hours=failing[0]["fails_after_hours"])

    def build(self) -> Scenario:
        """The scenario the plan describes, validated as a file is."""
        data = dict(self._described())
        if self.seed is not None:
            data["seed"] = self.seed
        try:
            return Scenario.model_validate(data, context=STEPS_JUDGE)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or 'the rehearsal'}: {error['msg']}"
                for error in exc.errors()
            )
            raise PlanError(f"the rehearsal described does not hold together: {problems}") from None

    def run(self) -> RunResult:
        self._not_run()
        self.scenario = self.build()
        rehearsal = Rehearsal(self.scenario)
        self.result = rehearsal.run()
        self.evidence = rehearsal.evidence
        return self.result

    def judge(self, expectation: ExpectationModel) -> Expectation:
        """The verdict on one expectation, kept for the report; the rehearsal must have run."""
        if self.result is None or self.evidence is None:
            raise PlanError("the rehearsal has not run: say 'When the rehearsal runs' first")
        verdict = judge(expectation, self.evidence, self.result.metrics)
        self.verdicts.append(verdict)
        self.result.expectations.append(verdict)
        return verdict

    def _described(self) -> dict[str, Any]:
        if not self.data:
            raise PlanError("no rehearsal described yet: start with 'Given a rehearsal ...'")
        return self.data

    def _not_run(self) -> None:
        if self.result is not None:
            raise PlanError("the rehearsal has run already; describe it before it runs")
