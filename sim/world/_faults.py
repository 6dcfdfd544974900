"""The SRP and the failed supplier misbehaving on cue, so the rehearsal shows the DCC refusing
what MP134B forbids.

``malicious_prepayment``: at ``at_hours`` the SRP tries to put ``count`` of the failed supplier's
meters into prepayment, pushing on as far as the DCC lets it (R5: quarantined at ``content``,
ADAttributeLimitsBreach). ``request_before_instruction``: at ``at_hours``, before Ofgem's
instruction, it sends ``count`` credit requests (R6.2: refused at ``solr-instruction``, E4).
``failed_supplier_requests``: at ``at_hours``, after Ofgem's revocation, the failed supplier
itself sends SR 1.6 (``mode``) to ``count`` of its own meters, signed with its revoked xmlSign
key (refused at ``signature``, E1). The meters are drawn from the seed. Each request is the
meter's own event, announced to the SRP's send book as one that may be quarantined, and put on
the clock only by a worker that owns the meter (``mine``). WAN faults are the WAN's business
(:mod:`sim.world.wan`).
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random

from simpy import Event

from dcc.duis.request import Credit, Prepayment
from sim.report.wire_log import WireLog
from sim.scenario.model import (
    FailedSupplierRequests,
    MaliciousPrepayment,
    RequestBeforeInstruction,
)
from sim.world.canonical_clock import device_owner, owned_by
from sim.world.dcc_host import DccHost
from sim.world.duis_client import update_payment_mode
from sim.world.population import Population
from sim.world.srp import PREPAYMENT, Srp

Send = Callable[[bytes, Credit | Prepayment], object]


def schedule_faults(
    log: WireLog,
    population: Population,
    srp: Srp,
    host: DccHost,
    mine: Callable[[bytes], bool] = lambda device: True,
) -> None:
    """Put the scenario's SRP and failed-supplier faults on the simpy clock."""
    scenario = population.scenario
    failed_supplier = _failed_supplier_sender(population, host)
    for number, fault in enumerate(scenario.faults):
        send: Send = srp.send
        mode: Credit | Prepayment
        if isinstance(fault, MaliciousPrepayment):
            mode, candidates = PREPAYMENT, population.failed_supplier_indices()
        elif isinstance(fault, RequestBeforeInstruction):
            mode, candidates = Credit(), population.failed_supplier_indices(prepayment_only=True)
        elif isinstance(fault, FailedSupplierRequests):
            mode = Credit() if fault.mode == "credit" else PREPAYMENT
            candidates, send = population.failed_supplier_indices(), failed_supplier
        else:
            continue
        rng = Random(f"{scenario.seed}/fault/{number}")
        drawn = rng.sample(candidates, min(fault.count, len(candidates)))
        chosen = [population.device_id(index) for index in drawn]
        at = fault.at_hours * 3600
        env = log.env
        for device in filter(mine, chosen):
            with owned_by(env, device_owner(device)):
                due = env.timeout(at - env.now)
            srp.book.add(env.now + (at - env.now), device, contended=True)
            due.callbacks.append(_sending(send, device, mode))


def _sending(send: Send, device: bytes, mode: Credit | Prepayment) -> Callable[[Event], None]:
    """What happens when the fault is due: ``send`` to the device."""

    def fire(_: Event) -> None:
        send(device, mode)

    return fire


def _failed_supplier_sender(population: Population, host: DccHost) -> Send:
    """The failed supplier's system, still sending SR 1.6 as it did before it failed, under
    RequestID counters that rise per meter."""
    user_id = population.scenario.failing_supplier.eui
    party = next(p for p in population.cast.suppliers if p.user_id == user_id)
    counters: dict[bytes, int] = {}

    def send(device: bytes, mode: Credit | Prepayment) -> object:
        smets1 = population.device_class(device) == "smets1"
        counters[device] = counters.get(device, 0) + 1
        return update_payment_mode(
            party,
            device,
            mode,
            counters[device],
            smets1,
            lambda document: host.submit(document, user_id),
        )

    return send
