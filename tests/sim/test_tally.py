"""Nearest-rank percentiles, shared by the run report and the web load benchmark."""

from __future__ import annotations

from sim.report.tally import percentiles


def test_percentiles_take_the_nearest_rank_and_name_each_quantile() -> None:
    values = [float(n) for n in range(1000, 0, -1)]
    assert percentiles(values) == {"p50": 500.0, "p90": 900.0, "p99": 990.0, "max": 1000.0}
    assert percentiles(values, (0.999,)) == {"p99.9": 999.0}


def test_no_values_give_none_for_each_quantile() -> None:
    assert percentiles([], (0.5, 0.99)) == {"p50": None, "p99": None}
