"""Ofgem in a rehearsal: the supplier fails, its certificates are revoked and its DCC User
suspended, and the SRP is instructed to act for it.

At the failing supplier's ``fails_after_hours`` Ofgem notifies the DCC (SoLR notification); its
revocation and its instruction follow after their own delays, both counted from the failure. The
instruction is what the SRP waits for; the alerts the DCC held for the failed supplier go to the
SRP with it. In a sharded run every worker's DCC hears Ofgem, and only one worker logs what
Ofgem did; ``held`` then says how many alerts all workers together held for the supplier.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import simpy

from sim.report.events import EventKind
from sim.report.wire_log import DCC, OFGEM, WireLog, party
from sim.world.dcc_host import DccHost
from sim.world.population import Population


class Ofgem:
    def __init__(
        self,
        log: WireLog,
        population: Population,
        host: DccHost,
        instructed: simpy.Event,
        held: Callable[[bytes], int] | None = None,
    ) -> None:
        self._log = log
        self._held = held
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
        self._population.dcc.ofgem_notification(self._supplier, self._log.now)
        detail = f"SoLR notification: supplier {party(self._supplier)} has failed"
        self._log.record(EventKind.SOLR, OFGEM, DCC, "notified", b"", detail, actor=True)

    def _revoke(self) -> None:
        revocation = self._population.dcc.ofgem_revocation(self._supplier, self._log.now)
        who = party(self._supplier)
        suspended = "; its User suspended" if revocation.suspended is not None else ""
        detail = f"{len(revocation.revoked)} certificates of {who} revoked{suspended}"
        self._log.record(EventKind.SOLR, OFGEM, DCC, "revoked", b"", detail, actor=True)

    def _instruct(self) -> None:
        released = self._population.dcc.ofgem_instruction(self._supplier, self._srp, self._log.now)
        detail = f"SRP {party(self._srp)} may act for {party(self._supplier)}"
        count = len(released) if self._held is None else self._held(self._supplier)
        if count:
            detail += f"; {count} alerts held for it released to the SRP"
        self._log.record(EventKind.SOLR, OFGEM, DCC, "instructed", b"", detail, actor=True)
        why = "released on Ofgem's instruction, held since revocation"
        self._host.hand_over(released, why, self._supplier)
        self._instructed.succeed()
