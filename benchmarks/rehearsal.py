"""A whole SoLR rehearsal at several fleet sizes: meters switched to credit per wall second, and
peak memory.

Each size runs ``scenarios/solr-default.yaml`` with the fleet resized and the SRP's anomaly
detection threshold scaled with it (else the DCC quarantines the SRP once the default's 1,500
requests are used, and a large fleet would measure a stopped SRP), in a fresh process (spawned,
not forked), so the memory figure is that size's own: the child's maximum
resident set size (``getrusage`` ``ru_maxrss``), which counts libraries' memory as well as
Python's and does not slow the run down as tracemalloc would. The event log streams to a
temporary ``events.jsonl`` and is not kept in memory, as ``solrsim run`` does it.

Run with ``solrsim bench rehearsal --meters 10000 --meters 100000`` or
``python -m benchmarks.rehearsal``.
"""

from __future__ import annotations

import math
import multiprocessing
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks.measure import max_rss_mib
from sim.run_cli import DEFAULT_SCENARIO

SIZES = (10_000, 100_000)


def run(sizes: Sequence[int] = SIZES, scenario: Path = DEFAULT_SCENARIO) -> list[dict[str, float]]:
    """Rehearse at each fleet size; prints and returns one row of figures per size."""
    rows = []
    print(f"SoLR rehearsal of {scenario.name} on one core, by fleet size")
    print(
        f"{'meters':>10} {'to switch':>10} {'switched':>10} {'wall s':>9} {'switched/s':>11} "
        f"{'max RSS MiB':>12}"
    )
    for meters in sizes:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            row = pool.submit(measure, scenario, meters).result()
        print(
            f"{row['meters']:>10,.0f} {row['to_switch']:>10,.0f} {row['switched']:>10,.0f} "
            f"{row['wall_seconds']:>9.1f} {row['switched_per_second']:>11,.0f} "
            f"{row['max_rss_mib']:>12,.1f}"
        )
        rows.append(row)
    print("max RSS: the peak resident set size of the process that ran that size alone")
    return rows


def measure(scenario: Path, meters: int) -> dict[str, float]:
    """One rehearsal at ``meters``, timed from building the world to the verdicts; runs in the
    child process, so its max RSS is this run's alone."""
    from sim.runner import run_scenario
    from sim.scenario import load_scenario

    loaded = load_scenario(scenario)
    fleet = loaded.fleet.model_copy(update={"meters": meters})
    adt = math.ceil(loaded.srp.adt_count * meters / loaded.fleet.meters)
    srp = loaded.srp.model_copy(update={"adt_count": adt})
    resized = loaded.model_copy(update={"fleet": fleet, "srp": srp})
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        events = Path(folder) / "events.jsonl"
        result = run_scenario(resized, keep_events=False, events_path=events)
        wall = time.perf_counter() - start
    switched = sum(result.metrics.get("switched", {}).values())
    return {
        "meters": meters,
        "to_switch": sum(result.metrics.get("failed_supplier_prepayment", {}).values()),
        "switched": switched,
        "wall_seconds": wall,
        "switched_per_second": switched / wall,
        "max_rss_mib": max_rss_mib(),
    }


if __name__ == "__main__":
    run()
