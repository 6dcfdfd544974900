"""What every virtual meter keeps between frames, whatever protocol it speaks.

The payment account, the last counter accepted from each originator (the replay check), the one
slot for a pending future-dated change, and the Event and Security Logs. Counters and logs are
created on first use, so the idle meters of a large fleet hold none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Generic, Protocol, TypeVar

from devices.logs import DeviceLogs, Event, LogEntry, SecurityEvent
from devices.meter import Account

_NO_COUNTERS: MappingProxyType[bytes, int] = MappingProxyType({})


class Scheduled(Protocol):
    @property
    def execute_at(self) -> datetime: ...


PendingT = TypeVar("PendingT", bound=Scheduled)


@dataclass(frozen=True, slots=True)
class MeterState(Generic[PendingT]):
    """A snapshot of what commands change: compare two to see whether a frame changed anything."""

    account: Account
    last_counters: MappingProxyType[bytes, int]
    pending: PendingT | None


class MeterRecords(Generic[PendingT]):
    """What a meter class builds its protocol on: account, counters, pending change, logs."""

    __slots__ = ("_account", "_counters", "_logs", "_pending")

    def __init__(self, account: Account) -> None:
        self._account = account
        self._counters: dict[bytes, int] | None = None
        self._pending: PendingT | None = None
        self._logs: DeviceLogs | None = None

    @property
    def account(self) -> Account:
        return self._account

    @property
    def pending(self) -> PendingT | None:
        return self._pending

    @property
    def last_counters(self) -> MappingProxyType[bytes, int]:
        """The last counter accepted from each originator."""
        return _NO_COUNTERS if self._counters is None else MappingProxyType(dict(self._counters))

    @property
    def state(self) -> MeterState[PendingT]:
        return MeterState(self._account, self.last_counters, self._pending)

    @property
    def event_log(self) -> tuple[LogEntry, ...]:
        return () if self._logs is None else tuple(self._logs.events)

    @property
    def security_log(self) -> tuple[LogEntry, ...]:
        return () if self._logs is None else tuple(self._logs.security)

    @property
    def latest_log_entry(self) -> LogEntry | None:
        """The newest entry of either log: what a host shows when a frame got no answer."""
        return None if self._logs is None else self._logs.latest

    def next_due(self) -> datetime | None:
        return None if self._pending is None else self._pending.execute_at

    def _last_counter(self, originator: bytes) -> int:
        """The last counter accepted from ``originator``, or -1 when none was."""
        return -1 if self._counters is None else self._counters.get(originator, -1)

    def _accept_counter(self, originator: bytes, counter: int) -> None:
        if self._counters is None:
            self._counters = {}
        self._counters[originator] = counter

    def _due(self, now: datetime) -> PendingT | None:
        """The pending change if it is due by ``now``. Its slot stays filled: a meter builds the
        alerts that announce it first, and empties the slot only when nothing can fail."""
        pending = self._pending
        if pending is None or pending.execute_at > now:
            return None
        return pending

    def _log(self, now: datetime, kind: Event | SecurityEvent, detail: str) -> None:
        if self._logs is None:
            self._logs = DeviceLogs()
        self._logs.add(LogEntry(now, kind, detail))
