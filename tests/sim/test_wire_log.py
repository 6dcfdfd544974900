"""The wire log: canonical lines, hashed and written in batches, nothing lost or reordered."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Generator
from datetime import UTC, datetime

import pytest
import simpy

from sim.report.events import Event, EventKind, digest, event_line, json_text
from sim.report.wire_log import BATCH_BYTES, WireLog
from sim.world.canonical_clock import CanonicalEnvironment, before

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


def test_an_observer_sees_the_kinds_it_asked_for_and_every_line_is_still_written() -> None:
    sink = io.BytesIO()
    env = simpy.Environment()
    log = WireLog(env, START, sink=sink, keep_events=False)
    alerts: list[Event] = []
    everything: list[Event] = []
    log.observe(alerts.append, (EventKind.GBCS_ALERT, EventKind.DEVICE_ALERT))
    log.observe(everything.append)
    log.record(EventKind.DUIS_REQUEST, "a", "DCC", "I0", b"<x/>")
    env.run(until=1.5)
    log.record(EventKind.GBCS_ALERT, "d", "DCC", "delivered", b"\x01")
    log.record(EventKind.GBCS_ALERT, "d", "DCC", "delivered", b"\x02", "again")
    assert [event.message for event in alerts] == [b"\x01", b"\x02"]
    assert [event.kind for event in everything] == [
        EventKind.DUIS_REQUEST,
        EventKind.GBCS_ALERT,
        EventKind.GBCS_ALERT,
    ]
    assert alerts[0].time == START.replace(second=1, microsecond=500_000)
    log.flush()
    assert sink.getvalue() == b"".join(event_line(event) for event in everything)
    assert log.digest == digest(everything) and log.count == 3 and log.events == []


def test_a_keyed_log_keys_its_lines_by_the_event_being_processed() -> None:
    """A worker's log: each line keyed by the simpy event's key and its place among that
    event's lines (or the place given), the lines those of the events."""
    env = CanonicalEnvironment()
    log = WireLog(env, START, keep_events=False, keyed=True, logs_actors=False)
    keys: list[object] = []

    def process() -> Generator[simpy.Event, object, None]:
        keys.append(log.record(EventKind.SOLR, "Ofgem", "DCC", "noted"))
        keys.append(log.record(EventKind.SOLR, "Ofgem", "DCC", "ignored", actor=True))
        yield env.timeout(2)
        keys.append(log.record(EventKind.GBCS_COMMAND, "DCC", "d", "delivered", b"\xab"))
        keys.append(log.record(EventKind.GBCS_COMMAND, "DCC", "d", "x", order=(1, 7)))

    env.process(process())
    env.run_before(before(10.0))
    records = log.take()
    assert keys[1] is None and log.count == 3
    assert [key for key, _, _ in records] == [keys[0], keys[2], keys[3]]
    assert [key[1] for key in (keys[0], keys[2], keys[3])] == [(0, 0), (0, 0), (1, 7)]
    assert keys[2][0] == keys[3][0] != keys[0][0]
    lines = [json.loads(line) for _, line, _ in records]
    assert [line["time"] for line in lines] == [START.isoformat()] + 2 * [
        "2026-11-02T08:00:02+00:00"
    ]
    assert lines[1]["gbcs_hex"] == "AB" and [event for _, _, event in records] == [None] * 3


@pytest.mark.parametrize(
    "message",
    [
        b"",
        b"<?xml version='1.0' encoding='UTF-8'?>\n<sr:Request a=\"1\">x\\y</sr:Request>",
        b'"\\"\\\\\n\n',
        b"tab\there",
        b"cr\r\nlf",
        b"del\x7f",
        b"nul\x00",
        b"\x1f~ ",
        "caf\u00e9 \u2028 \U0001f600".encode(),
        b"not utf-8 \xff\xfe\xc3",
    ],
)
def test_a_message_is_written_as_json_dumps_writes_its_text(message: bytes) -> None:
    expected = json.dumps(message.decode("utf-8", "replace")).encode()
    assert json_text(message) == expected


def test_any_bytes_are_written_as_json_dumps_writes_their_text() -> None:
    draw = random.Random("json_text")
    alphabet = bytes(range(0x20, 0x7F)) * 4 + b'\n\\"' * 8 + bytes(range(256))
    for _ in range(2000):
        message = bytes(draw.choices(alphabet, k=draw.randrange(0, 60)))
        assert json_text(message) == json.dumps(message.decode("utf-8", "replace")).encode()
