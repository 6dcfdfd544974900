"""Alert payloads: the future-dated execution alerts (8F66/8F67) and generic alerts.

The virtual meters build these to raise alerts (tamper, battery, supply loss, ...), and the DCC
and the users read them back. ESME alerts are DLMS Data-Notifications, GSME alerts GBZ alert
payloads (spec/gbcs.md §3.3; RTDS NA_GCA-*, NA_GNCA-* and 1.6 8F66 files).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import dlms, gbz
from ._reader import Reader, encode_uint
from .content import Protocol, is_gbz
from .errors import GbcsDecodeError, GbcsEncodeError

FUTURE_DATED_SUCCESS = 0x8F66
FUTURE_DATED_FAILURE = 0x8F67


# --- alerts ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CosemTarget:
    """The COSEM attribute a future-dated DLMS command set."""

    class_id: int
    obis: bytes
    attribute_id: int


@dataclass(frozen=True, slots=True)
class ZclTarget:
    """The ZCL command a future-dated GBZ command carried."""

    cluster_id: int
    frame_control: int
    command_id: int


@dataclass(frozen=True, slots=True)
class FutureDatedAlert:
    """8F66/8F67: a future-dated command was (not) carried out; names the command it was.

    ``timestamp`` is when it ran; the target's type says the payload kind (DLMS or GBZ).
    """

    alert_code: int
    timestamp: datetime
    message_code: int
    originator_counter: int
    target: CosemTarget | ZclTarget

    @property
    def succeeded(self) -> bool:
        return self.alert_code == FUTURE_DATED_SUCCESS


@dataclass(frozen=True, slots=True)
class GenericAlert:
    """An alert code and time stamp, plus the use-case-specific ``extra`` bytes.

    For DLMS, ``extra`` holds the A-XDR encodings of the alert structure's further elements;
    for GBZ, the raw bytes after the time stamp.
    """

    protocol: Protocol
    alert_code: int
    timestamp: datetime
    extra: bytes = b""


_FUTURE_DATED_CODES = (FUTURE_DATED_SUCCESS, FUTURE_DATED_FAILURE)
_DLMS_ALERT_DETAIL = 19  # message code, counter, class, OBIS, attribute
_GBZ_ALERT_DETAIL = 14  # message code, counter, cluster, frame control, command
_GBZ_ALERT_TAIL_OFFSET = 9  # 01 09, count, alert code(2), time stamp(4)


def decode_future_dated_alert(content: bytes) -> FutureDatedAlert:
    """Read an 00CC (DLMS) or 00CD (GBZ) payload, told apart by the GBZ profile id."""
    if is_gbz(content):
        return _decode_gbz_future_dated_alert(content)
    items = _dlms_alert_items(content, exact_count=3)
    detail = items[2]
    if not (isinstance(detail, dlms.OctetString) and len(detail.value) == _DLMS_ALERT_DETAIL):
        offset = dlms.tail_offset(content, items[2:])
        raise GbcsDecodeError("future-dated detail is not a 19-byte octet string", offset)
    r = Reader(detail.value)
    message_code, counter = r.uint(2, "message code"), r.uint(8, "originator counter")
    target = CosemTarget(r.uint(2, "class id"), r.take(6, "OBIS"), r.u8("attribute id"))
    code_offset = dlms.tail_offset(content, items) + 1
    code = _future_dated_code(_dlms_alert_code(content, items), code_offset)
    return FutureDatedAlert(code, _dlms_alert_time(content, items), message_code, counter, target)


def _decode_gbz_future_dated_alert(content: bytes) -> FutureDatedAlert:
    alert = gbz.decode_gbz_alert(content)
    if alert.component_count != 1:
        raise GbcsDecodeError("a future-dated GBZ alert counts one component", 2)
    if len(alert.extra) != 1 + _GBZ_ALERT_DETAIL or alert.extra[0] != _GBZ_ALERT_DETAIL:
        raise GbcsDecodeError("future-dated detail is not 0E + 14 bytes", _GBZ_ALERT_TAIL_OFFSET)
    r = Reader(alert.extra, 1)
    message_code, counter = r.uint(2, "message code"), r.uint(8, "originator counter")
    target = ZclTarget(r.uint(2, "cluster id"), r.u8("frame control"), r.u8("command id"))
    code = _future_dated_code(alert.alert_code, 3)
    return FutureDatedAlert(code, alert.time, message_code, counter, target)


def _future_dated_code(alert_code: int, offset: int) -> int:
    if alert_code not in _FUTURE_DATED_CODES:
        raise GbcsDecodeError(f"alert 0x{alert_code:04X} is not 8F66/8F67", offset)
    return alert_code


def _dlms_alert_items(content: bytes, exact_count: int | None = None) -> tuple[dlms.Data, ...]:
    """The elements of a DLMS alert structure: alert code, time stamp, then any others."""
    apdu = dlms.decode_dlms(content)
    if not isinstance(apdu, dlms.DataNotification):
        raise GbcsDecodeError("not a DLMS Data-Notification", 0)
    items = apdu.body.items if isinstance(apdu.body, dlms.Structure) else ()
    if len(items) < 2 or exact_count not in (None, len(items)):
        raise GbcsDecodeError(
            "alert body is not the structure {alert code, time stamp, ...} expected",
            dlms.header_size(apdu.date_time),
        )
    return items


def _dlms_alert_code(content: bytes, items: tuple[dlms.Data, ...]) -> int:
    if not isinstance(items[0], dlms.LongUnsigned):
        raise GbcsDecodeError("alert code is not a long-unsigned", dlms.tail_offset(content, items))
    return items[0].value


def _dlms_alert_time(content: bytes, items: tuple[dlms.Data, ...]) -> datetime:
    stamp = items[1]
    when = None
    if isinstance(stamp, dlms.OctetString) and len(stamp.value) == 12:
        when = dlms.CosemDateTime(stamp.value).to_datetime()
    if when is None:
        offset = dlms.tail_offset(content, items[1:])
        raise GbcsDecodeError("alert time stamp is not a UTC date-time", offset)
    return when


def decode_generic_alert(content: bytes) -> GenericAlert:
    """Read a generic alert payload (1000/1001; any alert, read for its code and time)."""
    if is_gbz(content):
        alert = gbz.decode_gbz_alert(content)
        if alert.component_count != (1 if alert.extra else 0):
            raise GbcsDecodeError("a GBZ alert counts 1 component iff it has extra bytes", 2)
        return GenericAlert(Protocol.GBZ, alert.alert_code, alert.time, alert.extra)
    plain = _read_plain_dlms_alert(content)
    if plain is not None:
        return plain
    items = _dlms_alert_items(content)
    extra = b"".join(dlms.encode_data(v) for v in items[2:])
    code, when = _dlms_alert_code(content, items), _dlms_alert_time(content, items)
    return GenericAlert(Protocol.DLMS, code, when, extra)


def read_alert_code(content: bytes) -> int:
    """The alert code of a generic or future-dated alert payload, DLMS or GBZ, read without
    judging what follows it (time stamp, further elements). It is all the DCC needs to label
    and route an alert, whose payload it passes on whole for the User to read."""
    if is_gbz(content):
        return gbz.decode_gbz_alert(content).alert_code
    plain = _read_plain_dlms_alert(content)
    if plain is not None:
        return plain.alert_code
    return _dlms_alert_code(content, _dlms_alert_items(content))


def encode_future_dated_alert(alert: FutureDatedAlert, counter: int) -> bytes:
    """The content of an 00CC/00CD alert; ``counter`` is the alert's own (for the invoke id)."""
    detail = _be(alert.message_code, 2, "message code") + _be(
        alert.originator_counter, 8, "originator counter"
    )
    target = alert.target
    if isinstance(target, CosemTarget):
        detail += (
            _be(target.class_id, 2, "class id")
            + target.obis
            + _be(target.attribute_id, 1, "attribute id")
        )
        extra = (dlms.OctetString(detail),)
        return _encode_dlms_alert(counter, alert.alert_code, alert.timestamp, extra)
    detail += (
        _be(target.cluster_id, 2, "cluster id")
        + _be(target.frame_control, 1, "frame control")
        + _be(target.command_id, 1, "command id")
    )
    tail = bytes((len(detail),)) + detail
    stamp = gbz.to_gbz_time(alert.timestamp)
    return gbz.encode_gbz_alert(gbz.GbzAlert(1, alert.alert_code, stamp, tail))


def encode_generic_alert(alert: GenericAlert, counter: int) -> bytes:
    """The content of a generic alert; ``counter`` is the alert's own (for the DLMS invoke id)."""
    if alert.protocol is Protocol.DLMS:
        if not alert.extra and 0 <= alert.alert_code <= 0xFFFF:
            return _plain_dlms_alert(counter, alert.alert_code, alert.timestamp)
        extra = _data_items(alert.extra)
        return _encode_dlms_alert(counter, alert.alert_code, alert.timestamp, extra)
    stamp = gbz.to_gbz_time(alert.timestamp)
    count = 1 if alert.extra else 0
    return gbz.encode_gbz_alert(gbz.GbzAlert(count, alert.alert_code, stamp, alert.extra))


def _encode_dlms_alert(
    counter: int, alert_code: int, timestamp: datetime, extra: tuple[dlms.Data, ...]
) -> bytes:
    stamp = dlms.OctetString(dlms.CosemDateTime.from_datetime(timestamp).raw)
    body = dlms.Structure((dlms.LongUnsigned(alert_code), stamp, *extra))
    return dlms.encode_dlms(dlms.DataNotification(dlms.invoke_id_for(counter), None, body))


# A DLMS alert with no further elements, the form every ESME alert but 8F66/8F67 takes: a
# Data-Notification with no date-time whose body is {long-unsigned code, octet-string(12) time
# stamp}. These 25 bytes are written and read directly: the general A-XDR codec, which meters
# and the DCC would otherwise run for every alert, gives and accepts exactly the same bytes.
_PLAIN_DLMS_ALERT_SIZE = 25
_PLAIN_DLMS_ALERT_BODY = bytes((0x00, dlms.Structure.tag, 2, dlms.LongUnsigned.tag))
_PLAIN_DLMS_ALERT_STAMP = bytes((dlms.OctetString.tag, 12))


def _plain_dlms_alert(counter: int, alert_code: int, timestamp: datetime) -> bytes:
    stamp = dlms.CosemDateTime.from_datetime(timestamp).raw
    return b"".join(
        (
            bytes((dlms.DATA_NOTIFICATION,)),
            dlms.invoke_id_for(counter).to_bytes(4, "big"),
            _PLAIN_DLMS_ALERT_BODY,
            alert_code.to_bytes(2, "big"),
            _PLAIN_DLMS_ALERT_STAMP,
            stamp,
        )
    )


def _read_plain_dlms_alert(content: bytes) -> GenericAlert | None:
    """The alert if ``content`` has the plain form with a UTC time stamp; None for any other
    content, which the general decoder then reads or refuses with its reasons."""
    if (
        len(content) != _PLAIN_DLMS_ALERT_SIZE
        or content[0] != dlms.DATA_NOTIFICATION
        or content[5:9] != _PLAIN_DLMS_ALERT_BODY
        or content[11:13] != _PLAIN_DLMS_ALERT_STAMP
    ):
        return None
    when = dlms.CosemDateTime(content[13:]).to_datetime()
    if when is None:
        return None
    return GenericAlert(Protocol.DLMS, int.from_bytes(content[9:11], "big"), when)


def _data_items(extra: bytes) -> tuple[dlms.Data, ...]:
    r = Reader(extra)
    items = []
    try:
        while not r.at_end:
            items.append(dlms.read_data(r))
    except GbcsDecodeError as e:
        raise GbcsEncodeError(f"extra is not A-XDR data: {e}") from e
    return tuple(items)


def _be(value: int, size: int, what: str) -> bytes:
    """GBCS alert details are big-endian."""
    return encode_uint(value, size, what, "big")
