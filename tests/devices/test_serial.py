"""The serial bridge over real pseudo-terminals: a served meter, and a SerialMeter in front of one.

Every serve loop runs in a thread that is stopped and joined with a timeout, and every read has
a deadline, so a broken bridge fails a test instead of hanging it.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
import tty
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from devices.credentials import device_key
from devices.gbcs.crypto import ecdh
from devices.gbcs.frame import Cra, GbcsMessage, GroupingHeader, OtherInformation, decode, encode
from devices.gbcs.keystore import KeyUsage
from devices.gbcs.payment_mode import (
    ECS02,
    ECS03,
    Activation,
    PaymentMode,
    PaymentModeChange,
    encode_payment_mode_command,
)
from devices.gbcs.security import add_mac, sign, signature_valid
from devices.gbcs.verify import DEFAULT_ACB
from devices.meter import Meter
from devices.serial import (
    Fault,
    LinkEvent,
    Opened,
    SerialLinkError,
    SerialMeter,
    Silence,
    serve_meter,
)
from devices.serial_framing import (
    Decoder,
    DecoderEvent,
    ErrorCode,
    Frame,
    FrameType,
    Garbage,
    Rejected,
)
from sim.cli.demo import ESME, SUPPLIER
from tests.devices.support import NOW, command, esme, signed_by

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
TAMPER = 0x8F3F
DEADLINE = 5.0


class Recorder:
    """An ``on_event`` sink that a test can wait on."""

    def __init__(self) -> None:
        self.events: list[LinkEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: LinkEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, kind: type, timeout: float = DEADLINE) -> list[LinkEvent]:
        with self._changed:
            self._changed.wait_for(lambda: self.of(kind), timeout)
            return self.of(kind)

    def of(self, kind: type) -> list[LinkEvent]:
        return [event for event in self.events if isinstance(event, kind)]


@dataclass
class EchoMeter:
    """A protocol double: echoes commands, answers triggers, raises on ``b"boom"``."""

    eui64: bytes = bytes(8)
    due: list[tuple[datetime, bytes]] = field(default_factory=list)
    triggered: list[int] = field(default_factory=list)
    latest_log_entry: None = None  # it keeps no logs

    def receive(self, frame: bytes, now: datetime) -> list[bytes]:
        if frame == b"boom":
            raise RuntimeError("boom")
        return [b"echo:" + frame]

    def trigger(self, alert_code: int, now: datetime) -> list[bytes]:
        self.triggered.append(alert_code)
        return [b"alert:" + alert_code.to_bytes(2, "big")]

    def advance(self, now: datetime) -> list[bytes]:
        ready = [message for at, message in self.due if at <= now]
        self.due = [(at, message) for at, message in self.due if at > now]
        return ready

    def next_due(self) -> datetime | None:
        return min((at for at, _ in self.due), default=None)


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


def open_pty() -> tuple[int, int]:
    master, slave = os.openpty()
    tty.setraw(slave)  # no echo, no line editing before pyserial takes the port
    return master, slave


@contextmanager
def pty() -> Iterator[tuple[int, str]]:
    """A pseudo-terminal: the master fd for the test, the slave path for pyserial."""
    master, slave = open_pty()
    try:
        yield master, os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)


@contextmanager
def linked_ptys() -> Iterator[tuple[str, str]]:
    """Two pseudo-terminals joined master to master, like ``socat pty pty``: a null modem."""
    (a, a_slave), (b, b_slave) = open_pty(), open_pty()
    stop = threading.Event()

    def relay() -> None:
        while not stop.is_set():
            ready, _, _ = select.select([a, b], [], [], 0.05)
            for fd in ready:
                os.write(b if fd == a else a, os.read(fd, 4096))

    thread = threading.Thread(target=relay, daemon=True)
    thread.start()
    try:
        yield os.ttyname(a_slave), os.ttyname(b_slave)
    finally:
        stop.set()
        thread.join(timeout=DEADLINE)
        for fd in (a, a_slave, b, b_slave):
            os.close(fd)
    assert not thread.is_alive()


@contextmanager
def serving(
    path: str,
    meter: Meter,
    clock: Clock,
    recorder: Recorder,
    stop: threading.Event | None = None,
) -> Iterator[None]:
    """``serve_meter`` in a thread, ready when the port is open; stopped and joined after."""
    stop, failures = stop if stop is not None else threading.Event(), []

    def run() -> None:
        try:
            serve_meter(path, meter, clock=clock, stop_event=stop, on_event=recorder)
        except Exception as exc:
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert recorder.wait_for(Opened), "serve_meter did not open the port"
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=DEADLINE)
    assert not thread.is_alive(), "serve_meter did not stop"
    assert failures == []


def read_events(
    fd: int, done: Callable[[list[DecoderEvent]], bool], timeout: float = DEADLINE
) -> list[DecoderEvent]:
    decoder, events = Decoder(), []
    deadline = time.monotonic() + timeout
    while not done(events) and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], deadline - time.monotonic())
        if ready:
            events += decoder.feed(os.read(fd, 4096))
    return events


def read_frames(fd: int, count: int, timeout: float = DEADLINE) -> list[Frame]:
    events = read_events(fd, lambda evs: sum(isinstance(e, Frame) for e in evs) >= count, timeout)
    return [event for event in events if isinstance(event, Frame)]


def wait_until(condition: Callable[[], bool], timeout: float = DEADLINE) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def read_until(fd: int, marker: bytes, timeout: float = 3 * DEADLINE) -> bytes:
    data, deadline = b"", time.monotonic() + timeout
    while marker not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], deadline - time.monotonic())
        chunk = os.read(fd, 4096) if ready else b""
        if ready and not chunk:
            break
        data += chunk
    return data


Served = tuple[int, EchoMeter, Clock, Recorder]


@pytest.fixture
def served() -> Iterator[Served]:
    """An echoing double served on a pseudo-terminal: the master fd, meter, clock and log."""
    meter, clock, recorder = EchoMeter(), Clock(), Recorder()
    with pty() as (master, path), serving(path, meter, clock, recorder):
        assert read_frames(master, 1) == [Frame.ready(meter.eui64)]
        yield master, meter, clock, recorder


def test_a_served_meter_answers_gbcs_frames(served: Served) -> None:
    master, _, _, _ = served
    os.write(master, Frame.gbcs(b"\xdf\x09hello").encode())
    assert read_frames(master, 1) == [Frame.gbcs(b"echo:\xdf\x09hello")]


def test_event_frames_trigger_the_meter(served: Served) -> None:
    master, meter, _, _ = served
    os.write(master, Frame.event(0x8F3F).encode())
    assert read_frames(master, 1) == [Frame.gbcs(b"alert:\x8f\x3f")]
    assert meter.triggered == [0x8F3F]


def test_garbage_and_split_frames_are_survived(served: Served) -> None:
    master, _, _, recorder = served
    first, second = Frame.gbcs(b"one").encode(), Frame.gbcs(b"two").encode()
    os.write(master, b"\x00noise\xff")
    for piece in (first[:2], first[2:5], first[5:] + b"junk" + second[:3], second[3:]):
        os.write(master, piece)
        time.sleep(0.02)
    assert read_frames(master, 2) == [Frame.gbcs(b"echo:one"), Frame.gbcs(b"echo:two")]
    assert sum(event.discarded for event in recorder.of(Garbage)) == len(b"\x00noise\xff" + b"junk")


def test_a_corrupted_frame_is_answered_with_an_error_and_serving_goes_on(served: Served) -> None:
    master, _, _, recorder = served
    bad = bytearray(Frame.gbcs(b"one").encode())
    bad[5] ^= 0x01
    os.write(master, bytes(bad) + Frame.gbcs(b"two").encode())
    error, answer = read_frames(master, 2)
    assert error.error_reason[0] is ErrorCode.BAD_CRC
    assert answer == Frame.gbcs(b"echo:two")
    assert [event.code for event in recorder.of(Rejected)] == [ErrorCode.BAD_CRC]


def test_a_malformed_event_is_answered_with_an_error(served: Served) -> None:
    master, meter, _, _ = served
    os.write(master, Frame(FrameType.EVENT, b"\x01").encode())
    [error] = read_frames(master, 1)
    assert error.error_reason == (
        ErrorCode.BAD_PAYLOAD,
        "not an event trigger: EVENT frame of 1 bytes",
    )
    assert meter.triggered == []


def test_a_failing_meter_is_reported_and_serving_goes_on(served: Served) -> None:
    master, _, _, recorder = served
    os.write(master, Frame.gbcs(b"boom").encode() + Frame.gbcs(b"ok").encode())
    error, answer = read_frames(master, 2)
    assert error.error_reason == (ErrorCode.METER_FAILURE, "RuntimeError('boom')")
    assert answer == Frame.gbcs(b"echo:ok")
    assert recorder.of(Fault) == [Fault("meter failed: RuntimeError('boom')")]


def test_due_alerts_are_sent_unprompted(served: Served) -> None:
    master, meter, clock, _ = served
    meter.due = [(T0 + timedelta(minutes=1), b"due alert")]
    assert read_frames(master, 1, timeout=0.3) == []
    clock.now = T0 + timedelta(minutes=1)
    assert read_frames(master, 1) == [Frame.gbcs(b"due alert")]
    assert meter.due == []


def test_a_silent_peer_times_out_cleanly() -> None:
    recorder = Recorder()
    with pty() as (_, path), SerialMeter(path, bytes(8), reply_timeout=0.2, on_event=recorder) as m:
        started = time.monotonic()
        assert m.receive(b"anyone?", T0) == []
        assert time.monotonic() - started < DEADLINE
    [silence] = recorder.of(Silence)
    assert silence.waited >= 0.2


def test_a_serial_meter_forwards_to_a_served_meter() -> None:
    meter, served_log, host_log = EchoMeter(), Recorder(), Recorder()
    with (
        linked_ptys() as (meter_side, host_side),
        serving(meter_side, meter, Clock(), served_log),
        SerialMeter(host_side, meter.eui64, inter_frame_timeout=0.1, on_event=host_log) as proxy,
    ):
        assert proxy.receive(b"\xdf\x09cmd", T0) == [b"echo:\xdf\x09cmd"]
        assert proxy.trigger(0x8F35, T0) == [b"alert:\x8f\x35"]
    assert host_log.of(Silence) == []


def test_unsolicited_alerts_are_kept_until_the_next_call() -> None:
    meter, clock, served_log = EchoMeter(), Clock(), Recorder()
    meter.due = [(T0 + timedelta(minutes=1), b"tamper"), (T0 + timedelta(minutes=2), b"battery")]
    with (
        linked_ptys() as (meter_side, host_side),
        serving(meter_side, meter, clock, served_log),
        SerialMeter(host_side, meter.eui64, expected_answers=1) as proxy,
    ):
        assert proxy.next_due() is None
        clock.now = T0 + timedelta(minutes=1)
        assert wait_until(lambda: proxy.next_due() is not None)
        assert proxy.next_due() <= datetime.now(UTC)  # arrived: due at once on a wall clock
        assert proxy.advance(clock.now) == [b"tamper"]
        assert proxy.next_due() is None
        assert proxy.advance(clock.now) == []
        clock.now = T0 + timedelta(minutes=2)
        assert wait_until(lambda: proxy.next_due() is not None)
        assert proxy.next_due() == T0 + timedelta(minutes=1)  # the last now given: due at once
        assert proxy.receive(b"cmd", clock.now) == [b"battery", b"echo:cmd"]


def test_a_vanished_port_is_a_typed_error() -> None:
    recorder = Recorder()
    master, slave = open_pty()
    proxy = SerialMeter(os.ttyname(slave), bytes(8), on_event=recorder)
    try:
        os.close(slave)
        os.close(master)
        assert recorder.wait_for(Fault)
        with pytest.raises(SerialLinkError):
            proxy.receive(b"cmd", T0)
    finally:
        proxy.close()


def test_an_unopenable_port_is_a_typed_error() -> None:
    with pytest.raises(SerialLinkError, match="cannot open /nonexistent/tty"):
        SerialMeter("/nonexistent/tty", bytes(8))


def test_a_real_esme_behind_the_link_accepts_a_signed_command_and_raises_alerts() -> None:
    meter, clock, served_log = esme(), Clock(NOW), Recorder()
    with (
        linked_ptys() as (meter_side, host_side),
        serving(meter_side, meter, clock, served_log),
        SerialMeter(host_side, meter.eui64, expected_answers=1) as proxy,
    ):
        [response] = proxy.receive(command(meter, ECS02, 1), NOW)
        assert signed_by(meter, response).header.cra is Cra.RESPONSE
        assert meter.state.account.payment_mode is PaymentMode.CREDIT

        [alert] = proxy.trigger(TAMPER, NOW)
        assert decode(alert).header.cra is Cra.ALERT

        later = NOW + timedelta(hours=1)
        change = PaymentModeChange(PaymentMode.PREPAYMENT, Activation.FUTURE_DATED, later)
        assert len(proxy.receive(command(meter, ECS03, 2, change), NOW)) == 1
        clock.now = later  # the served meter's advance() is due: its 8F66 comes unprompted
        assert wait_until(lambda: proxy.next_due() is not None)
        [future_dated] = proxy.advance(later)
        assert signed_by(meter, future_dated).header.cra is Cra.ALERT
    assert meter.state.account.payment_mode is PaymentMode.PREPAYMENT


def test_solrsim_meter_serve_answers_a_demo_command_and_stops_on_ctrl_c() -> None:
    seed = b"solrsim"
    with pty() as (master, path):
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from sim.cli.meter import app; app()",
                "serve",
                "--port",
                path,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert read_frames(master, 1) == [Frame.ready(ESME)]
            banner = read_until(server.stdout.fileno(), b"READY")
            os.write(master, b"noise" + Frame.gbcs(demo_command(seed)).encode())
            [answer] = read_frames(master, 1)
            server.send_signal(signal.SIGINT)
            assert server.wait(timeout=DEADLINE) == 0
        finally:
            server.kill()
            server.wait(timeout=DEADLINE)
    response = decode(answer.payload)
    assert (response.header.cra, response.header.originator) == (Cra.RESPONSE, ESME)
    esme_ds = device_key(seed, ESME, KeyUsage.DIGITAL_SIGNING).public_key()
    assert signature_valid(response, esme_ds)
    output = (banner + server.stdout.read()).decode()
    assert re.search(r"skipped \d+ garbage bytes", output)
    assert output.rstrip().endswith("stopped")


def demo_command(seed: bytes) -> bytes:
    """The ECS02 command of ``solrsim demo``: supplier-signed, ACB-MACed, keys from ``seed``."""
    counter = 0x0000_0100_0000_0001
    change = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)
    header = GroupingHeader(Cra.COMMAND, counter, SUPPLIER, ESME, OtherInformation(ECS02))
    content = encode_payment_mode_command(ECS02, counter, change)
    signed = sign(
        GbcsMessage(header, content, b""), device_key(seed, SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    )
    acb_ka = device_key(seed, DEFAULT_ACB, KeyUsage.KEY_AGREEMENT)
    esme_ka = device_key(seed, ESME, KeyUsage.KEY_AGREEMENT)
    return encode(add_mac(signed, ecdh(acb_ka, esme_ka.public_key())))
