"""A meter's Event Log and Security Log: what it did, and what it refused, with the time.

A SMETS2+ device keeps both logs on board; a tester reads them to see why a meter stayed silent,
since a refused command gets no answer on the WAN. Both are circular, as device logs are: the
oldest entry goes when a log is full. The capacity of 100 entries per log is a choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

LOG_CAPACITY = 100


class SecurityEvent(StrEnum):
    """Why a frame was dropped before its content was looked at (Security Log)."""

    UNREADABLE_FRAME = "unreadable-frame"
    NOT_FOR_ME = "not-for-me"
    NOT_A_COMMAND = "not-a-command"
    MAC_ABSENT = "mac-absent"
    MAC_INVALID = "mac-invalid"
    UNKNOWN_ORIGINATOR = "unknown-originator"
    UNAUTHORISED_ORIGINATOR = "unauthorised-originator"
    SIGNATURE_ABSENT = "signature-absent"
    SIGNATURE_INVALID = "signature-invalid"
    REPLAYED_COUNTER = "replayed-counter"


class Event(StrEnum):
    """What an authenticated command or a physical event led to (Event Log)."""

    EXECUTED = "executed"
    SCHEDULED = "future-dated-scheduled"
    CANCELLED = "future-dated-cancelled"
    FUTURE_DATED_EXECUTED = "future-dated-executed"
    UNSUPPORTED_COMMAND = "unsupported-command"
    CONTENT_REFUSED = "content-refused"
    ALERT_SENT = "alert-sent"
    ALERT_NOT_SENT = "alert-not-sent"


@dataclass(frozen=True, slots=True)
class LogEntry:
    at: datetime
    kind: Event | SecurityEvent
    detail: str


class DeviceLogs:
    """Both logs of one meter; a meter creates them on its first entry, so idle meters hold none.

    ``latest`` is the newest entry of either log: why the meter just stayed silent, if it did.
    """

    __slots__ = ("_capacity", "_events", "_security", "latest")

    def __init__(self, capacity: int = LOG_CAPACITY) -> None:
        self._capacity = capacity
        self._events: list[LogEntry] | None = None
        self._security: list[LogEntry] | None = None
        self.latest: LogEntry | None = None

    @property
    def events(self) -> Sequence[LogEntry]:
        return () if self._events is None else self._events

    @property
    def security(self) -> Sequence[LogEntry]:
        return () if self._security is None else self._security

    def add(self, entry: LogEntry) -> None:
        """Into the Security Log if a :class:`SecurityEvent`, else into the Event Log, the
        oldest entry dropped once the log is full. Each log is a list made on its first entry:
        a switched meter writes one entry or two, which a deque would hold in half a
        kilobyte."""
        if isinstance(entry.kind, SecurityEvent):
            if self._security is None:
                self._security = []
            log = self._security
        else:
            if self._events is None:
                self._events = []
            log = self._events
        log.append(entry)
        if len(log) > self._capacity:
            del log[0]
        self.latest = entry
