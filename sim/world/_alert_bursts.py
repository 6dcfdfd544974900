"""Alert bursts: meters of the failed supplier raising alerts while the SoLR event runs (R7).

Each burst raises ``count`` alerts of one code at times drawn uniformly between its start and
end, each from a meter drawn from all the failed supplier's meters, SMETS2+ and SMETS1 alike.
The alert frames go up the WAN; where the DCC routes them (the supplier, or its SRP once its
certificates are revoked, or held for the SRP Ofgem will instruct) is logged.
"""

from __future__ import annotations

from collections.abc import Generator
from random import Random

import simpy

from sim.report.tally import Tally
from sim.report.wire_log import WireLog
from sim.scenario.model import AlertBurst
from sim.world.meter_host import MeterHost
from sim.world.population import Population


def start_alert_bursts(
    log: WireLog, population: Population, meters: MeterHost, tally: Tally
) -> None:
    scenario = population.scenario
    if not scenario.alerts:
        return
    candidates = population.failed_supplier_meters()
    if not candidates:
        return
    for number, burst in enumerate(scenario.alerts):
        rng = Random(f"{scenario.seed}/alerts/{number}")
        log.env.process(_burst(log, burst, rng, candidates, meters, tally))


def _burst(
    log: WireLog,
    burst: AlertBurst,
    rng: Random,
    candidates: list[bytes],
    meters: MeterHost,
    tally: Tally,
) -> Generator[simpy.Event, object, None]:
    start, end = burst.start_hours * 3600, burst.end_hours * 3600
    times = sorted(rng.uniform(start, end) for _ in range(burst.count))
    env = log.env
    for at in times:
        yield env.timeout(max(0.0, at - env.now))
        meters.trigger(rng.choice(candidates), burst.alert_code)
