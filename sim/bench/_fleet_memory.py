"""What a meter nobody touches costs: the bytes a rehearsal's population holds per meter of its
fleet before any meter is asked for (its type, supplier and payment mode drawn into byte
arrays; no object, no key).

Measured with tracemalloc as the difference between the population of the fleet and that of a
one-meter fleet of the same scenario, divided by the meters between them: the cast (a few dozen
keys and certificates) is in both and cancels out, and so does what the first population of a
process makes once (it is made before either is measured).
"""

from __future__ import annotations

import tracemalloc

from sim.scenario.model import Scenario
from sim.world.population import Population


def untouched_bytes_per_meter(scenario: Scenario) -> float:
    """Bytes of Python memory per meter of ``scenario``'s fleet, none of them touched."""
    meters = scenario.fleet.meters
    if meters < 2:
        raise ValueError("a fleet of at least two meters is needed to tell a meter's cost")
    one = scenario.model_copy(update={"fleet": scenario.fleet.model_copy(update={"meters": 1})})
    Population(one)  # what the first population makes once per process is not a meter's
    return (_held(scenario) - _held(one)) / (meters - 1)


def _held(scenario: Scenario) -> int:
    tracemalloc.start()
    try:
        population = Population(scenario)
        held = tracemalloc.get_traced_memory()[0]
        del population
        return held
    finally:
        tracemalloc.stop()
