"""A served meter under a flood: rejected frames answered once per burst, a peer that stops
reading treated as a failed port, and a stop request seen between two frames.

Real pseudo-terminals, as in test_serial; every wait has a deadline and every serve loop is
joined with a timeout, so a bridge that hangs fails the test instead of hanging it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from devices import serial as bridge
from devices.serial import Fault, Opened, Sent
from devices.serial_framing import ErrorCode, Frame, FrameType, Rejected
from tests.devices.test_serial import (
    Clock,
    EchoMeter,
    Recorder,
    pty,
    read_frames,
    serving,
    wait_until,
)

FLOOD = 1500
BIG_ANSWER = 4000  # bytes of each answer of a ChattyMeter: 40 of them fill any pty
COMMANDS = 40

Served = tuple[int, Recorder]


@dataclass
class ChattyMeter(EchoMeter):
    """Answers every command with a big message, so a peer that stops reading fills the port."""

    received: list[bytes] = field(default_factory=list)

    def receive(self, frame: bytes, now: datetime) -> list[bytes]:
        self.received.append(frame)
        return [bytes(BIG_ANSWER)]


@dataclass
class StoppingMeter(EchoMeter):
    """Asks serving to stop from inside its first ``receive``."""

    stop: threading.Event = field(default_factory=threading.Event)
    received: list[bytes] = field(default_factory=list)

    def receive(self, frame: bytes, now: datetime) -> list[bytes]:
        self.received.append(frame)
        self.stop.set()
        return [b"echo:" + frame]


@pytest.fixture
def served() -> Iterator[Served]:
    """An echoing double served on a pseudo-terminal: the master fd and the link log."""
    meter, recorder = EchoMeter(), Recorder()
    with pty() as (master, path), serving(path, meter, Clock(), recorder):
        assert read_frames(master, 1) == [Frame.ready(meter.eui64)]
        yield master, recorder


def errors_sent(recorder: Recorder) -> list[Frame]:
    sent = (event.frame for event in recorder.of(Sent) if isinstance(event, Sent))
    return [frame for frame in sent if frame.kind is FrameType.ERROR]


def bad_crc_frame(payload: bytes) -> bytes:
    wire = bytearray(Frame.gbcs(payload).encode())
    wire[-1] ^= 0x01
    return bytes(wire)


def test_a_burst_of_start_bytes_gets_one_error_and_the_next_frame_its_answer(
    served: Served,
) -> None:
    master, recorder = served
    os.write(master, b"\x7e" * FLOOD + Frame.gbcs(b"after").encode())
    error, answer = read_frames(master, 2)
    # Each start byte cut the frame before it short; the frame's own start cut the last one.
    assert error.error_reason == (
        ErrorCode.TRUNCATED,
        f"start byte after 0 frame bytes, and {FLOOD - 1} more frames rejected",
    )
    assert answer == Frame.gbcs(b"echo:after")
    assert len(recorder.of(Rejected)) == FLOOD  # each one is still reported
    assert errors_sent(recorder) == [error]


def test_a_burst_of_mixed_rejections_is_answered_with_the_first_ones_code(
    served: Served,
) -> None:
    master, _ = served
    oversize = b"\x7e\x01\xff\xff"
    os.write(master, bad_crc_frame(b"one") + oversize + bad_crc_frame(b"two"))
    [error] = read_frames(master, 1)
    code, reason = error.error_reason
    assert code is ErrorCode.BAD_CRC
    assert reason.endswith(", and 2 more frames rejected")


def test_rejected_frames_a_pause_apart_are_each_answered(served: Served) -> None:
    master, recorder = served
    for payload in (b"one", b"two"):
        os.write(master, bad_crc_frame(payload))
        [error] = read_frames(master, 1)
        code, reason = error.error_reason
        assert code is ErrorCode.BAD_CRC
        assert "more frames rejected" not in reason
    assert len(errors_sent(recorder)) == 2


def test_a_good_frame_ends_a_burst_and_the_error_comes_before_its_answer(
    served: Served,
) -> None:
    master, _ = served
    good = Frame.gbcs(b"good").encode()
    os.write(master, bad_crc_frame(b"one") + good + bad_crc_frame(b"two") + good)
    frames = read_frames(master, 4)
    assert [frame.kind for frame in frames] == [
        FrameType.ERROR,
        FrameType.GBCS,
        FrameType.ERROR,
        FrameType.GBCS,
    ]
    assert all("more frames rejected" not in f.error_reason[1] for f in frames[::2])


def test_a_flood_from_a_peer_that_then_stops_reading_does_not_hold_up_a_stop() -> None:
    meter, recorder = EchoMeter(), Recorder()
    with pty() as (master, path), serving(path, meter, Clock(), recorder):
        assert read_frames(master, 1) == [Frame.ready(meter.eui64)]
        os.write(master, b"\x7e" * FLOOD)  # and reads nothing more
        assert wait_until(lambda: errors_sent(recorder) != [])
    [error] = errors_sent(recorder)
    assert error.error_reason[0] is ErrorCode.TRUNCATED
    assert recorder.of(Fault) == []
    # serving() has set the stop event and asserted the thread ended within its deadline


def test_a_peer_that_reads_gets_every_big_answer_and_no_fault() -> None:
    meter, recorder = ChattyMeter(), Recorder()
    with pty() as (master, path), serving(path, meter, Clock(), recorder):
        assert read_frames(master, 1) == [Frame.ready(meter.eui64)]
        os.write(master, b"".join(Frame.gbcs(bytes([i])).encode() for i in range(COMMANDS)))
        answers = read_frames(master, COMMANDS)
    assert answers == [Frame.gbcs(bytes(BIG_ANSWER))] * COMMANDS
    assert recorder.of(Fault) == []
    assert len(recorder.of(Opened)) == 1


def test_a_peer_that_stops_reading_is_a_failed_port_opened_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bridge, "WRITE_TIMEOUT", 0.2)
    meter, recorder = ChattyMeter(), Recorder()
    with pty() as (master, path), serving(path, meter, Clock(), recorder):
        assert read_frames(master, 1) == [Frame.ready(meter.eui64)]
        os.write(master, b"".join(Frame.gbcs(bytes([i])).encode() for i in range(COMMANDS)))
        # and reads nothing more: the port fills, a write times out, the port is opened again
        assert wait_until(lambda: len(recorder.of(Opened)) >= 2)
    fault = recorder.of(Fault)[0]
    assert isinstance(fault, Fault)
    assert "not sent: peer took nothing for 0.2 s" in fault.reason
    assert fault.reason.endswith(f"opening {path} again")
    assert len(meter.received) < COMMANDS  # the rest went with the input the reopening cleared


def test_a_stop_request_is_seen_between_two_frames_of_one_read() -> None:
    meter, recorder = StoppingMeter(), Recorder()
    with pty() as (master, path), serving(path, meter, Clock(), recorder, meter.stop):
        assert read_frames(master, 1) == [Frame.ready(meter.eui64)]
        os.write(master, b"".join(Frame.gbcs(bytes([i])).encode() for i in range(3)))
        assert wait_until(lambda: meter.received != [])
    assert meter.received == [b"\x00"]
