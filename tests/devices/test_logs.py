"""A meter's two logs: made on their first entry, bounded, the oldest entry dropped first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from devices.logs import DeviceLogs, Event, LogEntry, SecurityEvent

START = datetime(2026, 11, 2, tzinfo=UTC)


def _entry(n: int, kind: Event | SecurityEvent) -> LogEntry:
    return LogEntry(START + timedelta(seconds=n), kind, str(n))


def test_each_log_keeps_its_newest_entries_up_to_its_capacity() -> None:
    logs = DeviceLogs(capacity=3)
    assert logs.events == () and logs.security == () and logs.latest is None
    for n in range(5):
        logs.add(_entry(n, Event.CONTENT_REFUSED))
    logs.add(_entry(5, SecurityEvent.MAC_INVALID))
    assert [entry.detail for entry in logs.events] == ["2", "3", "4"]
    assert [entry.detail for entry in logs.security] == ["5"]
    assert logs.latest == _entry(5, SecurityEvent.MAC_INVALID)
