"""The rehearsal's clock and its wire log: every crossing of a boundary, stamped in simulated time.

simpy counts seconds from the run's start; people and DUIS read UTC. The clock turns one into the
other, to the millisecond, so a run's times (and hence its digest) never depend on float noise
or on the wall clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import simpy

from dcc.duis.ids import format_eui64
from sim.events import Event, EventKind

DCC = "DCC"
OFGEM = "Ofgem"


def party(eui64: bytes) -> str:
    """How the log names a User or a device: its EUI-64 in DUIS text."""
    return format_eui64(eui64)


class WireLog:
    """The simulated clock (``now``) and the events logged so far, in the order they happened."""

    def __init__(self, env: simpy.Environment, start: datetime) -> None:
        self.env = env
        self.start = start
        self.events: list[Event] = []

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
        self.events.append(Event(self.now, kind, sender, recipient, verdict, message, detail))
