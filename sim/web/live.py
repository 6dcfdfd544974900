"""The rehearsal's world on a wall clock: the DCC, WAN, meters and Ofgem, driven in real time.

The simulation runs on a scaled clock: ``speed`` simulated seconds pass per wall second. A
background thread advances simpy to the clock's time every ``tick`` seconds; HTTP handlers
submit through :meth:`LiveSimulation.submit`. One lock guards the whole world, so the DCC is
never called from two threads at once. The SRP is played by whoever calls over HTTP; only its
ARO's ADT is submitted here, at Ofgem's instruction, since an ADT does not travel over DUIS.

With a journal (:meth:`LiveSimulation.record_to`, ``solrsim serve --state``) each request is
journalled before the DCC sees it and its answer's digest before the answer leaves, and the clock
does not pass a simulated time before the journal has it (:mod:`sim.web.journal`).

The log's events are kept in memory for the life of the server (:attr:`LiveSimulation.events`),
but a refused request only in a bounded form (:func:`kept_form`): anyone can send refused
requests, up to 1 MiB each, and they must not pile up.

The scenario's physical meters are reached over their serial links from construction until
:meth:`LiveSimulation.stop`. Asking one holds the world's lock until it answers (at most the
reply timeout when it stays silent): requests and the clock wait meanwhile, and the clock then
catches up.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

import simpy

from dcc.adt import AdtFile, AdtThreshold, sign_adt
from dcc.duis.codes import ResponseCode
from dcc.outcome import Outcome
from sim.report.events import Event, EventKind
from sim.report.tally import Tally
from sim.report.wire_log import DCC, WireLog, party
from sim.scenario.model import Scenario
from sim.web.journal import RAISED, Journal, answer_digest
from sim.web.limits import KEPT_BYTES
from sim.world.dcc_host import DccHost, Endpoint
from sim.world.duis_client import UPDATE_PAYMENT_MODE
from sim.world.meter_host import MeterHost
from sim.world.ofgem import Ofgem
from sim.world.physical import WATCH_INTERVAL, close_links, open_links
from sim.world.population import ARO_ID, Population
from sim.world.wan import SimulatedWan

T = TypeVar("T")
# How the log names the sender of a request the web layer could not read.
UNIDENTIFIED = "unidentified"
# How far ahead, in wall seconds, the clock promises the journal it may run.
PROMISE_AHEAD = 0.25


def kept_form(event: Event) -> Event:
    """``event`` as the live log keeps it: a request refused with a DUIS error code, if longer
    than :data:`KEPT_BYTES`, by its first bytes, its size and its SHA-256 (in ``detail``)."""
    refused = event.kind is EventKind.DUIS_REQUEST and event.verdict.startswith("E")
    if not refused or len(event.message) <= KEPT_BYTES:
        return event
    digest = hashlib.sha256(event.message).hexdigest()
    kept = f"first {KEPT_BYTES} of {len(event.message)} bytes kept, sha256 {digest}"
    detail = f"{event.detail}; {kept}" if event.detail else kept
    return replace(event, message=event.message[:KEPT_BYTES], detail=detail)


class LiveSimulation:
    """A scenario's world whose simulated time follows the wall clock (see the module)."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        speed: float = 1.0,
        tick: float = 0.005,
        population: Population | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.population = population or Population(scenario)
        scenario = self.population.scenario  # a population may move the start (boxed identities)
        self.speed = speed
        self._tick = tick
        self._env = simpy.Environment()
        self.log = WireLog(self._env, scenario.start, keep_events=False)
        self.events: list[Event] = []
        self.log.observe(lambda event: self.events.append(kept_form(event)))
        self.tally = Tally()
        wan = SimulatedWan(
            self.log, scenario.wan, scenario.faults, scenario.seed, self.population.device_class
        )
        self._host = DccHost(
            self.log,
            self.population.dcc,
            wan,
            self.tally,
            scenario.wan.response_timeout_seconds,
            scenario.srp.eui,
        )
        meters = MeterHost(self.log, self.population.meter, wan, self.tally)
        wan.connect(self._host.from_device, meters.receive)
        self.links = open_links(scenario.physical_meters)
        self.population.connect(self.links)
        if self.links:
            self._env.process(meters.watch(list(self.links), WATCH_INTERVAL * speed))
        instructed = self._env.event()
        self.ofgem = Ofgem(self.log, self.population, self._host, instructed)
        self._env.process(self.ofgem.run())
        self._env.process(self._aro(instructed))
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._wall_start = 0.0
        self._journal: Journal | None = None
        self._promised = 0.0

    @property
    def now(self) -> datetime:
        return self.log.now

    def connect(self, user_id: bytes, endpoint: Endpoint) -> None:
        """Where the DCC's documents for ``user_id`` go; called on the simulation's side."""
        with self._lock:
            self._host.connect(user_id, endpoint)

    def record_to(self, journal: Journal) -> None:
        """Journal every request and the clock's progress from now on."""
        with self._lock:
            self._journal = journal
            self._promised = journal.promised

    def submit(self, document: bytes, sender: bytes) -> Outcome:
        """A DUIS request from ``sender``, decided at the current simulated time."""
        with self._lock:
            if self._journal is None:
                return self._host.submit(document, sender)
            seq = self._journal.append(self._env.now, sender, document)
            try:
                outcome = self._host.submit(document, sender)
            except Exception:
                self._journal.answered(seq, RAISED)
                raise
            self._journal.answered(seq, answer_digest(outcome.response))
            return outcome

    def record_refusal(
        self, document: bytes, sender: bytes | None, code: ResponseCode, response: bytes, why: str
    ) -> None:
        """Log a request the web layer refused before the DCC saw it, and the refusal, as the
        DCC host logs its own verdicts; ``sender`` is None when the request could not be read."""
        verdict = str(code)
        who = UNIDENTIFIED if sender is None else party(sender)
        with self._lock:
            self.log.record(EventKind.DUIS_REQUEST, who, DCC, verdict, document, f"web: {why}")
            self.log.record(EventKind.DUIS_RESPONSE, DCC, who, verdict, response)

    def locked(self, action: Callable[[], T]) -> T:
        """``action`` with the world to itself: no simpy step or request runs meanwhile."""
        with self._lock:
            return action()

    def start(self) -> None:
        """Run the clock on from the current simulated time."""
        self._wall_start = time.monotonic() - self._env.now / self.speed
        self._thread = threading.Thread(target=self._run, name="solrsim-clock", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        close_links(self.links)

    def advance_to(self, seconds: float) -> None:
        """Run simpy up to ``seconds`` into the run (never backwards)."""
        with self._lock:
            if seconds <= self._env.now:
                return
            if self._journal is not None and seconds > self._promised:
                self._promised = seconds + PROMISE_AHEAD * self.speed
                self._journal.promise(self._promised)
            self._env.run(until=seconds)

    def _run(self) -> None:
        while not self._stop.wait(self._tick):
            self.advance_to((time.monotonic() - self._wall_start) * self.speed)

    def _aro(self, instructed: simpy.Event) -> Generator[simpy.Event, object, None]:
        """The SRP's ARO submits the scenario's ADT as soon as Ofgem instructs the SRP."""
        yield instructed
        srp = self.population.scenario.srp
        failed = self.population.scenario.failing_supplier.eui
        row = AdtThreshold(UPDATE_PAYMENT_MODE, srp.adt_count, failed)
        adt = sign_adt(AdtFile(srp.eui, (row,), self.now), ARO_ID, self.population.cast.officer_key)
        self.population.dcc.submit_adt(adt, self.now)
