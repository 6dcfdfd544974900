"""The Shared Resource Provider: waits for Ofgem's instruction, has its ARO submit the ADT, then
switches the failed supplier's prepayment meters to credit.

It walks the meters in batches of ``batch_size`` spaced so that first attempts go out at
``rate_per_second`` on average. A SMETS2+ meter takes a transform (CV 4), the pre-command signed
with the failed supplier's DS key (which the SRP holds, MP134B 2.1.2) and the signed send (CV 5);
a SMETS1 meter one SR 1.6 (CV 1) that the DCC countersigns. A meter counts as switched when the
device's I0 response reaches the SRP. E20/E21 (device unreachable, no response) are retried
``backoff_seconds`` after the answer, each attempt under a new RequestID counter, up to
``max_attempts`` in all; any other refusal ends that meter's walk. A quarantine for
ADUserThresholdBreach means the ADT is used up: the SRP stops sending, as a real one would stop
and ask its officer for a new ADT.

No simpy process per meter: one process paces the batches and puts each meter's attempt on the
clock as the meter's own event, and each meter's retries and answers are callbacks. RequestID
counters rise per meter (the DCC counts replays per User and device), so what the SRP sends a
meter depends on that meter's history alone. Every request the SRP will send is announced in
advance to ``book`` (a retry ``backoff_seconds`` ahead, the walk from its start), and only to a
worker that owns the meter (``mine``): what a sharded run needs to order the requests that touch
the DCC's shared state (docs/scaling.md).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass

import simpy

from dcc.adt import AdtFile, AdtThreshold, sign_adt
from dcc.anomaly import AdtRefused
from dcc.duis.alerts import BreachKind, DCCAlertMessage, QuarantinedRequest
from dcc.duis.codes import ResponseCode
from dcc.duis.request import Credit, Prepayment
from dcc.duis.response import Response
from dcc.outcome import Outcome, UserDelivery
from sim.report.events import EventKind
from sim.report.tally import Tally
from sim.report.wire_log import DCC, WireLog, party
from sim.world.canonical_clock import device_owner, owned_by
from sim.world.dcc_host import DccHost
from sim.world.duis_client import UPDATE_PAYMENT_MODE, update_payment_mode
from sim.world.population import ARO_ID, Population
from sim.world.send_book import SendBook

RETRIED = frozenset({ResponseCode.E20, ResponseCode.E21})
# What a compromised SRP asks for: prepayment, disablement threshold 0 (R5 forbids it).
PREPAYMENT = Prepayment(
    suspend_debt_disabled=False, suspend_debt_emergency=False, disablement_threshold=0
)


@dataclass(frozen=True, slots=True)
class Attempt:
    device_id: bytes
    number: int


class Srp:
    def __init__(
        self,
        log: WireLog,
        host: DccHost,
        population: Population,
        tally: Tally,
        book: SendBook | None = None,
        mine: Callable[[bytes], bool] = lambda device: True,
    ) -> None:
        self._log = log
        self.book = book if book is not None else SendBook()
        self._mine = mine
        self._env: simpy.Environment = log.env
        self._host = host
        self._population = population
        self._tally = tally
        self._model = population.scenario.srp
        self._party = population.cast.srp
        self._failed = population.scenario.failing_supplier.eui
        self._counters: dict[bytes, int] = {}  # device -> the last RequestID counter used
        self._in_flight: dict[tuple[bytes, int], Attempt] = {}  # (device, counter) -> attempt
        self._first_sent: dict[bytes, float] = {}
        self.stopped = False
        self.instructed = self._env.event()
        host.connect(self._party.user_id, self._receive)

    # --- the walk -------------------------------------------------------------------------------

    def run(self) -> Generator[simpy.Event, object, None]:
        """The simpy process: instruction, start delay, ADT, then the meters in batches."""
        self._log_threshold("default", "the SolrContingency default (R6.1): nothing is actioned")
        yield self.instructed
        yield self._env.timeout(self._model.start_delay_minutes * 60)
        self._submit_adt()
        start = self._env.now
        devices = self._population.switch_targets()
        self.book.walk((at, device) for at, batch in self._walk(start, devices) for device in batch)
        pause = self._model.batch_size / self._model.rate_per_second
        for _, batch in self._walk(start, devices):
            if self.stopped:
                return
            for device_id in batch:
                self._schedule(0.0, Attempt(device_id, 1))
            yield self._env.timeout(pause)

    def _walk(self, start: float, devices: list[bytes]) -> Iterator[tuple[float, list[bytes]]]:
        """The batches of the walk through ``devices`` with their times, this worker's meters of
        each."""
        batch = self._model.batch_size
        pause = batch / self._model.rate_per_second
        at = start
        for first in range(0, len(devices), batch):
            yield at, [device for device in devices[first : first + batch] if self._mine(device)]
            at = at + pause

    def _schedule(self, delay: float, attempt: Attempt) -> None:
        """The attempt as the meter's own event, ``delay`` from now."""
        with owned_by(self._env, device_owner(attempt.device_id)):
            due = self._env.timeout(delay)
        due.callbacks.append(lambda _: self._attempt(attempt))

    def _submit_adt(self) -> None:
        now = self._log.now
        row = AdtThreshold(UPDATE_PAYMENT_MODE, self._model.adt_count, self._failed)
        officer_key = self._population.cast.officer_key
        adt = sign_adt(AdtFile(self._party.user_id, (row,), now), ARO_ID, officer_key)
        try:
            self._population.dcc.submit_adt(adt, now)
            verdict, detail = "accepted", f"ADT by {ARO_ID}: {adt.content.decode()}"
        except AdtRefused as refusal:
            verdict, detail = "refused", f"ADT by {ARO_ID}: {refusal}"
        self._log.record(
            EventKind.SOLR, party(self._party.user_id), DCC, verdict, b"", detail, actor=True
        )
        self._log_threshold("in-force", f"after the ADT by {ARO_ID} was {verdict}")

    def _log_threshold(self, verdict: str, why: str) -> None:
        """The DCC's anomaly detection threshold for the SRP's SR 1.6 on the failed supplier's
        meters, as it stands now: the log shows it move from 0 to the officer's value."""
        now = self._log.now
        anomaly = self._population.dcc.services.anomaly
        threshold = anomaly.threshold(self._party.user_id, UPDATE_PAYMENT_MODE, self._failed, now)
        detail = (
            f"ADT for SRV {UPDATE_PAYMENT_MODE} on {party(self._failed)}'s meters: "
            f"{threshold}, {why}"
        )
        self._log.record(
            EventKind.SOLR, DCC, party(self._party.user_id), verdict, b"", detail, actor=True
        )

    def _attempt(self, attempt: Attempt) -> None:
        if self.stopped:
            return
        if attempt.number > 1:
            self._tally.retries += 1
        self._first_sent.setdefault(attempt.device_id, self._env.now)
        counter, outcome = self.send(attempt.device_id, Credit())
        if outcome.accepted:
            self._in_flight[attempt.device_id, counter] = attempt

    # --- sending --------------------------------------------------------------------------------

    def send(self, device_id: bytes, mode: Credit | Prepayment) -> tuple[int, Outcome]:
        """One SR 1.6 for the device, under the device's next RequestID counter, whatever the
        mode: the faults use this to send what a well-behaved SRP would not. Returns the counter
        and the DCC's last synchronous answer."""
        counter = self._counters[device_id] = self._counters.get(device_id, 0) + 1
        smets1 = self._population.device_class(device_id) == "smets1"
        user = self._party.user_id
        outcome = update_payment_mode(
            self._party,
            device_id,
            mode,
            counter,
            smets1,
            lambda document: self._host.submit(document, user),
        )
        return counter, outcome

    # --- what comes back ------------------------------------------------------------------------

    def _receive(self, delivery: UserDelivery, response: Response) -> None:
        body = response.body
        if isinstance(body, DCCAlertMessage):
            alert = body.dcc_alert
            if isinstance(alert, QuarantinedRequest) and alert.kind is BreachKind.USER_THRESHOLD:
                self.stopped = True
            return
        if delivery.kind != "response":
            return
        header = response.header
        request_id = header.request_id
        if request_id is None and header.response_id is not None:
            request_id = header.response_id.request_id
        attempt = (
            None
            if request_id is None
            else self._in_flight.pop((request_id.target, request_id.counter), None)
        )
        if attempt is None:
            return
        code = header.response_code
        if code is ResponseCode.I0:
            self._switched(attempt.device_id)
        elif code in RETRIED and attempt.number < self._model.max_attempts:
            backoff = self._model.backoff_seconds
            self.book.add(self._env.now + backoff, attempt.device_id, contended=False)
            self._schedule(backoff, Attempt(attempt.device_id, attempt.number + 1))

    def _switched(self, device_id: bytes) -> None:
        if device_id in self._tally.switched_at:
            return
        now = self._env.now
        self._tally.switch(
            device_id,
            self._population.device_class(device_id),
            now,
            now - self._first_sent[device_id],
        )
