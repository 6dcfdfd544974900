"""The simpy clock of a rehearsal, with an event order that does not depend on how the fleet is
split between workers.

simpy breaks ties between events due at the same time by the order they were scheduled in, a
counter over the whole world: split the fleet across processes and that order changes. Here
every event has an *owner*, a device or one of the world's actors (Ofgem, the SRP's walk, the
clock ticks), and ties are broken by ``(owner, the owner's own count of scheduled events)``.
An event scheduled while another is processed has that event's owner unless the code says
otherwise (:meth:`CanonicalEnvironment.owned_by`). A device's events are scheduled only by its
own events or by the actors every worker runs alike, so the order of all events, and of the
events of any subset of devices, is the same in one process as in any number of them. Actors
sort before devices at the same instant (rank 0 before rank 1). docs/scaling.md says why
this order makes a sharded run exact.

Keys and bounds are plain tuples: ``(time, priority, (owner, count))``, compared as Python
compares tuples; a *bound* is any shorter or padded tuple, e.g. ``(t, -1)`` for "everything
before time t".
"""

from __future__ import annotations

import math
from contextlib import AbstractContextManager, nullcontext
from heapq import heappush
from typing import Any

import simpy
import simpy.rt
from simpy.events import NORMAL

Owner = tuple[int, bytes]
Key = tuple[Any, ...]
ACTOR, DEVICE = 0, 1
WORLD: Owner = (ACTOR, b"world")


def device_owner(device_id: bytes) -> Owner:
    return (DEVICE, device_id)


def before(time: float) -> Key:
    """The bound below every event at ``time`` and after."""
    return (time, -1)


def after_actors(time: float) -> Key:
    """The bound after the actors' events at ``time`` and before any device's there."""
    return (time, NORMAL, ((DEVICE, b""), -1))


def device_event(time: float, device_id: bytes) -> Key:
    """Where a normal event of ``device_id`` at ``time`` sorts (below a bound iff all its
    events at that time do, for the bounds made here)."""
    return (time, NORMAL, ((DEVICE, device_id), 0))


def through_device(time: float, device_id: bytes) -> Key:
    """The bound just after every normal event of ``device_id`` at ``time``."""
    return (time, NORMAL, ((DEVICE, device_id), math.inf))


class _Canonical:
    """The ordering, mixed into simpy's environments (see the module)."""

    _queue: list[Any]
    _now: float

    def _canonical_init(self) -> None:
        self._owner: Owner = WORLD
        self._counts: dict[Owner, int] = {}
        self.active: Key = (0.0, NORMAL, (WORLD, -1))

    def schedule(self, event: simpy.Event, priority: int = NORMAL, delay: float = 0) -> None:
        owner = self._owner
        count = self._counts.get(owner, 0)
        self._counts[owner] = count + 1
        heappush(self._queue, (self._now + delay, priority, (owner, count), event))

    def step(self) -> None:
        if self._queue:
            time, priority, tag, _ = self._queue[0]
            self.active = (time, priority, tag)
            self._owner = tag[0]
        super().step()  # type: ignore[misc]

    def owned_by(self, owner: Owner) -> AbstractContextManager[None]:
        """Events scheduled inside the block belong to ``owner``."""
        return _Owned(self, owner)

    def next_key(self) -> Key | None:
        if not self._queue:
            return None
        time, priority, tag, _ = self._queue[0]
        return (time, priority, tag)

    def run_before(self, bound: Key) -> None:
        """Process every event whose key is below ``bound``; the clock then reads at least the
        bound's time. Each key is made once, both to compare and to become :attr:`active`."""
        queue = self._queue
        simpy_step = super().step  # type: ignore[misc]
        while queue:
            time, priority, tag, _ = queue[0]
            key = (time, priority, tag)
            if not key < bound:
                break
            self.active = key
            self._owner = tag[0]
            simpy_step()
        self._now = max(self._now, bound[0])


class _Owned(AbstractContextManager[None]):
    """The block of :meth:`_Canonical.owned_by`: a plain object, not a generator, as the SRP
    enters one for every request it puts on the clock."""

    __slots__ = ("_env", "_kept", "_owner")

    def __init__(self, env: _Canonical, owner: Owner) -> None:
        self._env, self._owner = env, owner
        self._kept: Owner = WORLD

    def __enter__(self) -> None:
        env = self._env
        self._kept, env._owner = env._owner, self._owner

    def __exit__(self, *exc_info: object) -> None:
        self._env._owner = self._kept


def owned_by(env: simpy.Environment, owner: Owner) -> AbstractContextManager[None]:
    """Events scheduled inside the block belong to ``owner``, on a canonical clock; on a plain
    simpy clock (``solrsim serve``'s) the block changes nothing."""
    return env.owned_by(owner) if isinstance(env, _Canonical) else nullcontext()


class CanonicalEnvironment(_Canonical, simpy.Environment):
    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self._canonical_init()


class CanonicalRealtimeEnvironment(_Canonical, simpy.rt.RealtimeEnvironment):
    """The same order on a wall clock (a run with physical meters)."""

    def __init__(self, factor: float, strict: bool) -> None:
        super().__init__(factor=factor, strict=strict)
        self._canonical_init()
