"""Ofgem in a rehearsal: the supplier fails, its certificates are revoked and its DCC User
suspended, and the SRP is instructed to act for it.

At the failing supplier's ``fails_after_hours`` Ofgem notifies the DCC (SoLR notification); its
revocation and its instruction follow after their own delays, both counted from the failure. The
instruction is what the SRP waits for; the alerts the DCC held for the failed supplier go to the
SRP with it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import simpy

from dcc.dcc import Dcc
from sim.report.events import EventKind
from sim.report.wire_log import DCC, OFGEM, WireLog, party
from sim.world.dcc_host import DccHost
from sim.world.population import Population


class Ofgem:
    def __init__(
        self, log: WireLog, population: Population, host: DccHost, instructed: simpy.Event
    ) -> None:
        self._log = log
        self._population = population
        self._host = host
        self._instructed = instructed
        scenario = population.scenario
        self._supplier = scenario.failing_supplier.eui
        self._srp = scenario.srp.eui
        failure = scenario.failure_hours * 3600
        self.failure = failure
        self.revocation = failure + scenario.ofgem.revocation_delay_minutes * 60
        self.instruction = failure + scenario.ofgem.instruction_delay_minutes * 60

    def run(self) -> Generator[simpy.Event, object, None]:
        """The simpy process: each step at its time, in this order when two coincide."""
        steps: list[tuple[float, Callable[[], None]]] = [
            (self.failure, self._notify),
            (self.revocation, self._revoke),
            (self.instruction, self._instruct),
        ]
        env = self._log.env
        for at, step in sorted(steps, key=lambda pair: pair[0]):
            yield env.timeout(max(0.0, at - env.now))
            step()

    def _notify(self) -> None:
        notify(self._log, self._population.dcc, self._supplier)

    def _revoke(self) -> None:
        revoke(self._log, self._population.dcc, self._supplier)

    def _instruct(self) -> None:
        instruct(self._log, self._population.dcc, self._host, self._supplier, self._srp)
        self._instructed.succeed()


def notify(log: WireLog, dcc: Dcc, supplier: bytes) -> None:
    """Ofgem's SoLR notification to the DCC, logged."""
    dcc.ofgem_notification(supplier, log.now)
    detail = f"SoLR notification: supplier {party(supplier)} has failed"
    log.record(EventKind.SOLR, OFGEM, DCC, "notified", b"", detail)


def revoke(log: WireLog, dcc: Dcc, supplier: bytes) -> None:
    """Ofgem's revocation: every certificate of the supplier revoked, its User suspended."""
    revocation = dcc.ofgem_revocation(supplier, log.now)
    suspended = "; its User suspended" if revocation.suspended is not None else ""
    detail = f"{len(revocation.revoked)} certificates of {party(supplier)} revoked{suspended}"
    log.record(EventKind.SOLR, OFGEM, DCC, "revoked", b"", detail)


def instruct(log: WireLog, dcc: Dcc, host: DccHost, supplier: bytes, srp: bytes) -> None:
    """Ofgem's instruction naming the SRP for the supplier; the alerts the DCC held for it go
    to the SRP. The DCC may refuse it (:class:`dcc.solr_register.RegisterError`)."""
    released = dcc.ofgem_instruction(supplier, srp, log.now)
    detail = f"SRP {party(srp)} may act for {party(supplier)}"
    if released:
        detail += f"; {len(released)} alerts held for it released to the SRP"
    log.record(EventKind.SOLR, OFGEM, DCC, "instructed", b"", detail)
    host.hand_over(released, "released on Ofgem's instruction, held since revocation")
