"""A rehearsal's workers as Ray actors (the optional extra solrsim[cluster]): on a local Ray
runtime the run starts itself, or on one already running that it joins by address; the same
digest as one process. Without Ray, more than one worker runs in local processes, and asking
for a Ray cluster says what to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.model import load_scenario
from sim.world import workers as workers_module
from sim.world.runner import Rehearsal
from sim.world.workers import LocalProcesses, WorkersError, ray_installed, start_workers

SMALL = load_scenario(Path(__file__).parents[2] / "scenarios" / "solr-small.yaml")
needs_ray = pytest.mark.skipif(
    not ray_installed(), reason="ray is not installed: pip install 'solrsim[cluster]'"
)


@pytest.fixture(scope="module")
def one_process() -> str:
    return Rehearsal(SMALL, keep_events=False).run().digest


@needs_ray
def test_workers_on_a_local_ray_runtime_give_the_one_process_digest(one_process: str) -> None:
    import ray

    result = Rehearsal(SMALL, keep_events=False, workers=2, engine="ray").run()
    assert result.digest == one_process and result.passed
    assert not ray.is_initialized(), "the run shuts down the runtime it started"


@needs_ray
def test_workers_join_a_running_ray_cluster_by_address(one_process: str) -> None:
    import ray

    context = ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False)
    try:
        address = context.address_info["address"]
        result = Rehearsal(SMALL, keep_events=False, workers=3, ray_address=address).run()
        assert result.digest == one_process
        assert ray.is_initialized(), "a cluster the run joined is left running"
        with pytest.raises(WorkersError, match="3 CPUs: 4 workers"):
            Rehearsal(SMALL, keep_events=False, workers=4, ray_address=address).run()
    finally:
        ray.shutdown()


def test_without_ray_workers_are_local_processes(monkeypatch) -> None:
    monkeypatch.setattr(workers_module, "ray_installed", lambda: False)
    started = start_workers(SMALL, 2)
    try:
        assert isinstance(started, LocalProcesses) and started.count == 2
    finally:
        started.close()
    with pytest.raises(WorkersError, match=r"pip install 'solrsim\[cluster\]'"):
        start_workers(SMALL, 2, ray_address="ray://head:10001")
