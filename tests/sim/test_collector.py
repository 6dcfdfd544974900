"""While a world runs the garbage collector is settled for its heap (sim.world._collector): the
built world frozen, full collections rare. Cyclic garbage is still collected, the process's
collector is as it was after the run, and the run's log does not change."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from sim.scenario.model import load_scenario
from sim.world._collector import OLD, YOUNG, settled
from sim.world.coordinator import Coordinator
from sim.world.runner import Rehearsal
from sim.world.shard import Shard
from sim.world.workers import InProcess

SCENARIOS = Path(__file__).parents[2] / "scenarios"


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_settled_freezes_the_built_world_and_restores_the_collector_after() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with settled():
        assert gc.get_threshold()[0] == YOUNG and gc.get_threshold()[2] == OLD
        assert gc.get_freeze_count() > frozen
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_settled_restores_the_collector_when_the_run_fails() -> None:
    before = gc.get_threshold()
    try:
        with settled():
            raise RuntimeError("the run failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_cycle_made_while_settled_is_still_collected_without_being_asked() -> None:
    with settled():
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        assert gone() is not None  # a cycle: reference counting alone never frees it
        keep = [[] for _ in range(YOUNG * 2)]  # allocations enough for a young collection
        assert gone() is None
        del keep


def test_a_run_gives_the_same_log_whatever_the_collector_does() -> None:
    scenario = load_scenario(SCENARIOS / "solr-small.yaml")
    rehearsal = Rehearsal(scenario, keep_events=False)
    settled_digest = rehearsal.run().digest
    assert gc.get_freeze_count() == 0
    gc.disable()  # the other extreme: no collection at all while the world runs
    try:
        plain = Coordinator(scenario, InProcess(Shard(scenario))).run()
    finally:
        gc.enable()
    assert plain.digest == settled_digest
