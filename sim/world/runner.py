"""A rehearsal end to end: build the world from the scenario, run it on the simpy clock, and hand
the reports a :class:`RunResult`: the wire log, the figures and the expectations' verdicts.

The world is the population (cast, DCC, lazy fleet), the WAN between the DCC host and the meter
host, and the actors: Ofgem, the SRP, its scripted faults and the alert bursts. Nothing reads the
wall clock except to say how long the run took (``wall_seconds``, outside the digest). The DCC
runs without an audit trail: the wire log is the run's record, and a million-meter run must not
wait on SQLite.

A scenario with physical meters runs on a wall clock instead (``simpy.rt``, ``speed`` simulated
seconds per wall second), since a real meter answers in real time: the run takes
``duration_hours / speed`` hours, and the world waits, frozen, while a meter is asked (at most
the reply timeout, 2 s, when it stays silent); the clock then catches up. Without physical meters
the run is on the plain simpy clock, as fast as it computes, and replays byte for byte.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Generator
from datetime import datetime
from pathlib import Path
from typing import Any

import simpy
import simpy.rt

from sim.report.event_files import ByteSink, event_sink
from sim.report.events import RunResult
from sim.report.figures import ALERT_SERIES
from sim.report.tally import Tally, percentiles
from sim.report.wire_log import WireLog, party
from sim.scenario.expectations import AlertWatch, Evidence, FailedSupplierWatch, evaluate
from sim.scenario.model import DEVICE_CLASSES, Scenario
from sim.world._alert_bursts import start_alert_bursts
from sim.world._faults import schedule_faults
from sim.world.dcc_host import DccHost
from sim.world.key_export import export_keys
from sim.world.meter_host import MeterHost
from sim.world.ofgem import Ofgem
from sim.world.physical import WATCH_INTERVAL, PhysicalLink, close_links, open_links
from sim.world.population import Population
from sim.world.srp import Srp
from sim.world.wan import SimulatedWan

Progress = Callable[[datetime, int], None]
TICK_SECONDS = 60.0  # progress and chart points: every simulated minute
_SERIES = (*(f"switched_{name}" for name in DEVICE_CLASSES), *ALERT_SERIES)


class RehearsalError(Exception):
    """A rehearsal used in a way it cannot serve, with the reason."""


class Rehearsal:
    """One run of one scenario. Its population stays readable after the run (meter states).

    The event log is hashed as it is recorded (the run's digest); ``events_path``, if given,
    receives it while the run goes on, compressed if its name says so (``events.jsonl.gz``,
    :mod:`sim.report.event_files`), and ``keep_events=False`` keeps no
    list of events in memory (:attr:`RunResult.events` is then empty): what a large run needs.
    ``speed`` is the wall clock's scale when the scenario has physical meters (see the module).
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        keep_events: bool = True,
        events_path: Path | None = None,
        speed: float = 1.0,
    ) -> None:
        if speed <= 0:
            raise RehearsalError(f"speed must be positive, not {speed:g}")
        self.scenario = scenario
        self.speed = speed
        self.population = Population(scenario)
        self.keep_events = keep_events
        self.events_path = events_path
        self.evidence: Evidence | None = None  # what the expectations were judged on, after run
        self._ran = False

    def run(self, on_progress: Progress | None = None) -> RunResult:
        """Run the scenario to its end; ``on_progress(simulated time, meters switched so far)``
        is called every simulated minute and at the end."""
        if self._ran:
            raise RehearsalError("a rehearsal runs once: its meters have moved on; make a new one")
        self._ran = True
        links = open_links(self.scenario.physical_meters)
        self.population.connect(links)
        try:
            if self.events_path is None:
                return self._run(None, on_progress, links)
            self.events_path.parent.mkdir(parents=True, exist_ok=True)
            with event_sink(self.events_path) as sink:
                return self._run(sink, on_progress, links)
        finally:
            close_links(links)

    def _environment(self) -> simpy.Environment:
        if not self.scenario.physical_meters:
            return simpy.Environment()
        return simpy.rt.RealtimeEnvironment(factor=1 / self.speed, strict=False)

    def _run(
        self,
        sink: ByteSink | None,
        on_progress: Progress | None,
        links: dict[bytes, PhysicalLink],
    ) -> RunResult:
        wall = time.perf_counter()
        scenario, population = self.scenario, self.population
        env = self._environment()
        log = WireLog(env, scenario.start, sink=sink, keep_events=self.keep_events)
        tally = Tally()
        wan = SimulatedWan(
            log, scenario.wan, scenario.faults, scenario.seed, population.device_class
        )
        timeout = scenario.wan.response_timeout_seconds
        host = DccHost(log, population.dcc, wan, tally, timeout, scenario.srp.eui)
        meters = MeterHost(log, population.meter, wan, tally)
        wan.connect(host.from_device, meters.receive)
        srp = Srp(log, host, population, tally)
        ofgem = Ofgem(log, population, host, srp.instructed)
        alerts = AlertWatch(
            log.at(ofgem.revocation),
            log.at(ofgem.instruction),
            party(scenario.srp.eui),
            population.failed_supplier_device,
        )
        log.observe(alerts)
        failed_supplier = FailedSupplierWatch(
            log.at(ofgem.revocation),
            party(scenario.failing_supplier.eui),
            scenario.failing_supplier.name,
        )
        log.observe(failed_supplier)
        env.process(ofgem.run())
        env.process(srp.run())
        schedule_faults(log, population, srp, host)
        start_alert_bursts(log, population, meters, tally)
        if links:
            env.process(meters.watch(list(links), WATCH_INTERVAL * self.speed))
        series: dict[str, list[tuple[datetime, float]]] = {name: [] for name in _SERIES}
        env.process(_ticks(log, tally, population, series, on_progress))
        end = scenario.duration_hours * 3600
        env.run(until=end)
        _sample(log, tally, population, series, on_progress)
        log.flush()

        to_switch = population.switch_targets()
        metrics = _metrics(population, tally, wan, to_switch, ofgem.failure, log.digest)
        metrics["solr"] = _solr_figures(scenario, log, ofgem)
        if links:
            metrics["physical_meters"] = physical_figures(links, tally)
        evidence = Evidence(
            failure=ofgem.failure,
            srp=alerts.srp,
            to_switch=to_switch,
            reachable=[device for device in to_switch if not wan.ever_hit(device)],
            switched_at=tally.switched_at,
            alerts=alerts,
            failed_supplier=failed_supplier,
        )
        self.evidence = evidence
        return RunResult(
            scenario=scenario.name,
            seed=scenario.seed,
            started=scenario.start,
            ended=log.at(end),
            events=log.events,
            metrics=metrics,
            expectations=evaluate(scenario, evidence, metrics),
            series=series,
            wall_seconds=time.perf_counter() - wall,
            events_digest=log.digest,
            events_path=self.events_path,
        )

    def export_keys(self, folder: Path) -> int:
        """Every party's keys and those of every device of the run so far, in the RTDS keystore
        layout (see :mod:`sim.world.key_export`); returns the number of files written."""
        return export_keys(self.population, Path(folder))


def run_scenario(
    scenario: Scenario,
    on_progress: Progress | None = None,
    *,
    keep_events: bool = True,
    events_path: Path | None = None,
) -> RunResult:
    return Rehearsal(scenario, keep_events=keep_events, events_path=events_path).run(on_progress)


def _solr_figures(scenario: Scenario, log: WireLog, ofgem: Ofgem) -> dict[str, str]:
    """Who failed and when Ofgem acted, for the reports' words and the charts' marks."""
    supplier = scenario.failing_supplier
    return {
        "failed_supplier": supplier.name,
        "failed_supplier_id": supplier.user_id,
        "srp": scenario.srp.name,
        "failure": log.at(ofgem.failure).isoformat(),
        "revocation": log.at(ofgem.revocation).isoformat(),
        "instruction": log.at(ofgem.instruction).isoformat(),
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


def _ticks(
    log: WireLog,
    tally: Tally,
    population: Population,
    series: dict[str, list[tuple[datetime, float]]],
    on_progress: Progress | None,
) -> Generator[simpy.Event, object, None]:
    while True:
        _sample(log, tally, population, series, on_progress)
        yield log.env.timeout(TICK_SECONDS)


def _sample(
    log: WireLog,
    tally: Tally,
    population: Population,
    series: dict[str, list[tuple[datetime, float]]],
    on_progress: Progress | None,
) -> None:
    now = log.now
    for device_class in DEVICE_CLASSES:
        switched = float(tally.switched[device_class])
        series[f"switched_{device_class}"].append((now, switched))
    held = _held(population)
    for name, value in (
        ("alerts_raised", tally.alerts_raised),
        ("alerts_to_srp", tally.alerts_to_srp),
        ("alerts_to_supplier", tally.alerts_to_supplier),
        ("alerts_held", held),
    ):
        series[name].append((now, float(value)))
    if on_progress is not None:
        on_progress(now, tally.switched.total())


def _held(population: Population) -> int:
    return sum(len(queue) for queue in population.dcc.held_alerts.values())


def _alert_figures(population: Population, tally: Tally, wan: SimulatedWan) -> dict[str, int]:
    """Every alert a meter raised, and where it ended: delivered to the SRP or a supplier, held
    by the DCC for an SRP Ofgem has yet to instruct, lost on the WAN, still on the WAN when the
    run ended, or not passed on by the DCC (it did not authenticate). The first figure is the sum
    of the next six; safety-critical counts the delivered ones that are."""
    return {
        "raised": tally.alerts_raised,
        "delivered_to_srp": tally.alerts_to_srp,
        "delivered_to_supplier": tally.alerts_to_supplier,
        "held": _held(population),
        "lost_on_wan": wan.lost_alerts,
        "in_flight": wan.alerts_in_flight,
        "refused": tally.alerts_refused,
        "safety_critical": tally.alerts_safety_critical,
    }


def _metrics(
    population: Population,
    tally: Tally,
    wan: SimulatedWan,
    to_switch: list[bytes],
    failure: float,
    digest: str,
) -> dict[str, Any]:
    targets = Counter(population.device_class(device) for device in to_switch)
    switched = tally.switched.total()
    last = max(tally.switched_at.values(), default=None)
    return {
        "meters": population.size,
        "meters_by_type": population.counts_by_class(),
        "failed_supplier_prepayment": {name: targets[name] for name in DEVICE_CLASSES},
        "switched": {name: tally.switched[name] for name in DEVICE_CLASSES},
        "unreachable": len(to_switch) - switched,
        "requests": tally.requests,
        "rejections": {
            stage: dict(sorted(codes.items())) for stage, codes in sorted(tally.rejections.items())
        },
        "quarantined": dict(sorted(tally.quarantined.items())),
        "retries": tally.retries,
        "no_response": tally.no_response,
        "wan_lost": wan.lost,
        "alerts": _alert_figures(population, tally, wan),
        "prepayment_actioned": tally.prepayment_actioned,
        "latency_seconds": percentiles(tally.latencies),
        "latencies": list(tally.latencies),
        "switched_within_hours": None if last is None else (last - failure) / 3600,
        "digest": digest,
    }
