"""A whole SoLR rehearsal at several fleet sizes: the CPU it takes per switched meter against the
cryptographic floor, meters switched to credit per wall second, and memory: peak, per meter
nobody touched, and per switched meter.

Each size runs ``scenarios/solr-default.yaml`` with the fleet resized and the SRP's anomaly
detection threshold scaled with it (else the DCC quarantines the SRP once the default's 1,500
requests are used, and a large fleet would measure a stopped SRP), in a fresh process (spawned,
not forked), so the memory figure is that size's own: the child's maximum
resident set size (``getrusage`` ``ru_maxrss``), which counts libraries' memory as well as
Python's and does not slow the run down as tracemalloc would. The event log streams to a
temporary ``events.jsonl`` and is not kept in memory, as ``solrsim run`` does it.

Memory per switched meter is what the run adds to the resident set at its peak (the maximum
RSS less the RSS just before it started), divided by the meters switched: a small rehearsal
runs first in the same child, so the libraries, schemas and caches every run loads once are
in place before, and are not counted as the meters'. Memory per untouched meter is the
population's own bytes per meter before anything is asked of it
(:mod:`sim.bench._fleet_memory`): what the rest of a national fleet costs.

CPU per switched meter is the child's process CPU time from building the world to the verdicts,
divided by the meters switched: unlike wall time, it does not count what other processes take
of the core. The floor is what the cryptography of one switch costs on the same machine, timed
in the same child (:mod:`sim.bench._crypto_floor`); the ratio says how much the rest costs.

Run with ``solrsim bench rehearsal --meters 10000 --meters 100000`` or
``python -m sim.bench.rehearsal``.
"""

from __future__ import annotations

import math
import multiprocessing
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from sim.bench._crypto_floor import measure_floor
from sim.bench._measure import current_rss_mib, max_rss_mib
from sim.scenario.shipped import DEFAULT_SCENARIO

if TYPE_CHECKING:
    from sim.scenario.model import Scenario

SIZES = (10_000, 100_000)
WARM_UP_METERS = 1_000


def run(sizes: Sequence[int] = SIZES, scenario: Path = DEFAULT_SCENARIO) -> list[dict[str, float]]:
    """Rehearse at each fleet size; prints and returns one row of figures per size."""
    rows = []
    print(f"SoLR rehearsal of {scenario.name} on one core, by fleet size")
    print(
        f"{'meters':>10} {'to switch':>10} {'switched':>10} {'CPU s':>8} {'ms/switch':>10} "
        f"{'floor ms':>9} {'ratio':>6} {'wall s':>8} {'switched/s':>11} {'max RSS MiB':>12} "
        f"{'B/untouched':>12} {'KiB/switched':>13}"
    )
    for meters in sizes:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            row = pool.submit(measure, scenario, meters).result()
        print(
            f"{row['meters']:>10,.0f} {row['to_switch']:>10,.0f} {row['switched']:>10,.0f} "
            f"{row['cpu_seconds']:>8.1f} {row['cpu_per_switch'] * 1e3:>10.2f} "
            f"{row['floor_per_switch'] * 1e3:>9.2f} {row['floor_ratio']:>6.1f} "
            f"{row['wall_seconds']:>8.1f} {row['switched_per_second']:>11,.0f} "
            f"{row['max_rss_mib']:>12,.1f} {row['untouched_bytes']:>12,.1f} "
            f"{row['switched_kib']:>13,.1f}"
        )
        rows.append(row)
    print("ms/switch: process CPU per switched meter; floor ms: the cryptography one switch needs")
    print("(ECDSA, ECDH, AES-GCM, timed here); ratio: ms/switch over floor ms")
    print("max RSS: the peak resident set size of the process that ran that size alone")
    print("B/untouched: bytes the fleet holds per meter nobody asked for; KiB/switched: what")
    print("the run added to the resident set at its peak, per meter switched")
    return rows


def measure(scenario: Path, meters: int) -> dict[str, float]:
    """One rehearsal at ``meters``, timed from building the world to the verdicts; runs in the
    child process, so its max RSS is this run's alone."""
    from sim.bench._fleet_memory import untouched_bytes_per_meter
    from sim.scenario.model import load_scenario
    from sim.world.runner import run_scenario

    loaded = load_scenario(scenario)
    resized = _resized(loaded, meters)
    untouched = untouched_bytes_per_meter(resized)
    with tempfile.TemporaryDirectory() as folder:
        events = Path(folder) / "events.jsonl"
        run_scenario(_resized(loaded, WARM_UP_METERS), keep_events=False, events_path=events)
        rss = current_rss_mib()
        start, cpu = time.perf_counter(), time.process_time()
        result = run_scenario(resized, keep_events=False, events_path=events)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = max_rss_mib()
    by_class = result.metrics.get("switched", {})
    switched = sum(by_class.values())
    floor = measure_floor().per_switch(by_class)
    cpu_per_switch = cpu / switched if switched else math.nan
    return {
        "meters": meters,
        "to_switch": sum(result.metrics.get("failed_supplier_prepayment", {}).values()),
        "switched": switched,
        "cpu_seconds": cpu,
        "cpu_per_switch": cpu_per_switch,
        "floor_per_switch": floor,
        "floor_ratio": cpu_per_switch / floor if floor else math.nan,
        "wall_seconds": wall,
        "switched_per_second": switched / wall,
        "max_rss_mib": peak,
        "untouched_bytes": untouched,
        "switched_kib": (peak - rss) * 1024 / switched if switched else math.nan,
    }


def _resized(loaded: Scenario, meters: int) -> Scenario:
    """The scenario on ``meters`` meters, the SRP's anomaly detection threshold scaled alike."""
    fleet = loaded.fleet.model_copy(update={"meters": meters})
    adt = math.ceil(loaded.srp.adt_count * meters / loaded.fleet.meters)
    srp = loaded.srp.model_copy(update={"adt_count": adt})
    return loaded.model_copy(update={"fleet": fleet, "srp": srp})


if __name__ == "__main__":
    run()
