"""A meter's Event Log and Security Log: what it did, and what it refused, with the time.

A SMETS2+ device keeps both logs on board; a tester reads them to see why a meter stayed silent,
since a refused command gets no answer on the WAN. Both are circular, as device logs are: the
oldest entry goes when a log is full. The capacity of 100 entries per log is a choice.
"""

from __future__ import annotations

from collections import deque
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

    __slots__ = ("events", "latest", "security")

    def __init__(self, capacity: int = LOG_CAPACITY) -> None:
        self.events: deque[LogEntry] = deque(maxlen=capacity)
        self.security: deque[LogEntry] = deque(maxlen=capacity)
        self.latest: LogEntry | None = None

    def add(self, entry: LogEntry) -> None:
        """Into the Security Log if a :class:`SecurityEvent`, else into the Event Log."""
        (self.security if isinstance(entry.kind, SecurityEvent) else self.events).append(entry)
        self.latest = entry
