"""The rehearsal's clock and its wire log: every crossing of a boundary, stamped in simulated time.

simpy counts seconds from the run's start; people and DUIS read UTC. The clock turns one into the
other, to the millisecond, so a run's times (and hence its digest) never depend on float noise
or on the wall clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

import simpy

from dcc.duis.ids import format_eui64
from sim.report.event_files import ByteSink
from sim.report.events import Event, EventKind, line

DCC = "DCC"
OFGEM = "Ofgem"


def party(eui64: bytes) -> str:
    """How the log names a User or a device: its EUI-64 in DUIS text."""
    return format_eui64(eui64)


Observer = Callable[[Event], None]
# A record as a worker hands it on: its place in the canonical order, its line, and the event
# itself when events are kept (see WireLog.keyed).
Record = tuple[tuple[Any, ...], bytes, Event | None]
BATCH_BYTES = 1 << 16  # lines are hashed and written together once they reach this size


class WireLog:
    """The simulated clock (``now``) and the event log, streamed as it is recorded.

    Each event goes, as it happens, to every observer (see :meth:`observe`) and to
    :attr:`events` only when ``keep_events``: a million-meter run logs millions of events and
    need not hold them. Its canonical JSON line (the bytes :func:`~sim.report.events.digest`
    hashes, so :attr:`digest` equals ``digest(events)``) goes into a running SHA-256 and to
    ``sink`` if given (a binary file that receives ``events.jsonl``) in batches of about
    :data:`BATCH_BYTES`: one hash update and one write per batch, and never more than one
    batch held. :meth:`flush` passes on a partial batch; reading :attr:`digest` does too.

    ``keyed`` is the log of one worker of a sharded run (:mod:`sim.world.shard`): each line is
    kept with its key in the canonical order instead, the key of the simpy event being processed
    (:mod:`sim.world.canonical_clock`) and its place among that event's lines, until
    :meth:`take`; the coordinator merges the workers' lines and hashes them. ``order`` gives a
    line another place among its event's lines, and ``actor=True`` marks a line about the world
    as a whole (Ofgem, the ADT), which only the worker with ``logs_actors`` writes.
    """

    def __init__(
        self,
        env: simpy.Environment,
        start: datetime,
        *,
        sink: ByteSink | None = None,
        keep_events: bool = True,
        keyed: bool = False,
        logs_actors: bool = True,
    ) -> None:
        self.env = env
        self.start = start
        self.events: list[Event] = []
        self.count = 0
        self._sink = sink
        self._keep = keep_events
        self._hasher = hashlib.sha256()
        self._observers: dict[EventKind, list[Observer]] = {kind: [] for kind in EventKind}
        self._batch: list[bytes] = []
        self._batch_bytes = 0
        self._instant: float | None = None
        self._now = start
        self._iso = start.isoformat()
        self._keyed = keyed
        self.logs_actors = logs_actors
        self._records: list[Record] = []
        self._active: object = None
        self._lines_in_event = 0

    def take(self) -> list[Record]:
        """The keyed records so far, in key order, and forget them."""
        records, self._records = self._records, []
        records.sort(key=itemgetter(0))
        return records

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON lines of every event recorded so far."""
        self.flush()
        return self._hasher.hexdigest()

    def flush(self) -> None:
        """Hash the lines not yet hashed and write them to the sink."""
        if not self._batch:
            return
        lines = b"".join(self._batch)
        self._batch.clear()
        self._batch_bytes = 0
        self._hasher.update(lines)
        if self._sink is not None:
            self._sink.write(lines)

    @property
    def streamed(self) -> bool:
        """Whether the events went to a sink as they were recorded."""
        return self._sink is not None

    def observe(self, observer: Observer, kinds: Iterable[EventKind] = tuple(EventKind)) -> None:
        """Call ``observer(event)`` for every event of ``kinds`` recorded from now on. An event
        no one observes (nor keeps) is never made: its line is written from its fields."""
        for kind in set(kinds):
            self._observers[kind].append(observer)

    @property
    def now(self) -> datetime:
        seconds = self.env.now
        if seconds != self._instant:
            self._enter(seconds)
        return self._now

    def _enter(self, seconds: float) -> None:
        """Make ``seconds`` the current instant: its time, and that time in ISO 8601 for the
        lines, made once for the many events that share an instant."""
        self._instant, self._now = seconds, self.at(seconds)
        self._iso = self._now.isoformat()

    def at(self, seconds: float) -> datetime:
        """The UTC time ``seconds`` into the run."""
        return self.start + timedelta(milliseconds=round(seconds * 1000))

    def record(
        self,
        kind: EventKind,
        sender: str,
        recipient: str,
        verdict: str,
        message: bytes = b"",
        detail: str = "",
        *,
        order: tuple[Any, ...] | None = None,
        actor: bool = False,
    ) -> tuple[Any, ...] | None:
        """Log one event; in a keyed log, returns its key."""
        if actor and not self.logs_actors:
            return None
        seconds = self.env.now
        if seconds != self._instant:
            self._enter(seconds)
        text = line(kind, sender, recipient, verdict, message, detail, self._iso)
        observers = self._observers[kind]
        event = (
            Event(self._now, kind, sender, recipient, verdict, message, detail)
            if self._keep or observers
            else None
        )
        self.count += 1
        key: tuple[Any, ...] | None = None
        if self._keyed:
            active = self.env.active  # type: ignore[attr-defined]
            if active is not self._active:
                self._active, self._lines_in_event = active, 0
            key = (active, (0, self._lines_in_event) if order is None else order)
            self._lines_in_event += 1
            self._records.append((key, text, event if self._keep else None))
        else:
            self._batch.append(text)
            self._batch_bytes += len(text)
            if self._batch_bytes >= BATCH_BYTES:
                self.flush()
            if event is not None and self._keep:
                self.events.append(event)
        if observers and event is not None:
            for observer in observers:
                observer(event)
        return key
