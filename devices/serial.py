"""The serial bridge: the same sans-IO meter behind a port, or a port standing in for a meter.

:func:`serve_meter` puts a :class:`~devices.meter.Meter` on a port so a lab's tester can talk
to a virtual meter; :class:`SerialMeter` puts a physical meter on a port in a fleet in place of
a virtual one. Both speak the framing of :mod:`devices.serial_framing` (docs/serial.md) over
any pyserial URL (a device path, ``socket://host:port``, ``loop://``) and report what crossed
the wire and what went wrong as :data:`LinkEvent` values to an ``on_event`` callback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, Self, runtime_checkable

import serial

from devices.logs import LogEntry, SecurityEvent
from devices.serial_framing import (
    Decoder,
    ErrorCode,
    Frame,
    FrameType,
    FramingError,
    Garbage,
    Rejected,
)

if TYPE_CHECKING:
    from devices.meter import Meter

logger = logging.getLogger(__name__)

DEFAULT_BAUDRATE = 115200
# How long a read blocks: bounds how late a stop request or a due alert is noticed.
POLL_INTERVAL = 0.05
# A peer that stops reading must not block a writer for ever.
WRITE_TIMEOUT = 2.0
# How often serving tries to open a port again after it failed (a USB adapter replugged).
REOPEN_INTERVAL = 0.5


class SerialLinkError(Exception):
    """The port could not be opened, or failed (unplugged, closed by the peer, I/O error)."""


class SerialWriteTimeout(SerialLinkError):
    """The peer stopped reading: a frame could not be written within :data:`WRITE_TIMEOUT`."""


@dataclass(frozen=True, slots=True)
class Opened:
    """The port is open: from here on, bytes the peer sends are read."""

    port: str
    baudrate: int


@dataclass(frozen=True, slots=True)
class Received:
    frame: Frame


@dataclass(frozen=True, slots=True)
class Sent:
    frame: Frame


@dataclass(frozen=True, slots=True)
class Silence:
    """No frame at all came back within the reply timeout: the peer is silent or absent."""

    waited: float


@dataclass(frozen=True, slots=True)
class Fault:
    """Something failed on this side and was contained: a meter exception, a write timeout."""

    reason: str


LinkEvent = Opened | Received | Sent | Garbage | Rejected | Silence | Fault
EventSink = Callable[[LinkEvent], None]


@runtime_checkable
class Port(Protocol):
    """What this bridge uses of an open pyserial port: every URL handler's class has it, but
    ``serial_for_url`` is declared to return ``SerialBase``, which lacks ``in_waiting``."""

    name: str | None

    @property
    def in_waiting(self) -> int: ...

    def read(self, size: int = 1, /) -> bytes: ...

    def write(self, b: bytes, /) -> int | None: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...


def describe_event(event: LinkEvent) -> str:
    """One line for a person reading the link log."""
    match event:
        case Opened(port, baudrate):
            return f"opened {port} at {baudrate} baud"
        case Received(frame):
            return f"<- {describe_frame(frame)}"
        case Sent(frame):
            return f"-> {describe_frame(frame)}"
        case Garbage(discarded):
            return f"skipped {discarded} garbage bytes"
        case Rejected(code, reason, discarded):
            return f"rejected frame ({code.name}: {reason}), {discarded} bytes dropped"
        case Silence(waited):
            return f"no answer in {waited:.2f} s"
        case Fault(reason):
            return f"fault: {reason}"


def describe_frame(frame: Frame) -> str:
    """Type and meaning of a frame; GBCS payloads stay opaque here (a prefix in hex)."""
    if frame.kind is FrameType.GBCS:
        return f"GBCS {len(frame.payload)} bytes {frame.payload[:16].hex().upper()}..."
    if frame.kind is FrameType.READY:
        return f"READY {frame.payload.hex().upper()}" if frame.payload else "READY?"
    try:
        if frame.kind is FrameType.EVENT:
            return f"EVENT alert 0x{frame.alert_code:04X}"
        code, reason = frame.error_reason
    except FramingError as exc:
        return f"{frame.kind.name} malformed: {exc}"
    return f"ERROR {code.name if isinstance(code, ErrorCode) else f'0x{code:02X}'}: {reason}"


def is_trouble(event: LinkEvent) -> bool:
    """Whether a person watching the link should look: anything but routine traffic."""
    if isinstance(event, Opened):
        return False
    return not isinstance(event, Received | Sent) or event.frame.kind is FrameType.ERROR


def log_event(event: LinkEvent) -> None:
    """The default sink: traffic at DEBUG, anything that went wrong at WARNING."""
    level = logging.WARNING if is_trouble(event) else logging.DEBUG
    logger.log(level, "%s", describe_event(event))


def open_port(url: str, baudrate: int, on_event: EventSink) -> Port:
    """Open any pyserial URL with the read and write timeouts this module relies on."""
    try:
        port = serial.serial_for_url(
            url, baudrate=baudrate, timeout=POLL_INTERVAL, write_timeout=WRITE_TIMEOUT
        )
        if not isinstance(port, Port):
            port.close()
            raise SerialLinkError(f"cannot open {url}: not a byte-stream port")
    except (serial.SerialException, ValueError) as exc:
        raise SerialLinkError(f"cannot open {url}: {exc}") from None
    on_event(Opened(url, baudrate))
    return port


def read_available(port: Port) -> bytes:
    """Block up to the port's timeout for a first byte, then take whatever else is waiting."""
    try:
        data = port.read(port.in_waiting or 1)
        return data + port.read(port.in_waiting) if data else data
    except (serial.SerialException, OSError) as exc:
        raise SerialLinkError(f"read from {port.name} failed: {exc}") from None


def write_frame(port: Port, frame: Frame) -> None:
    """Send one frame; :class:`FramingError` if it cannot be framed (too big)."""
    data = frame.encode()
    try:
        port.write(data)
    except serial.SerialTimeoutException:
        raise SerialWriteTimeout(f"peer took nothing for {WRITE_TIMEOUT} s") from None
    except (serial.SerialException, OSError) as exc:
        raise SerialLinkError(f"write to {port.name} failed: {exc}") from None


def serve_meter(
    port_url: str,
    meter: Meter,
    *,
    clock: Callable[[], datetime],
    stop_event: threading.Event,
    baudrate: int = DEFAULT_BAUDRATE,
    on_event: EventSink = log_event,
) -> None:
    """Answer frames on ``port_url`` with ``meter`` until ``stop_event`` is set.

    Each time the port is open, a READY frame with the meter's EUI-64 says so (bytes a peer
    wrote before that were cleared by the open); an empty READY is answered with another.
    GBCS frames go to ``meter.receive``, EVENT frames to ``meter.trigger``; whatever the meter
    returns is sent back as GBCS frames, and so are the alerts of ``meter.advance`` once
    ``meter.next_due()`` has passed by ``clock()``. A GBCS or EVENT frame the meter answers
    with nothing gets an ERROR frame saying why (BAD_PAYLOAD, or REFUSED with the meter's log
    entry). Meter exceptions are answered with an ERROR frame and serving goes on; ERROR
    frames and garbage are reported, never answered.

    Rejected frames are answered once per burst, not once each: frames rejected back to back
    get one ERROR (the first one's code and reason, and how many more were rejected) when a
    good frame follows or the line has been quiet for :data:`POLL_INTERVAL`. Otherwise a
    burst of start bytes, each one a TRUNCATED frame, would be answered with some 37 bytes
    per byte. A port that fails while serving is reported and opened again (its input
    cleared), and so is one that takes nothing for :data:`WRITE_TIMEOUT`: a peer that stops
    reading must not hold serving up. Only a port that cannot be opened at first raises
    :class:`SerialLinkError`. ``stop_event`` is checked between two frames, so serving stops
    within :data:`POLL_INTERVAL`, or :data:`WRITE_TIMEOUT` if a write is blocked.
    """
    port: Port | None = open_port(port_url, baudrate, on_event)
    server = _Server(meter, clock, on_event)
    while not stop_event.is_set():
        if port is None:
            port = _reopen(port_url, baudrate, on_event, stop_event)
            continue
        try:
            server.serve(port, stop_event)
        except SerialLinkError as exc:
            on_event(Fault(f"{exc}; opening {port_url} again"))
        finally:
            port.close()
        port = None


def _reopen(
    url: str, baudrate: int, on_event: EventSink, stop_event: threading.Event
) -> Port | None:
    """The port opened again after :data:`REOPEN_INTERVAL`; None if it still cannot be."""
    if stop_event.wait(REOPEN_INTERVAL):
        return None
    try:
        return open_port(url, baudrate, on_event)
    except SerialLinkError:
        return None


@dataclass
class _Server:
    """What ``serve_meter`` does with each decoded event and each due ``advance``."""

    meter: Meter
    clock: Callable[[], datetime]
    on_event: EventSink
    port: Port | None = None
    decoder: Decoder = field(default_factory=Decoder)
    burst: _Burst | None = None

    def serve(self, port: Port, stop_event: threading.Event) -> None:
        """Serve one opening of the port until ``stop_event``; SerialLinkError if it fails."""
        self.port, self.decoder, self.burst = port, Decoder(), None
        self.send(Frame.ready(self.meter.eui64))
        while not stop_event.is_set():
            data = read_available(port)
            if not data:  # quiet for a whole read timeout: a burst of rejected frames is over
                self.answer_burst()
            for event in self.decoder.feed(data):
                if stop_event.is_set():
                    return
                self.handle(event)
            due = self.meter.next_due()
            if due is not None and self.clock() >= due:
                self.answer(self.meter.advance)

    def handle(self, event: Frame | Garbage | Rejected) -> None:
        if not isinstance(event, Frame):
            self.on_event(event)
            if isinstance(event, Rejected):
                self.burst = _Burst(event) if self.burst is None else self.burst.plus_one()
            return
        self.answer_burst()
        self.on_event(Received(event))
        if event.kind is FrameType.GBCS:
            self.answer(lambda now: self.meter.receive(event.payload, now), explain_silence=True)
        elif event.kind is FrameType.EVENT:
            try:
                code = event.alert_code
            except FramingError as exc:
                self.send(Frame.error(ErrorCode.BAD_PAYLOAD, str(exc)))
                return
            self.answer(lambda now: self.meter.trigger(code, now), explain_silence=True)
        elif event.kind is FrameType.READY and not event.payload:
            self.send(Frame.ready(self.meter.eui64))

    def answer(
        self, call: Callable[[datetime], list[bytes]], *, explain_silence: bool = False
    ) -> None:
        before = _latest_log_entry(self.meter)
        try:
            messages = call(self.clock())
        except Exception as exc:  # a meter bug must not end a lab session; the peer is told
            logger.exception("meter failed")
            self.on_event(Fault(f"meter failed: {exc!r}"))
            self.send(Frame.error(ErrorCode.METER_FAILURE, repr(exc)))
            return
        for message in messages:
            self.send(Frame.gbcs(message))
        if explain_silence and not messages:
            self.send(_silence_error(before, _latest_log_entry(self.meter)))

    def answer_burst(self) -> None:
        """The one ERROR frame for the rejected frames since the last good frame or pause."""
        if self.burst is not None:
            burst, self.burst = self.burst, None
            self.send(burst.error())

    def send(self, frame: Frame) -> None:
        """Write ``frame``; a frame too big is reported, a peer that takes nothing raises
        :class:`SerialWriteTimeout` (as a failed port: serving opens the port again)."""
        assert self.port is not None  # serve() sets it before anything is sent
        try:
            write_frame(self.port, frame)
        except FramingError as exc:
            self.on_event(Fault(f"{describe_frame(frame)} not sent: {exc}"))
            return
        except SerialWriteTimeout as exc:
            raise SerialWriteTimeout(f"{describe_frame(frame)} not sent: {exc}") from None
        self.on_event(Sent(frame))


@dataclass(frozen=True, slots=True)
class _Burst:
    """Frames rejected back to back, answered with one ERROR frame when the burst ends."""

    first: Rejected
    more: int = 0

    def plus_one(self) -> _Burst:
        return _Burst(self.first, self.more + 1)

    def error(self) -> Frame:
        """The first rejection's code and reason; the count of the others, if any."""
        others = f", and {self.more} more frames rejected" if self.more else ""
        return Frame.error(self.first.code, self.first.reason + others)


def _latest_log_entry(meter: Meter) -> LogEntry | None:
    """A meter says in its device logs why it answered nothing."""
    return meter.latest_log_entry


def _silence_error(before: LogEntry | None, after: LogEntry | None) -> Frame:
    """The ERROR frame standing for a meter's silence: the log entry it made, if it made one."""
    if after is None or after is before:
        return Frame.error(ErrorCode.REFUSED, "the meter sends nothing back")
    if after.kind is SecurityEvent.UNREADABLE_FRAME:
        return Frame.error(ErrorCode.BAD_PAYLOAD, f"not a GBCS message: {after.detail}")
    return Frame.error(ErrorCode.REFUSED, f"{after.kind}: {after.detail}")


class SerialMeter:
    """A meter on a serial port, in a fleet in place of a virtual one (the Meter protocol).

    A reader thread decodes everything the meter sends, so unsolicited alerts are kept whenever
    they arrive and handed over first by the next ``receive``, ``trigger`` or ``advance`` call.
    While some wait, ``next_due`` returns when the first arrived (wall clock, UTC) or the last
    ``now`` the host gave, whichever is earlier, so a host on simulated time sees them as due
    too. The framing has no end-of-answer marker: a call collects GBCS frames until
    ``expected_answers`` have come, or no frame arrived for ``inter_frame_timeout``
    (``reply_timeout`` before the first), and never waits longer than ``max_wait``.

    A silent meter is not an error: a meter may drop a command it refuses, so the call returns
    ``[]`` and reports :class:`Silence`. Only a failed port raises :class:`SerialLinkError`
    (and a message over :data:`~devices.serial_framing.MAX_PAYLOAD` raises ``FramingError``).
    Calls are meant to come from one host thread, as a meter answers one command at a time;
    ``on_event`` is called from the reader thread as well as from the caller's.
    """

    def __init__(
        self,
        port_url: str,
        eui64: bytes,
        *,
        baudrate: int = DEFAULT_BAUDRATE,
        reply_timeout: float = 2.0,
        inter_frame_timeout: float = 0.3,
        max_wait: float = 10.0,
        expected_answers: int | None = None,
        on_event: EventSink = log_event,
    ) -> None:
        self.eui64 = eui64
        self.reply_timeout = reply_timeout
        self.inter_frame_timeout = inter_frame_timeout
        self.max_wait = max_wait
        self.expected_answers = expected_answers
        self._on_event = on_event
        self._port = open_port(port_url, baudrate, on_event)
        self._decoder = Decoder()
        self._changed = threading.Condition()
        self._inbox: list[bytes] = []
        self._waiting_since: datetime | None = None
        self._frames_seen = 0
        self._failure: str | None = None
        self._last_now: datetime | None = None
        self._stop = threading.Event()
        self._reader = threading.Thread(
            target=self._read_loop, name=f"serial-meter-{eui64.hex()}", daemon=True
        )
        self._reader.start()

    def receive(self, frame: bytes, now: datetime) -> list[bytes]:
        return self._exchange(Frame.gbcs(frame), now)

    def trigger(self, alert_code: int, now: datetime) -> list[bytes]:
        """Ask the meter to act out a physical event (a served virtual meter does)."""
        return self._exchange(Frame.event(alert_code), now)

    def advance(self, now: datetime) -> list[bytes]:
        """The alerts that arrived since the last call; never waits."""
        with self._changed:
            self._last_now = now
            return self._take()

    def next_due(self) -> datetime | None:
        with self._changed:
            if self._waiting_since is None or self._last_now is None:
                return self._waiting_since
            return min(self._waiting_since, self._last_now)

    def close(self) -> None:
        self._stop.set()
        self._reader.join(timeout=10 * POLL_INTERVAL)
        self._port.close()

    def __enter__(self) -> SerialMeter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _exchange(self, frame: Frame, now: datetime) -> list[bytes]:
        with self._changed:
            if self._failure is not None:
                raise SerialLinkError(self._failure)
            self._last_now = now
            pending = self._take()
            seen = self._frames_seen
        write_frame(self._port, frame)
        self._on_event(Sent(frame))
        return pending + self._collect(seen)

    def _collect(self, seen: int) -> list[bytes]:
        start = time.monotonic()
        deadline, quiet_until = start + self.max_wait, start + self.reply_timeout
        answers: list[bytes] = []
        heard = False
        with self._changed:
            while True:
                answers += self._take()
                if self._frames_seen != seen:
                    heard, seen = True, self._frames_seen
                    quiet_until = time.monotonic() + self.inter_frame_timeout
                expected = self.expected_answers
                limit = min(quiet_until, deadline)
                done = expected is not None and len(answers) >= expected
                if done or self._failure is not None or time.monotonic() >= limit:
                    break
                self._changed.wait(limit - time.monotonic())
        if not heard:
            self._on_event(Silence(time.monotonic() - start))
        return answers

    def _take(self) -> list[bytes]:
        taken, self._inbox, self._waiting_since = self._inbox, [], None
        return taken

    def _read_loop(self) -> None:
        while not self._stop.is_set():
            try:
                data = read_available(self._port)
            except SerialLinkError as exc:
                if not self._stop.is_set():
                    self._on_event(Fault(str(exc)))
                    with self._changed:
                        self._failure = str(exc)
                        self._changed.notify_all()
                return
            for event in self._decoder.feed(data):
                self._record(event)

    def _record(self, event: Frame | Garbage | Rejected) -> None:
        if not isinstance(event, Frame):
            self._on_event(event)
            return
        self._on_event(Received(event))
        if event.kind is FrameType.READY:  # the meter (re)opened its port: not an answer
            return
        with self._changed:
            if event.kind is FrameType.GBCS:
                self._inbox.append(event.payload)
                self._waiting_since = self._waiting_since or datetime.now(UTC)
            self._frames_seen += 1
            self._changed.notify_all()
