"""A rehearsal split between workers gives what one process gives: the same digest, verdicts and
figures, for 1, 2 and 3 workers, on small scenarios with WAN faults and retries, quarantines
(ADA and ADT, after which the SRP stops), alerts held until Ofgem's instruction and alert
bursts. The workers here are local processes; the Ray path is tested in test_ray_workers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dcc.anomaly import CounterState
from sim.report.events import RunResult
from sim.scenario.model import (
    AlertBurst,
    HubsOffline,
    MaliciousPrepayment,
    Scenario,
    WanOutage,
    load_scenario,
)
from sim.world.coordinator import ShardingError, _merge_shared
from sim.world.runner import Rehearsal, RehearsalError
from sim.world.shard import Shared

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def _small(**changes: Any) -> Scenario:
    return load_scenario(SCENARIOS / "solr-small.yaml").model_copy(update=changes)


def _quarantines() -> Scenario:
    """solr-small with an ADT too small for the walk (the DCC quarantines the SRP's request past
    it, and the SRP stops), a malicious prepayment burst, WAN faults making retries, no SRP
    arranged in advance (alerts held from revocation to instruction) and alert bursts then."""
    base = _small()
    srp = base.srp.model_copy(update={"adt_count": 36, "backoff_seconds": 90})
    failing = base.suppliers[0].model_copy(update={"srp": None})
    wan = base.wan.model_copy(update={"loss": 0.05})
    return base.model_copy(
        update={
            "srp": srp,
            "suppliers": [failing, *base.suppliers[1:]],
            "wan": wan,
            "faults": [
                WanOutage(kind="wan_outage", start_hours=0.7, duration_hours=0.3, share=0.2),
                HubsOffline(kind="hubs_offline", start_hours=0.5, duration_hours=1, share=0.1),
                MaliciousPrepayment(kind="malicious_prepayment", at_hours=0.75, count=2),
            ],
            "alerts": [
                AlertBurst(code="8F1F", count=6, start_hours=0.55, end_hours=0.75),
                AlertBurst(code="8F3F", count=4, start_hours=0.75, end_hours=3),
            ],
        }
    )


def _faults() -> Scenario:
    """solr-faults on 800 meters over 8 hours: every fault kind it scripts."""
    base = load_scenario(SCENARIOS / "solr-faults.yaml")
    fleet = base.fleet.model_copy(update={"meters": 800})
    return base.model_copy(update={"fleet": fleet, "duration_hours": 8})


def _run(scenario: Scenario, workers: int) -> tuple[RunResult, Rehearsal]:
    engine = None if workers == 1 else "processes"
    rehearsal = Rehearsal(scenario, workers=workers, engine=engine)
    return rehearsal.run(), rehearsal


def _same(one: RunResult, other: RunResult) -> None:
    assert other.digest == one.digest
    assert other.events == one.events
    assert other.metrics == one.metrics
    assert other.expectations == one.expectations
    assert other.series == one.series


@pytest.mark.parametrize(
    "make", [_small, _quarantines, _faults], ids=["small", "quarantines", "faults"]
)
def test_any_number_of_workers_gives_the_one_process_run(make) -> None:
    scenario = make()
    one, rehearsal = _run(scenario, 1)
    assert one.events and rehearsal.merged.windows > 1
    for workers in (2, 3):
        other, _ = _run(scenario, workers)
        _same(one, other)


def test_the_quarantine_scenario_does_quarantine_stop_hold_and_retry() -> None:
    """The scenario above exercises what it says: else the equality proves little."""
    result, rehearsal = _run(_quarantines(), 1)
    metrics = result.metrics
    assert metrics["quarantined"].get("ADUserThresholdBreach", 0) >= 1
    assert metrics["quarantined"].get("ADAttributeLimitsBreach", 0) == 2
    assert metrics["retries"] > 0 and metrics["wan_lost"] > 0
    switched = sum(metrics["switched"].values())
    assert 0 < switched < sum(metrics["failed_supplier_prepayment"].values())
    held = [e for e in result.events if e.kind == "alert-held"]
    released = [e for e in result.events if "released on Ofgem's instruction" in e.detail]
    assert held and len(released) == len(held)
    assert rehearsal.merged.ordered_windows > 0


def test_a_window_run_at_once_must_not_quarantine_nor_action_what_it_did_not_announce() -> None:
    base = Shared((), 3, False)
    with pytest.raises(ShardingError):
        _merge_shared(base, [Shared((), 3, False), Shared((), 4, False)], 5)
    with pytest.raises(ShardingError):
        _merge_shared(base, [Shared((), 3, True)], 5)
    period = datetime(2026, 11, 2, tzinfo=UTC)
    counted = [Shared((CounterState(b"u" * 8, "1.6", b"s" * 8, period, n),), 3) for n in (2, 2)]
    merged = _merge_shared(base, counted, 4)
    assert [counter.count for counter in merged.counters] == [4]
    with pytest.raises(ShardingError, match="4 requests actioned in a window that announced 3"):
        _merge_shared(base, counted, 3)


def test_workers_must_be_a_positive_number() -> None:
    with pytest.raises(RehearsalError):
        Rehearsal(_small(), workers=0)
    with pytest.raises(RehearsalError):
        Rehearsal(_small(), workers=2, engine="threads")
