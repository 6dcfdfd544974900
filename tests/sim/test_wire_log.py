"""The wire log: canonical lines, hashed and written in batches, nothing lost or reordered."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import simpy

from sim.report.events import Event, EventKind, digest, event_line
from sim.report.wire_log import BATCH_BYTES, WireLog

START = datetime(2026, 11, 2, 8, tzinfo=UTC)


def test_a_line_is_the_json_dumps_of_the_event_with_sorted_keys() -> None:
    events = [
        Event(
            START, EventKind.DUIS_REQUEST, "a", "b", "E4", b'<x a="\\">\xc3\xa9\t\x01</x>', "d\n"
        ),
        Event(START, EventKind.GBCS_COMMAND, "DCC", "\u2603", "accepted", b"\x00\xff"),
        Event(START, EventKind.SOLR, "Ofgem", "DCC", "instructed"),
        Event(START, EventKind.DCC_ALERT, "DCC", "b", "quarantined:ADT", b""),
        Event(START, EventKind.DEVICE_ALERT, "DCC", "b", "delivered", b"<a/>", "0x8F3F"),
        Event(START, EventKind.WAN_LOST, "\x7f", '"q"', "lost", b"", "\u00e9\u2028"),
    ]
    for event in events:
        expected = json.dumps(event.to_json(), sort_keys=True).encode() + b"\n"
        assert event_line(event) == expected
        assert event_line(event, event.time.isoformat()) == expected


def test_lines_are_hashed_and_written_in_batches_and_flushed_whole() -> None:
    sink = io.BytesIO()
    log = WireLog(simpy.Environment(), START, sink=sink)
    log.record(EventKind.SOLR, "Ofgem", "DCC", "noted")
    assert sink.getvalue() == b""
    log.record(EventKind.DUIS_REQUEST, "a", "DCC", "E1000", b"x" * BATCH_BYTES)
    assert sink.getvalue() == b"".join(event_line(event) for event in log.events)
    log.record(EventKind.SOLR, "Ofgem", "DCC", "noted")
    assert log.digest == digest(log.events)
    assert sink.getvalue() == b"".join(event_line(event) for event in log.events)
    log.record(EventKind.SOLR, "Ofgem", "DCC", "noted")
    log.flush()
    assert sink.getvalue() == b"".join(event_line(event) for event in log.events)
    assert log.count == 4
