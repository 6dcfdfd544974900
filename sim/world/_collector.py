"""Python's cyclic garbage collector, set for the heap of a running world.

A switched meter leaves about ten tracked objects behind for the rest of the run (its meter,
keys and account, the DCC's record of it), and while its switch is in flight a few dozen more
that live for seconds of simulated time and die by reference counting. With the interpreter's
thresholds (700, 10, 10) those survive the young collections, are promoted to the oldest
generation, and each full collection then traverses the whole heap, at about a microsecond an
object: 18 full collections took 4.7 CPU-s of a run switching 30,000 meters, and a worker of a
national run holds fifteen times that heap. They find nothing: a run makes almost no cyclic
garbage (15 objects in those 30,000 switches).

So while a world runs, the world as built (cast, keys, schemas, the fleet's draws) is frozen out
of every collection, young collections run every :data:`YOUNG` allocations, when most of a
switch's objects have died, and the oldest generation only after :data:`OLD` collections of the
middle one (about a hundred million allocations). Cyclic garbage is still collected while it is
young. Nothing the world decides depends on when the collector runs, so a run's log is the same.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG, MIDDLE, OLD = 50_000, 20, 100


def settle() -> None:
    """Freeze what exists now and set the thresholds above, for the rest of the process: what a
    worker process, which lives for one run, does once its world is built."""
    gc.freeze()
    gc.set_threshold(YOUNG, MIDDLE, OLD)


@contextmanager
def settled() -> Iterator[None]:
    """:func:`settle` for the block, then the thresholds as they were and nothing frozen: what a
    run in a process that lives on (a test, ``solrsim run`` with one worker) does."""
    thresholds = gc.get_threshold()
    settle()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
