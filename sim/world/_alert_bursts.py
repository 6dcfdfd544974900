"""Alert bursts: meters of the failed supplier raising alerts while the SoLR event runs (R7).

Each burst raises ``count`` alerts of one code at times drawn uniformly between its start and
end, each from a meter drawn from all the failed supplier's meters, SMETS2+ and SMETS1 alike.
The alert frames go up the WAN; where the DCC routes them (the supplier, or its SRP once its
certificates are revoked, or held for the SRP Ofgem will instruct) is logged. The times and meters
are drawn at the start, and each alert is its meter's own event, put on the clock only by a
worker that owns the meter (``mine``).
"""

from __future__ import annotations

from collections.abc import Callable
from random import Random

from simpy import Event

from sim.report.wire_log import WireLog
from sim.world.canonical_clock import device_owner, owned_by
from sim.world.meter_host import MeterHost
from sim.world.population import Population


def start_alert_bursts(
    log: WireLog,
    population: Population,
    meters: MeterHost,
    mine: Callable[[bytes], bool] = lambda device: True,
) -> None:
    scenario = population.scenario
    if not scenario.alerts:
        return
    candidates = population.failed_supplier_indices()
    if not candidates:
        return
    env = log.env
    for number, burst in enumerate(scenario.alerts):
        rng = Random(f"{scenario.seed}/alerts/{number}")
        start, end = burst.start_hours * 3600, burst.end_hours * 3600
        times = sorted(rng.uniform(start, end) for _ in range(burst.count))
        for at in times:
            device = population.device_id(rng.choice(candidates))
            if not mine(device):
                continue
            with owned_by(env, device_owner(device)):
                due = env.timeout(max(0.0, at - env.now))
            due.callbacks.append(_raising(meters, device, burst.alert_code))


def _raising(meters: MeterHost, device: bytes, alert_code: int) -> Callable[[Event], None]:
    """What happens when the alert is due: the meter raises it."""

    def fire(_: Event) -> None:
        meters.trigger(device, alert_code)

    return fire
