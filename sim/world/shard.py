"""One worker's part of a rehearsal: the whole world, acting only for the meters it owns.

A worker builds the same cast, DCC, WAN and actors as every other (they are made from the
scenario and seed alone), and puts on the clock only the requests and alerts of the meters it
owns, meter ``index % workers == number``; everything else a meter does follows from those.
Ofgem, the SRP's ADT and the clock's ticks happen in every worker alike; only worker 0 logs
them. The coordinator (:mod:`sim.world.coordinator`) moves every worker through the same time
windows and hands it, at the start of each call, the state the DCC and the SRP share between
devices (:class:`Shared`); docs/scaling.md has the protocol and why it is exact.

The methods take and return plain values, so a worker may live in this process, in another
one, or on a Ray cluster (:mod:`sim.world.workers`).
"""

from __future__ import annotations

import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dcc.anomaly import CounterState
from sim.report.figures import ALERT_SERIES
from sim.report.tally import Tally
from sim.report.wire_log import Record, WireLog, party
from sim.scenario.expectations import AlertWatch, FailedSupplierWatch
from sim.scenario.model import DEVICE_CLASSES, Scenario
from sim.world._alert_bursts import start_alert_bursts
from sim.world._faults import schedule_faults
from sim.world.canonical_clock import (
    ACTOR,
    CanonicalEnvironment,
    CanonicalRealtimeEnvironment,
    Key,
    device_event,
)
from sim.world.dcc_host import DccHost
from sim.world.duis_client import UPDATE_PAYMENT_MODE
from sim.world.meter_host import MeterHost
from sim.world.ofgem import Ofgem
from sim.world.physical import WATCH_INTERVAL, PhysicalLink
from sim.world.population import Population
from sim.world.send_book import Announced
from sim.world.srp import Srp
from sim.world.wan import SimulatedWan

TICK_SECONDS = 60.0  # progress and chart points: every simulated minute
SERIES = (*(f"switched_{name}" for name in DEVICE_CLASSES), *ALERT_SERIES)
Sample = tuple[float, tuple[float, ...]]  # seconds into the run, one value per SERIES name


@dataclass(frozen=True)
class Shared:
    """The state the DCC and the SRP share between devices: each User's ADT counters, the last
    quarantine event reference, and whether the SRP has stopped (its ADT used up)."""

    counters: tuple[CounterState, ...] = ()
    last_event_ref: int = 0
    stopped: bool = False


@dataclass(frozen=True)
class Opening:
    """A window as a worker sees it at its start: the requests due in it, in canonical order,
    and how many more the SRP's ADT lets the DCC action now."""

    sends: list[Announced]
    remaining: int


@dataclass(frozen=True)
class Advanced:
    """What a worker did in a stretch of time: its log lines, the shared state after, the alerts
    it holds (per supplier) and its tally's samples at the ticks it passed."""

    records: list[Record]
    shared: Shared
    held: dict[bytes, int]
    samples: list[Sample]


@dataclass
class Figures:
    """A worker's figures at the end, summed by the coordinator; ``fleet`` (worker 0 only) has
    those about the whole fleet."""

    tally: Tally
    wan_lost: int
    lost_alerts: int
    alerts_in_flight: int
    held: int
    arrived: int
    to_srp: int
    alerts_held: int
    supplier_accepted: int
    supplier_refused: Counter[str]
    appeared: list[bytes]
    cpu_seconds: float  # the worker's process CPU time since it was made
    max_rss_mib: float  # its process's peak resident set size
    fleet: dict[str, Any] = field(default_factory=dict)


def owner_of(population: Population, device_id: bytes, workers: int) -> int:
    """The worker that owns the meter: its index modulo the number of workers."""
    index = population.index(device_id)
    return 0 if index is None else index % workers


class Shard:
    def __init__(
        self,
        scenario: Scenario,
        number: int = 0,
        workers: int = 1,
        *,
        keep_events: bool = False,
        speed: float = 1.0,
        links: dict[bytes, PhysicalLink] | None = None,
        population: Population | None = None,
    ) -> None:
        if not 0 <= number < workers:
            raise ValueError(f"worker {number} of {workers}")
        self._cpu = time.process_time()
        self.number, self.workers = number, workers
        self.scenario = scenario
        self.population = population or Population(scenario)
        links = links or {}
        self.population.connect(links)
        self.env: CanonicalEnvironment | CanonicalRealtimeEnvironment = (
            CanonicalRealtimeEnvironment(1 / speed, strict=False)
            if scenario.physical_meters
            else CanonicalEnvironment()
        )
        env = self.env
        self.log = WireLog(
            env, scenario.start, keep_events=keep_events, keyed=True, logs_actors=number == 0
        )
        self.tally = Tally()
        population = self.population
        self.wan = SimulatedWan(
            self.log, scenario.wan, scenario.faults, scenario.seed, population.device_class
        )
        timeout = scenario.wan.response_timeout_seconds
        self.host = DccHost(
            self.log, population.dcc, self.wan, self.tally, timeout, scenario.srp.eui
        )
        self.meters = MeterHost(self.log, population.meter, self.wan, self.tally)
        self.wan.connect(self.host.from_device, self.meters.receive)
        self.srp = Srp(self.log, self.host, population, self.tally, mine=self.mine)
        self._held_totals: dict[bytes, int] = {}
        self.ofgem = Ofgem(
            self.log, population, self.host, self.srp.instructed, self._held_totals.get
        )
        self.alerts = AlertWatch(
            self.log.at(self.ofgem.revocation),
            self.log.at(self.ofgem.instruction),
            party(scenario.srp.eui),
            population.failed_supplier_device,
        )
        self.log.observe(self.alerts, AlertWatch.KINDS)
        failing = scenario.failing_supplier
        self.failed_supplier = FailedSupplierWatch(
            self.log.at(self.ofgem.revocation), party(failing.eui), failing.name
        )
        self.log.observe(self.failed_supplier, FailedSupplierWatch.KINDS)
        with env.owned_by((ACTOR, b"ofgem")):
            env.process(self.ofgem.run())
        with env.owned_by((ACTOR, b"srp")):
            env.process(self.srp.run())
        schedule_faults(self.log, population, self.srp, self.host, self.mine)
        start_alert_bursts(self.log, population, self.meters, self.mine)
        if links:
            with env.owned_by((ACTOR, b"physical")):
                env.process(self.meters.watch(list(links), WATCH_INTERVAL * speed))
        self.samples: list[Sample] = []
        self._reported = 0
        with env.owned_by((ACTOR, b"ticks")):
            env.process(self._ticks())
        self._announced: list[Announced] = []
        self._srp_key = (scenario.srp.eui, UPDATE_PAYMENT_MODE, scenario.failing_supplier.eui)

    def mine(self, device_id: bytes) -> bool:
        return owner_of(self.population, device_id, self.workers) == self.number

    # --- the coordinator's calls ---------------------------------------------------------------

    def open(self, start: Key, horizon: Key, shared: Shared) -> Opening:
        """The requests due from ``start`` to below ``horizon``, and the SRP's ADT room now."""
        self._adopt(shared)
        kept = [send for send in self._announced if device_event(*send[:2]) >= start]
        fresh = self.srp.book.due_before(horizon, walk=not self.srp.stopped)
        self._announced = sorted(kept + fresh)
        due = [send for send in self._announced if device_event(*send[:2]) < horizon]
        now = self.log.at(max(self.env.now, start[0]))
        remaining = self.population.dcc.services.anomaly.remaining(*self._srp_key, now)
        return Opening(due, remaining)

    def advance(self, bound: Key, shared: Shared, held: dict[bytes, int]) -> Advanced:
        """Run every event below ``bound``, from ``shared``; ``held`` is how many alerts all
        workers hold for each supplier (what Ofgem's instruction reports)."""
        self._adopt(shared)
        self._held_totals.clear()
        self._held_totals.update(held)
        self.env.run_before(bound)
        counters, last_event_ref = self.population.dcc.services.anomaly.counts()
        samples = self.samples[self._reported :]
        self._reported = len(self.samples)
        return Advanced(
            self.log.take(),
            Shared(counters, last_event_ref, self.srp.stopped),
            self.held(),
            samples,
        )

    def finish(self) -> tuple[Figures, list[Record], list[Sample]]:
        """The worker's figures, and its last lines and samples (one at the run's end)."""
        self._sample()
        tally, wan = self.tally, self.wan
        figures = Figures(
            tally=tally,
            wan_lost=wan.lost,
            lost_alerts=wan.lost_alerts,
            alerts_in_flight=wan.alerts_in_flight,
            held=sum(self.held().values()),
            arrived=self.alerts.arrived,
            to_srp=self.alerts.to_srp,
            alerts_held=self.alerts.held,
            supplier_accepted=self.failed_supplier.accepted,
            supplier_refused=self.failed_supplier.refused,
            appeared=self.population.appeared(),
            cpu_seconds=time.process_time() - self._cpu,
            max_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            fleet=self._fleet() if self.number == 0 else {},
        )
        samples = self.samples[self._reported :]
        self._reported = len(self.samples)
        return figures, self.log.take(), samples

    # --- inside ---------------------------------------------------------------------------------

    def held(self) -> dict[bytes, int]:
        return {
            supplier: len(queue)
            for supplier, queue in self.population.dcc.held_alerts.items()
            if queue
        }

    def _adopt(self, shared: Shared) -> None:
        anomaly = self.population.dcc.services.anomaly
        anomaly.adopt_counts(shared.counters, shared.last_event_ref)
        self.srp.stopped = shared.stopped

    def _fleet(self) -> dict[str, Any]:
        population = self.population
        to_switch = population.switch_targets()
        return {
            "meters": population.size,
            "meters_by_type": population.counts_by_class(),
            "targets": Counter(population.device_class(device) for device in to_switch),
            "to_switch": to_switch,
            "reachable": [device for device in to_switch if not self.wan.ever_hit(device)],
        }

    def _ticks(self) -> Any:
        while True:
            self._sample()
            yield self.env.timeout(TICK_SECONDS)

    def _sample(self) -> None:
        tally = self.tally
        values = (
            *(float(tally.switched[name]) for name in DEVICE_CLASSES),
            float(tally.alerts_raised),
            float(tally.alerts_to_srp),
            float(tally.alerts_to_supplier),
            float(sum(self.held().values())),
        )
        self.samples.append((self.env.now, values))
