"""The User requests a worker will send, announced before they are due.

Only a User's request touches the DCC's state shared between devices (a User's ADT counts, the
quarantine event numbers, whether the SRP has stopped), so a sharded run must know, at the start
of each time window, which requests fall in it: a window with few enough of them runs on every
worker at once, one where their order could matter runs them in their canonical order, one
after another (docs/scaling.md). Every request is announced when it is put on the clock (a
retry is announced ``backoff_seconds`` ahead, a scripted fault from the start), and the SRP's
walk as a lazy sequence from its start. A request is ``contended`` when it may be quarantined
(the scripted faults): its window is always run in order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sim.world.canonical_clock import Key, device_event

Announced = tuple[float, bytes, bool]  # (due, device, contended)


@dataclass
class SendBook:
    _due: list[Announced] = field(default_factory=list)
    _walk: Iterator[tuple[float, bytes]] = field(default_factory=lambda: iter(()))
    _next_walk: tuple[float, bytes] | None = None

    def add(self, at: float, device_id: bytes, *, contended: bool) -> None:
        heapq.heappush(self._due, (at, device_id, contended))

    def walk(self, sends: Iterable[tuple[float, bytes]]) -> None:
        """The SRP's walk: first attempts, in time order, each time in device order."""
        self._walk = iter(sends)
        self._next_walk = next(self._walk, None)

    def due_before(self, bound: Key, *, walk: bool = True) -> list[Announced]:
        """Forget and return, in canonical order, the requests due below ``bound`` (those of the
        walk only if ``walk``, i.e. while the SRP has not stopped)."""
        taken: list[Announced] = []
        while self._due and device_event(*self._due[0][:2]) < bound:
            taken.append(heapq.heappop(self._due))
        while self._next_walk is not None and device_event(*self._next_walk) < bound:
            if walk:
                taken.append((*self._next_walk, False))
            self._next_walk = next(self._walk, None)
        taken.sort()
        return taken
