"""The rehearsal's clock and its wire log: every crossing of a boundary, stamped in simulated time.

simpy counts seconds from the run's start; people and DUIS read UTC. The clock turns one into the
other, to the millisecond, so a run's times (and hence its digest) never depend on float noise
or on the wall clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import IO

import simpy

from dcc.duis.ids import format_eui64
from sim.events import Event, EventKind, event_line

DCC = "DCC"
OFGEM = "Ofgem"


def party(eui64: bytes) -> str:
    """How the log names a User or a device: its EUI-64 in DUIS text."""
    return format_eui64(eui64)


Observer = Callable[[Event], None]


class WireLog:
    """The simulated clock (``now``) and the event log, streamed as it is recorded.

    Each event goes, as it happens, into a running SHA-256 over its canonical JSON line (the
    bytes :func:`sim.events.digest` hashes, so :attr:`digest` equals ``digest(events)``), to
    ``sink`` if given (a binary file that receives ``events.jsonl`` line by line), to every
    observer (see :meth:`observe`), and to :attr:`events` only when ``keep_events``: a
    million-meter run logs millions of events and need not hold them.
    """

    def __init__(
        self,
        env: simpy.Environment,
        start: datetime,
        *,
        sink: IO[bytes] | None = None,
        keep_events: bool = True,
    ) -> None:
        self.env = env
        self.start = start
        self.events: list[Event] = []
        self.count = 0
        self._sink = sink
        self._keep = keep_events
        self._hasher = hashlib.sha256()
        self._observers: list[Observer] = []

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON lines of every event recorded so far."""
        return self._hasher.hexdigest()

    @property
    def streamed(self) -> bool:
        """Whether the events went to a sink as they were recorded."""
        return self._sink is not None

    def observe(self, observer: Observer) -> None:
        """Call ``observer(event)`` for every event recorded from now on."""
        self._observers.append(observer)

    @property
    def now(self) -> datetime:
        return self.at(self.env.now)

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
    ) -> None:
        event = Event(self.now, kind, sender, recipient, verdict, message, detail)
        line = event_line(event)
        self._hasher.update(line)
        self.count += 1
        if self._sink is not None:
            self._sink.write(line)
        if self._keep:
            self.events.append(event)
        for observer in self._observers:
            observer(event)
