"""How the benchmarks measure: operations per second on one core, and peak Python memory."""

from __future__ import annotations

import resource
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def throughput(operation: Callable[[T], object], inputs: Sequence[T], seconds: float) -> float:
    """Operations per second over whole passes of ``inputs``, for at least ``seconds``; timed
    per pass, so the clock is not what is measured."""
    done, start = 0, time.perf_counter()
    while True:
        for item in inputs:
            operation(item)
        done += len(inputs)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def peak_memory(operation: Callable[[T], object], inputs: Sequence[T]) -> int:
    """Peak bytes Python allocated over one pass of ``inputs`` (not libxml2's or OpenSSL's)."""
    tracemalloc.start()
    try:
        for item in inputs:
            operation(item)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(
    operation: Callable[[T], object], inputs: Sequence[T], seconds: float, memory: Sequence[T]
) -> tuple[float, int]:
    """``operation`` warmed up on the first input, then its :func:`throughput` over ``inputs``
    and its :func:`peak_memory` over ``memory``."""
    operation(inputs[0])
    return throughput(operation, inputs, seconds), peak_memory(operation, memory)


def max_rss_mib() -> float:
    """The process's maximum resident set size so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    """The process's resident set size now (Linux's /proc; elsewhere the maximum so far)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return max_rss_mib()
    return pages * resource.getpagesize() / (1 << 20)
