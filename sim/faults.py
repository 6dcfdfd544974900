"""The SRP misbehaving on cue, so the rehearsal shows the DCC refusing what MP134B forbids.

``malicious_prepayment``: at ``at_hours`` the SRP tries to put ``count`` of the failed supplier's
meters into prepayment, pushing on as far as the DCC lets it (R5: quarantined at ``content``,
ADAttributeLimitsBreach). ``request_before_instruction``: at ``at_hours``, before Ofgem's
instruction, it sends ``count`` credit requests (R6.2: refused at ``solr-instruction``, E4).
The meters are drawn from the seed. WAN faults are the WAN's business (:mod:`sim.wan`).
"""

from __future__ import annotations

from random import Random

from dcc.duis.request import Credit
from sim.population import Population
from sim.scenario import MaliciousPrepayment, RequestBeforeInstruction
from sim.srp import PREPAYMENT, Srp
from sim.wire_log import WireLog


def schedule_faults(log: WireLog, population: Population, srp: Srp) -> None:
    """Put the scenario's SRP faults on the simpy clock."""
    scenario = population.scenario
    for number, fault in enumerate(scenario.faults):
        if isinstance(fault, MaliciousPrepayment):
            mode, candidates = PREPAYMENT, population.failed_supplier_meters()
        elif isinstance(fault, RequestBeforeInstruction):
            mode, candidates = Credit(), population.failed_supplier_meters(prepayment_only=True)
        else:
            continue
        rng = Random(f"{scenario.seed}/fault/{number}")
        chosen = rng.sample(candidates, min(fault.count, len(candidates)))
        due = log.env.timeout(fault.at_hours * 3600)
        due.callbacks.append(
            lambda _, chosen=chosen, mode=mode: [srp.send(device, mode) for device in chosen]
        )
