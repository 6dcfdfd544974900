"""A rehearsal end to end: build the world from the scenario, run it on the simpy clock, and hand
the reports a :class:`RunResult`: the wire log, the figures and the expectations' verdicts.

The world is the population (cast, DCC, lazy fleet), the WAN between the DCC host and the meter
host, and the actors: Ofgem, the SRP, its scripted faults and the alert bursts
(:mod:`sim.world.shard`). It runs as ``workers`` workers, each acting for its share of the
meters, moved through time windows by :mod:`sim.world.coordinator`; one worker runs in this
process, more in local processes or on Ray (:mod:`sim.world.workers`). The event order, and so
the digest, the verdicts and the figures, is the same for any number of workers
(docs/scaling.md). Nothing reads the wall clock except to say how long the run took
(``wall_seconds``, outside the digest). The DCC runs without an audit trail: the wire log is
the run's record, and a million-meter run must not wait on SQLite.

A scenario with physical meters runs on a wall clock instead (``simpy.rt``, ``speed`` simulated
seconds per wall second), in one process, since a real meter answers in real time: the run takes
``duration_hours / speed`` hours, and the world waits, frozen, while a meter is asked (at most
the reply timeout, 2 s, when it stays silent); the clock then catches up. Without physical meters
the run is on the plain simpy clock, as fast as it computes, and replays byte for byte.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sim.report.event_files import ByteSink, event_sink
from sim.report.events import RunResult
from sim.report.tally import Tally, percentiles
from sim.report.wire_log import party
from sim.scenario.expectations import AlertWatch, Evidence, FailedSupplierWatch, evaluate
from sim.scenario.model import DEVICE_CLASSES, Scenario
from sim.world._collector import settled
from sim.world.coordinator import Coordinator, Merged, merge_tallies
from sim.world.key_export import export_keys
from sim.world.physical import PhysicalLink, close_links, open_links
from sim.world.population import Population
from sim.world.shard import SERIES, Figures, Shard
from sim.world.workers import InProcess, LocalProcesses, RayWorkers, start_workers

Progress = Callable[[datetime, int], None]


class RehearsalError(Exception):
    """A rehearsal used in a way it cannot serve, with the reason."""


class Rehearsal:
    """One run of one scenario. Its population stays readable after the run (meter states) when
    it ran in this process (one worker).

    The event log is hashed as it is recorded (the run's digest); ``events_path``, if given,
    receives it while the run goes on, compressed if its name says so (``events.jsonl.gz``,
    :mod:`sim.report.event_files`), and ``keep_events=False`` keeps no
    list of events in memory (:attr:`RunResult.events` is then empty): what a large run needs.
    ``speed`` is the wall clock's scale when the scenario has physical meters (see the module).
    ``workers`` and ``ray_address`` say where the workers run (:func:`start_workers`);
    ``engine`` may insist on ``"processes"`` or ``"ray"``.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        keep_events: bool = True,
        events_path: Path | None = None,
        speed: float = 1.0,
        workers: int = 1,
        ray_address: str | None = None,
        engine: str | None = None,
    ) -> None:
        if speed <= 0:
            raise RehearsalError(f"speed must be positive, not {speed:g}")
        if workers < 1:
            raise RehearsalError(f"workers must be at least 1, not {workers}")
        if workers > 1 and scenario.physical_meters:
            raise RehearsalError("a scenario with physical meters runs with one worker")
        if engine not in (None, "processes", "ray"):
            raise RehearsalError(f"engine is processes or ray, not {engine!r}")
        self.scenario = scenario
        self.speed = speed
        self._population: Population | None = None
        self.keep_events = keep_events
        self.events_path = events_path
        self.workers = workers
        self.ray_address = ray_address
        self.engine = engine
        self.merged: Merged | None = None
        self.evidence: Evidence | None = None  # what the expectations were judged on, after run
        self._appeared: list[bytes] = []
        self._ran = False

    @property
    def population(self) -> Population:
        """The world's population in this process: the run's own with one worker; with more,
        made when first asked for (its meters as the run left them are in the workers)."""
        if self._population is None:
            self._population = Population(self.scenario)
        return self._population

    def run(self, on_progress: Progress | None = None) -> RunResult:
        """Run the scenario to its end; ``on_progress(simulated time, meters switched so far)``
        is called every simulated minute and at the end."""
        if self._ran:
            raise RehearsalError("a rehearsal runs once: its meters have moved on; make a new one")
        self._ran = True
        links = open_links(self.scenario.physical_meters)
        try:
            if self.events_path is None:
                return self._run(None, on_progress, links)
            self.events_path.parent.mkdir(parents=True, exist_ok=True)
            with event_sink(self.events_path) as sink:
                return self._run(sink, on_progress, links)
        finally:
            close_links(links)

    def _workers(self, links: dict[bytes, PhysicalLink]) -> InProcess | LocalProcesses | RayWorkers:
        if self.workers == 1 and self.ray_address is None and self.engine is None:
            shard = Shard(
                self.scenario,
                keep_events=self.keep_events,
                speed=self.speed,
                links=links,
                population=self.population,
            )
            return InProcess(shard)
        if self.engine == "processes":
            return LocalProcesses(self.scenario, self.workers, keep_events=self.keep_events)
        if self.engine == "ray":
            return RayWorkers(
                self.scenario,
                self.workers,
                address=self.ray_address,
                keep_events=self.keep_events,
            )
        return start_workers(
            self.scenario,
            self.workers,
            ray_address=self.ray_address,
            keep_events=self.keep_events,
        )

    def _run(
        self,
        sink: ByteSink | None,
        on_progress: Progress | None,
        links: dict[bytes, PhysicalLink],
    ) -> RunResult:
        wall = time.perf_counter()
        scenario = self.scenario
        start = scenario.start
        progress = (
            None
            if on_progress is None
            else lambda seconds, switched: on_progress(_at(start, seconds), switched)
        )
        workers = self._workers(links)
        try:
            with settled():  # the world is built: see sim.world._collector
                merged = Coordinator(
                    scenario,
                    workers,
                    sink=sink,
                    keep_events=self.keep_events,
                    on_progress=progress,
                ).run()
        finally:
            workers.close()
        self.merged = merged
        figures = merged.figures
        self._appeared = sorted({device for part in figures for device in part.appeared})
        tally = merge_tallies([part.tally for part in figures])
        end = scenario.duration_hours * 3600
        failure = scenario.failure_hours * 3600
        metrics = _metrics(figures, tally, failure, merged.digest)
        metrics["solr"] = _solr_figures(scenario)
        if links:
            metrics["physical_meters"] = physical_figures(links, tally)
        fleet = figures[0].fleet
        evidence = self.evidence = _evidence(scenario, figures, tally, failure, fleet)
        series: dict[str, list[tuple[datetime, float]]] = {
            name: [(_at(start, seconds), values[n]) for seconds, values in merged.samples]
            for n, name in enumerate(SERIES)
        }
        return RunResult(
            scenario=scenario.name,
            seed=scenario.seed,
            started=start,
            ended=_at(start, end),
            events=merged.events,
            metrics=metrics,
            expectations=evaluate(scenario, evidence, metrics),
            series=series,
            wall_seconds=time.perf_counter() - wall,
            events_digest=merged.digest,
            events_path=self.events_path,
        )

    def export_keys(self, folder: Path) -> int:
        """Every party's keys and those of every device of the run so far, in the RTDS keystore
        layout (see :mod:`sim.world.key_export`); returns the number of files written."""
        for device_id in self._appeared:
            self.population.inventory.get(device_id)  # the device's keys, as the run made them
        return export_keys(self.population, Path(folder))


def run_scenario(
    scenario: Scenario,
    on_progress: Progress | None = None,
    *,
    keep_events: bool = True,
    events_path: Path | None = None,
    workers: int = 1,
) -> RunResult:
    return Rehearsal(
        scenario, keep_events=keep_events, events_path=events_path, workers=workers
    ).run(on_progress)


def _solr_figures(scenario: Scenario) -> dict[str, str]:
    """Who failed and when Ofgem acted, for the reports' words and the charts' marks."""
    supplier, start = scenario.failing_supplier, scenario.start
    failure = scenario.failure_hours * 3600
    return {
        "failed_supplier": supplier.name,
        "failed_supplier_id": supplier.user_id,
        "srp": scenario.srp.name,
        "failure": _at(start, failure).isoformat(),
        "revocation": _at(
            start, failure + scenario.ofgem.revocation_delay_minutes * 60
        ).isoformat(),
        "instruction": _at(
            start, failure + scenario.ofgem.instruction_delay_minutes * 60
        ).isoformat(),
    }


def physical_figures(links: dict[bytes, PhysicalLink], tally: Tally) -> list[dict[str, Any]]:
    """Each physical meter as the reports show it, apart from the fleet."""
    figures = []
    for eui64, link in links.items():
        model = link.model
        switched_at = tally.switched_at.get(eui64)
        figures.append(
            {
                "eui": model.eui,
                "port": model.port,
                "device_class": model.device_class,
                "supplier": model.supplier,
                "payment_mode": model.payment_mode,
                "switched": switched_at is not None,
                "switched_at_seconds": switched_at,
                "answers": link.counts.answers,
                "refusals": link.counts.refusals,
                "silences": link.counts.silences,
                "faults": link.counts.faults,
            }
        )
    return figures


def _at(start: datetime, seconds: float) -> datetime:
    """The UTC time ``seconds`` into the run, to the millisecond, as the wire log reads it."""
    return start + timedelta(milliseconds=round(seconds * 1000))


def _evidence(
    scenario: Scenario,
    figures: list[Figures],
    tally: Tally,
    failure: float,
    fleet: dict[str, Any],
) -> Evidence:
    """What the expectations are judged on, the workers' counts summed."""
    revocation = _at(scenario.start, failure + scenario.ofgem.revocation_delay_minutes * 60)
    instruction = _at(scenario.start, failure + scenario.ofgem.instruction_delay_minutes * 60)
    srp = party(scenario.srp.eui)
    alerts = AlertWatch(revocation, instruction, srp, lambda device: False)
    alerts.arrived = sum(part.arrived for part in figures)
    alerts.to_srp = sum(part.to_srp for part in figures)
    alerts.held = sum(part.alerts_held for part in figures)
    supplier = scenario.failing_supplier
    failed_supplier = FailedSupplierWatch(revocation, party(supplier.eui), supplier.name)
    failed_supplier.accepted = sum(part.supplier_accepted for part in figures)
    for part in figures:
        failed_supplier.refused.update(part.supplier_refused)
    return Evidence(
        failure=failure,
        srp=srp,
        to_switch=fleet["to_switch"],
        reachable=fleet["reachable"],
        switched_at=tally.switched_at,
        alerts=alerts,
        failed_supplier=failed_supplier,
    )


def _alert_figures(figures: list[Figures], tally: Tally) -> dict[str, int]:
    """Every alert a meter raised, and where it ended: delivered to the SRP or a supplier, held
    by the DCC for an SRP Ofgem has yet to instruct, lost on the WAN, still on the WAN when the
    run ended, or not passed on by the DCC (it did not authenticate). The first figure is the sum
    of the next six; safety-critical counts the delivered ones that are."""
    return {
        "raised": tally.alerts_raised,
        "delivered_to_srp": tally.alerts_to_srp,
        "delivered_to_supplier": tally.alerts_to_supplier,
        "held": sum(part.held for part in figures),
        "lost_on_wan": sum(part.lost_alerts for part in figures),
        "in_flight": sum(part.alerts_in_flight for part in figures),
        "refused": tally.alerts_refused,
        "safety_critical": tally.alerts_safety_critical,
    }


def _metrics(figures: list[Figures], tally: Tally, failure: float, digest: str) -> dict[str, Any]:
    fleet = figures[0].fleet
    targets: Counter[str] = fleet["targets"]
    switched = tally.switched.total()
    last = max(tally.switched_at.values(), default=None)
    return {
        "meters": fleet["meters"],
        "meters_by_type": fleet["meters_by_type"],
        "failed_supplier_prepayment": {name: targets[name] for name in DEVICE_CLASSES},
        "switched": {name: tally.switched[name] for name in DEVICE_CLASSES},
        "unreachable": len(fleet["to_switch"]) - switched,
        "requests": tally.requests,
        "rejections": {
            stage: dict(sorted(codes.items())) for stage, codes in sorted(tally.rejections.items())
        },
        "quarantined": dict(sorted(tally.quarantined.items())),
        "retries": tally.retries,
        "no_response": tally.no_response,
        "wan_lost": sum(part.wan_lost for part in figures),
        "alerts": _alert_figures(figures, tally),
        "prepayment_actioned": tally.prepayment_actioned,
        "latency_seconds": percentiles(tally.latencies),
        "latencies": list(tally.latencies),
        "switched_within_hours": None if last is None else (last - failure) / 3600,
        "digest": digest,
    }
