"""The rehearsal's clock and its wire log: every crossing of a boundary, stamped in simulated time.

simpy counts seconds from the run's start; people and DUIS read UTC. The clock turns one into the
other, to the millisecond, so a run's times (and hence its digest) never depend on float noise
or on the wall clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

import simpy

from dcc.duis.ids import format_eui64
from sim.report.event_files import ByteSink
from sim.report.events import Event, EventKind, event_line

DCC = "DCC"
OFGEM = "Ofgem"


def party(eui64: bytes) -> str:
    """How the log names a User or a device: its EUI-64 in DUIS text."""
    return format_eui64(eui64)


Observer = Callable[[Event], None]
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
    """

    def __init__(
        self,
        env: simpy.Environment,
        start: datetime,
        *,
        sink: ByteSink | None = None,
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
        self._batch: list[bytes] = []
        self._batch_bytes = 0
        self._instant: float | None = None
        self._now = start
        self._iso: str | None = None

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

    def observe(self, observer: Observer) -> None:
        """Call ``observer(event)`` for every event recorded from now on."""
        self._observers.append(observer)

    @property
    def now(self) -> datetime:
        seconds = self.env.now
        if seconds != self._instant:
            self._instant, self._now, self._iso = seconds, self.at(seconds), None
        return self._now

    def _now_text(self) -> str:
        """``now`` in ISO 8601, written once per instant: many events share one."""
        now = self.now
        if self._iso is None:
            self._iso = now.isoformat()
        return self._iso

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
        line = event_line(event, self._now_text())
        self._batch.append(line)
        self._batch_bytes += len(line)
        if self._batch_bytes >= BATCH_BYTES:
            self.flush()
        self.count += 1
        if self._keep:
            self.events.append(event)
        for observer in self._observers:
            observer(event)
