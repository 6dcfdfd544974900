"""Sans-IO framing of GBCS messages on a serial byte stream (specified in docs/serial.md).

Wire layout: ``7E`` then, byte-stuffed, ``type(1) length(2, big-endian) payload crc(2)``.
The CRC is CRC-16/IBM-3740 (a.k.a. CRC-16/CCITT-FALSE) over type, length and payload.
Stuffing (``7E`` -> ``7D 5E``, ``7D`` -> ``7D 5D``, as HDLC/PPP) keeps ``7E`` out of every
frame body, so a start byte always means "a frame starts here": garbage can delay nothing and
swallow nothing, and the length tells when a frame ends without waiting for the next one.

:class:`Decoder` takes any chunks of the stream and returns what it found: good frames,
garbage skipped between frames, and rejected frames with their reason. It never raises on
input; :class:`FramingError` is only for building frames and reading their payloads.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from enum import IntEnum

START = 0x7E
ESCAPE = 0x7D
ESCAPE_XOR = 0x20
# Comfortably above the largest unsegmented GBCS message; bigger ones travel as GBT blocks.
MAX_PAYLOAD = 4096
HEADER_LENGTH = 3  # type and length
CRC_LENGTH = 2
MAX_REASON_BYTES = 200


class FramingError(Exception):
    """A frame that cannot be built, or a frame payload that does not fit its type."""


class FrameType(IntEnum):
    GBCS = 0x01  # one whole GBCS message, either direction
    EVENT = 0x02  # a physical event to trigger on the meter: 2-byte alert code
    ERROR = 0x03  # the receiver refused a frame: 1-byte ErrorCode and a UTF-8 reason
    READY = 0x04  # empty: "are you listening?"; 8 bytes: "listening", the meter's EUI-64


class ErrorCode(IntEnum):
    """Why a frame was refused: in :class:`Rejected` events and in ERROR frames."""

    BAD_CRC = 0x01
    OVERSIZE = 0x02
    UNKNOWN_TYPE = 0x03
    TRUNCATED = 0x04  # a start byte arrived before the frame was complete
    BAD_ESCAPE = 0x05  # 7D followed by anything but 5E or 5D
    BAD_PAYLOAD = 0x06  # a well-formed frame whose payload does not fit its type
    METER_FAILURE = 0x07  # the meter could not process a well-formed frame
    REFUSED = 0x08  # the meter sends nothing back on GBCS for this frame; the reason says why


_FRAME_TYPES = frozenset(FrameType)
_ERROR_CODES = frozenset(ErrorCode)


def crc16(data: bytes) -> int:
    """CRC-16/IBM-3740: poly 0x1021, init 0xFFFF, no reflection, xorout 0; "123456789" -> 29B1."""
    return binascii.crc_hqx(data, 0xFFFF)


@dataclass(frozen=True, slots=True)
class Frame:
    """One good frame: what a peer sent, already checked and unstuffed."""

    kind: FrameType
    payload: bytes

    @classmethod
    def gbcs(cls, message: bytes) -> Frame:
        return cls(FrameType.GBCS, bytes(message))

    @classmethod
    def event(cls, alert_code: int) -> Frame:
        if not 0 <= alert_code <= 0xFFFF:
            raise FramingError(f"alert code {alert_code} does not fit in 2 bytes")
        return cls(FrameType.EVENT, alert_code.to_bytes(2, "big"))

    @classmethod
    def ready(cls, eui64: bytes = b"") -> Frame:
        """The meter end's "listening" with its EUI-64, or (empty) a host's question."""
        if len(eui64) not in (0, 8):
            raise FramingError(f"READY carries an EUI-64 or nothing, not {len(eui64)} bytes")
        return cls(FrameType.READY, bytes(eui64))

    @classmethod
    def error(cls, code: ErrorCode, reason: str) -> Frame:
        text = reason.encode("utf-8")[:MAX_REASON_BYTES].decode("utf-8", "ignore")
        return cls(FrameType.ERROR, bytes((code,)) + text.encode("utf-8"))

    def encode(self) -> bytes:
        """The wire bytes: start byte, then stuffed header, payload and CRC."""
        if len(self.payload) > MAX_PAYLOAD:
            raise FramingError(f"payload of {len(self.payload)} bytes exceeds {MAX_PAYLOAD}")
        body = bytes((self.kind,)) + len(self.payload).to_bytes(2, "big") + self.payload
        return bytes((START,)) + _stuff(body + crc16(body).to_bytes(2, "big"))

    @property
    def alert_code(self) -> int:
        """The alert code of an EVENT frame."""
        if self.kind is not FrameType.EVENT or len(self.payload) != 2:
            raise FramingError(
                f"not an event trigger: {self.kind.name} frame of {len(self.payload)} bytes"
            )
        return int.from_bytes(self.payload, "big")

    @property
    def error_reason(self) -> tuple[ErrorCode | int, str]:
        """The code (an :class:`ErrorCode`, or the raw byte if unknown) and reason of an ERROR."""
        if self.kind is not FrameType.ERROR or not self.payload:
            raise FramingError(
                f"not an error report: {self.kind.name} frame of {len(self.payload)} bytes"
            )
        code = self.payload[0]
        reason = self.payload[1:].decode("utf-8", "replace")
        return (ErrorCode(code) if code in _ERROR_CODES else code), reason


@dataclass(frozen=True, slots=True)
class Garbage:
    """Bytes outside any frame (line noise, a boot banner, the tail of an oversize frame)."""

    discarded: int


@dataclass(frozen=True, slots=True)
class Rejected:
    """A frame that started but was refused; ``discarded`` counts its wire bytes."""

    code: ErrorCode
    reason: str
    discarded: int


DecoderEvent = Frame | Garbage | Rejected


def _stuff(body: bytes) -> bytes:
    return body.replace(b"\x7d", b"\x7d\x5d").replace(b"\x7e", b"\x7d\x5e")


class Decoder:
    """Streaming decoder: feed it chunks as they arrive, get events in stream order.

    Holds at most one partial frame (bounded by :data:`MAX_PAYLOAD`); ``discarded`` is the
    running total of bytes skipped as garbage or rejected.
    """

    def __init__(self) -> None:
        self.discarded = 0
        self._in_frame = False
        self._body = bytearray()
        self._wire = 0  # wire bytes of the current frame, start byte included
        self._escaped = False
        self._garbage = 0

    def feed(self, data: bytes) -> list[DecoderEvent]:
        events: list[DecoderEvent] = []
        for byte in data:
            if byte == START:
                self._start(events)
            elif self._in_frame:
                self._wire += 1
                self._frame_byte(byte, events)
            else:
                self._garbage += 1
        self._flush_garbage(events)
        return events

    def _start(self, events: list[DecoderEvent]) -> None:
        self._flush_garbage(events)
        if self._in_frame:
            got = len(self._body)
            self._reject(ErrorCode.TRUNCATED, f"start byte after {got} frame bytes", events)
        self._in_frame, self._escaped, self._wire = True, False, 1
        self._body.clear()

    def _frame_byte(self, byte: int, events: list[DecoderEvent]) -> None:
        if self._escaped:
            self._escaped = False
            if byte not in (START ^ ESCAPE_XOR, ESCAPE ^ ESCAPE_XOR):
                self._reject(ErrorCode.BAD_ESCAPE, f"escape followed by 0x{byte:02X}", events)
                return
            byte ^= ESCAPE_XOR
        elif byte == ESCAPE:
            self._escaped = True
            return
        self._body.append(byte)
        if len(self._body) == HEADER_LENGTH:
            length = self._length()
            if length > MAX_PAYLOAD:
                self._reject(ErrorCode.OVERSIZE, f"length {length} exceeds {MAX_PAYLOAD}", events)
        elif len(self._body) == HEADER_LENGTH + self._length() + CRC_LENGTH:
            self._complete(events)

    def _length(self) -> int:
        return int.from_bytes(self._body[1:HEADER_LENGTH], "big")

    def _complete(self, events: list[DecoderEvent]) -> None:
        body = bytes(self._body[:-CRC_LENGTH])
        sent = int.from_bytes(self._body[-CRC_LENGTH:], "big")
        if crc16(body) != sent:
            reason = f"CRC 0x{sent:04X} sent, 0x{crc16(body):04X} computed"
            self._reject(ErrorCode.BAD_CRC, reason, events)
        elif body[0] not in _FRAME_TYPES:
            self._reject(ErrorCode.UNKNOWN_TYPE, f"frame type 0x{body[0]:02X}", events)
        else:
            events.append(Frame(FrameType(body[0]), body[HEADER_LENGTH:]))
            self._in_frame = False

    def _reject(self, code: ErrorCode, reason: str, events: list[DecoderEvent]) -> None:
        events.append(Rejected(code, reason, self._wire))
        self.discarded += self._wire
        self._in_frame = False

    def _flush_garbage(self, events: list[DecoderEvent]) -> None:
        if self._garbage:
            events.append(Garbage(self._garbage))
            self.discarded += self._garbage
            self._garbage = 0
