"""The SRP and the failed supplier misbehaving on cue, so the rehearsal shows the DCC refusing
what MP134B forbids.

``malicious_prepayment``: at ``at_hours`` the SRP tries to put ``count`` of the failed supplier's
meters into prepayment, pushing on as far as the DCC lets it (R5: quarantined at ``content``,
ADAttributeLimitsBreach). ``request_before_instruction``: at ``at_hours``, before Ofgem's
instruction, it sends ``count`` credit requests (R6.2: refused at ``solr-instruction``, E4).
``failed_supplier_requests``: at ``at_hours``, after Ofgem's revocation, the failed supplier
itself sends SR 1.6 (``mode``) to ``count`` of its own meters, signed with its revoked xmlSign
key (refused at ``signature``, E1). The meters are drawn from the seed. WAN faults are the WAN's
business (:mod:`sim.world.wan`).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from random import Random

from simpy import Event

from dcc.duis.request import Credit, Prepayment
from sim.report.wire_log import WireLog
from sim.scenario.model import (
    FailedSupplierRequests,
    MaliciousPrepayment,
    RequestBeforeInstruction,
)
from sim.world.dcc_host import DccHost
from sim.world.duis_client import update_payment_mode
from sim.world.population import Population
from sim.world.srp import PREPAYMENT, Srp

Send = Callable[[bytes, Credit | Prepayment], object]


def schedule_faults(log: WireLog, population: Population, srp: Srp, host: DccHost) -> None:
    """Put the scenario's SRP and failed-supplier faults on the simpy clock."""
    scenario = population.scenario
    failed_supplier = _failed_supplier_sender(population, host)
    for number, fault in enumerate(scenario.faults):
        send: Send = srp.send
        mode: Credit | Prepayment
        if isinstance(fault, MaliciousPrepayment):
            mode, candidates = PREPAYMENT, population.failed_supplier_meters()
        elif isinstance(fault, RequestBeforeInstruction):
            mode, candidates = Credit(), population.failed_supplier_meters(prepayment_only=True)
        elif isinstance(fault, FailedSupplierRequests):
            mode = Credit() if fault.mode == "credit" else PREPAYMENT
            candidates, send = population.failed_supplier_meters(), failed_supplier
        else:
            continue
        rng = Random(f"{scenario.seed}/fault/{number}")
        chosen = rng.sample(candidates, min(fault.count, len(candidates)))
        due = log.env.timeout(fault.at_hours * 3600)
        due.callbacks.append(_sending(send, chosen, mode))


def _sending(
    send: Send, devices: list[bytes], mode: Credit | Prepayment
) -> Callable[[Event], None]:
    """What happens when the fault is due: ``send`` to each device."""

    def fire(_: Event) -> None:
        for device in devices:
            send(device, mode)

    return fire


def _failed_supplier_sender(population: Population, host: DccHost) -> Send:
    """The failed supplier's system, still sending SR 1.6 as it did before it failed, under
    RequestID counters that rise over the run."""
    user_id = population.scenario.failing_supplier.eui
    party = next(p for p in population.cast.suppliers if p.user_id == user_id)
    counters = count(1)

    def send(device: bytes, mode: Credit | Prepayment) -> object:
        smets1 = population.device_class(device) == "smets1"
        return update_payment_mode(
            party,
            device,
            mode,
            next(counters),
            smets1,
            lambda document: host.submit(document, user_id),
        )

    return send
