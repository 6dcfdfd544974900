"""GBZ payloads of GBCS GSME messages: ZigBee SE (ZCL) frames in GBZ components, and GBZ alerts.

Lossless like the DLMS codec: ``encode_gbz(decode_gbz(b)) == b`` for every payload accepted.
ZCL payloads stay raw bytes here (their little-endian fields are read by the use-case modules),
and encrypted components keep their ciphertext opaque but delimited, so a message can be checked
and relayed without its keys. Facts: GBCS notes §1.4 and §3.3; GP ``zigbee.ts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from ._reader import Reader
from .errors import GbcsDecodeError, GbcsEncodeError

PROFILE_ID = b"\x01\x09"

LAST_COMPONENT = 0x01
ENCRYPTED = 0x02
FROM_DATE_TIME = 0x10

MANUFACTURER_SPECIFIC = 0x04  # ZCL frame control bit: a manufacturer code follows it

GBZ_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_TAG_SIZE = 12
_SECURITY_HEADER_SIZE = 5


def from_gbz_time(seconds: int) -> datetime:
    """A GBZ/ZCL UTC time: seconds since 2000-01-01 00:00 UTC."""
    return GBZ_EPOCH + timedelta(seconds=seconds)


def to_gbz_time(when: datetime) -> int:
    if when.tzinfo is None:
        raise GbcsEncodeError("naive datetime: GBZ times are UTC, give a timezone")
    seconds = (when - GBZ_EPOCH) // timedelta(seconds=1)
    if not 0 <= seconds <= 0xFFFF_FFFF:
        raise GbcsEncodeError(f"{when.isoformat()} is outside the GBZ time range")
    return seconds


@dataclass(frozen=True, slots=True)
class ZclFrame:
    """A plaintext ZCL frame; ``manufacturer_code`` is present iff frame control bit 0x04 is."""

    frame_control: int
    sequence_number: int
    command_id: int
    payload: bytes
    manufacturer_code: int | None = None


@dataclass(frozen=True, slots=True)
class EncryptedZclFrame:
    """A ciphered component body: ZCL header in clear, payload as GCM ciphertext and 12-byte tag."""

    header_control: int
    frame_counter: int
    frame_control: int
    sequence_number: int
    command_id: int
    security_header: bytes
    ciphertext: bytes
    tag: bytes


@dataclass(frozen=True, slots=True)
class GbzComponent:
    """One GBZ component; ``from_date_time`` (raw GBZ seconds) is there iff control bit 0x10 is."""

    control: int
    cluster_id: int
    frame: ZclFrame | EncryptedZclFrame
    from_date_time: int | None = None

    @property
    def is_encrypted(self) -> bool:
        return bool(self.control & ENCRYPTED)

    @property
    def is_last(self) -> bool:
        return bool(self.control & LAST_COMPONENT)


@dataclass(frozen=True, slots=True)
class GbzPayload:
    components: tuple[GbzComponent, ...]


@dataclass(frozen=True, slots=True)
class GbzAlert:
    """A GBZ alert payload (CRA 3); ``extra`` is the use-case-specific tail, kept raw.

    ``component_count`` is the byte sent: RTDS has 00 for bare alerts and 01 when ``extra``
    follows.
    """

    component_count: int
    alert_code: int
    timestamp: int
    extra: bytes = b""

    @property
    def time(self) -> datetime:
        return from_gbz_time(self.timestamp)


# --- decoding ----------------------------------------------------------------------------------


def decode_gbz(content: bytes) -> GbzPayload:
    """Decode a GBZ command or response payload (not an alert: see :func:`decode_gbz_alert`)."""
    r = Reader(content)
    r.expect(PROFILE_ID, "GBZ profile id")
    count = r.u8("GBZ component count")
    components = tuple(_read_component(r) for _ in range(count))
    r.expect_end("GBZ components")
    return GbzPayload(components)


def decode_gbz_alert(content: bytes) -> GbzAlert:
    r = Reader(content)
    r.expect(PROFILE_ID, "GBZ profile id")
    count = r.u8("GBZ component count")
    alert_code = r.uint(2, "alert code")
    timestamp = r.uint(4, "alert time stamp")
    return GbzAlert(count, alert_code, timestamp, r.rest())


def _read_component(r: Reader) -> GbzComponent:
    control = r.u8("GBZ extended header control")
    cluster_id = r.uint(2, "cluster id")
    body = r.sub(r.uint(2, "GBZ component length"), "GBZ component")
    if control & ENCRYPTED:
        return GbzComponent(control, cluster_id, _read_encrypted(body))
    from_date_time = body.uint(4, "from date time") if control & FROM_DATE_TIME else None
    frame_control = body.u8("ZCL frame control")
    manufacturer = None
    if frame_control & MANUFACTURER_SPECIFIC:
        manufacturer = int.from_bytes(body.take(2, "ZCL manufacturer code"), "little")
    sequence_number = body.u8("ZCL sequence number")
    command_id = body.u8("ZCL command id")
    frame = ZclFrame(frame_control, sequence_number, command_id, body.rest(), manufacturer)
    return GbzComponent(control, cluster_id, frame, from_date_time)


def _read_encrypted(body: Reader) -> EncryptedZclFrame:
    header_control = body.u8("additional header control")
    frame_counter = body.u8("additional header frame counter")
    frame_control = body.u8("ZCL frame control")
    sequence_number = body.u8("ZCL sequence number")
    command_id = body.u8("ZCL command id")
    start = body.pos
    ciphered = body.sub(body.uint(2, "ciphered information length"), "ciphered information")
    body.expect_end("ciphered information")
    if ciphered.remaining < _SECURITY_HEADER_SIZE + _TAG_SIZE:
        raise GbcsDecodeError("ciphered information shorter than its header and tag", start)
    security_header = ciphered.take(_SECURITY_HEADER_SIZE, "security header")
    ciphertext = ciphered.take(ciphered.remaining - _TAG_SIZE, "ciphertext")
    return EncryptedZclFrame(
        header_control,
        frame_counter,
        frame_control,
        sequence_number,
        command_id,
        security_header,
        ciphertext,
        ciphered.take(_TAG_SIZE, "AE MAC"),
    )


# --- encoding ----------------------------------------------------------------------------------


def encode_gbz(payload: GbzPayload) -> bytes:
    parts = [PROFILE_ID, _byte(len(payload.components), "GBZ component count")]
    parts.extend(_encode_component(c) for c in payload.components)
    return b"".join(parts)


def encode_gbz_alert(alert: GbzAlert) -> bytes:
    return (
        PROFILE_ID
        + _byte(alert.component_count, "GBZ component count")
        + _uint(alert.alert_code, 2, "alert code")
        + _uint(alert.timestamp, 4, "alert time stamp")
        + alert.extra
    )


def _encode_component(component: GbzComponent) -> bytes:
    frame = component.frame
    if component.is_encrypted != isinstance(frame, EncryptedZclFrame):
        raise GbcsEncodeError("control bit 0x02 must match an EncryptedZclFrame")
    if isinstance(frame, EncryptedZclFrame):
        body = _encode_encrypted(frame)
    else:
        body = _encode_plain(component, frame)
    return (
        _byte(component.control, "GBZ extended header control")
        + _uint(component.cluster_id, 2, "cluster id")
        + _uint(len(body), 2, "GBZ component length")
        + body
    )


def _encode_plain(component: GbzComponent, frame: ZclFrame) -> bytes:
    has_time = bool(component.control & FROM_DATE_TIME)
    if has_time != (component.from_date_time is not None):
        raise GbcsEncodeError("control bit 0x10 must match a from_date_time")
    has_manufacturer = bool(frame.frame_control & MANUFACTURER_SPECIFIC)
    if has_manufacturer != (frame.manufacturer_code is not None):
        raise GbcsEncodeError("ZCL frame control bit 0x04 must match a manufacturer_code")
    head = b"" if component.from_date_time is None else _uint(component.from_date_time, 4, "time")
    head += _byte(frame.frame_control, "ZCL frame control")
    if frame.manufacturer_code is not None:
        head += _uint(frame.manufacturer_code, 2, "manufacturer code", "little")
    return (
        head
        + _byte(frame.sequence_number, "ZCL sequence number")
        + _byte(frame.command_id, "ZCL command id")
        + frame.payload
    )


def _encode_encrypted(frame: EncryptedZclFrame) -> bytes:
    if len(frame.security_header) != _SECURITY_HEADER_SIZE or len(frame.tag) != _TAG_SIZE:
        raise GbcsEncodeError("security header has 5 bytes and the AE MAC 12")
    ciphered = frame.security_header + frame.ciphertext + frame.tag
    header = (
        frame.header_control,
        frame.frame_counter,
        frame.frame_control,
        frame.sequence_number,
        frame.command_id,
    )
    return (
        b"".join(_byte(v, "encrypted component header") for v in header)
        + _uint(len(ciphered), 2, "ciphered information length")
        + ciphered
    )


def _byte(value: int, what: str) -> bytes:
    return _uint(value, 1, what)


def _uint(value: int, size: int, what: str, order: Literal["big", "little"] = "big") -> bytes:
    try:
        return value.to_bytes(size, order)
    except OverflowError as e:
        raise GbcsEncodeError(f"{what} {value} does not fit {size} bytes") from e
