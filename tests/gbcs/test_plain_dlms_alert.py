"""The plain ESME alert (code and time stamp, nothing else) is written and read without the
general A-XDR codec; these tests hold it to exactly what that codec writes, reads and refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.gbcs import dlms
from devices.gbcs.alert_payload import GenericAlert, decode_generic_alert, encode_generic_alert
from devices.gbcs.content import Protocol
from devices.gbcs.errors import GbcsDecodeError, GbcsEncodeError

AT = datetime(2026, 11, 2, 9, 41, 7, 250_000, UTC)


def _general_encoding(counter: int, code: int, when: datetime) -> bytes:
    stamp = dlms.OctetString(dlms.CosemDateTime.from_datetime(when).raw)
    body = dlms.Structure((dlms.LongUnsigned(code), stamp))
    return dlms.encode_dlms(dlms.DataNotification(dlms.invoke_id_for(counter), None, body))


def _general_reading(content: bytes) -> GenericAlert | None:
    """What the general codec makes of ``content``: None where it refuses it."""
    try:
        apdu = dlms.decode_dlms(content)
    except GbcsDecodeError:
        return None
    if not isinstance(apdu, dlms.DataNotification) or not isinstance(apdu.body, dlms.Structure):
        return None
    items = apdu.body.items
    if len(items) < 2 or not isinstance(items[0], dlms.LongUnsigned):
        return None
    stamp = items[1]
    if not isinstance(stamp, dlms.OctetString) or len(stamp.value) != 12:
        return None
    when = dlms.CosemDateTime(stamp.value).to_datetime()
    if when is None:
        return None
    extra = b"".join(dlms.encode_data(item) for item in items[2:])
    return GenericAlert(Protocol.DLMS, items[0].value, when, extra)


def _read(content: bytes) -> GenericAlert | None:
    try:
        return decode_generic_alert(content)
    except GbcsDecodeError:
        return None


@settings(max_examples=300)
@given(
    counter=st.integers(0, 2**64 - 1),
    code=st.integers(0, 0xFFFF),
    seconds=st.integers(0, 80 * 365 * 86400),
)
def test_plain_alert_bytes_are_the_general_codecs(counter: int, code: int, seconds: int) -> None:
    when = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(
        seconds=seconds, microseconds=counter % 10**6
    )
    content = encode_generic_alert(GenericAlert(Protocol.DLMS, code, when), counter)
    assert content == _general_encoding(counter, code, when)
    assert decode_generic_alert(content) == GenericAlert(
        Protocol.DLMS, code, when.replace(microsecond=when.microsecond // 10_000 * 10_000)
    )


@pytest.mark.parametrize("code", [-1, 0x10000])
def test_an_alert_code_beyond_two_bytes_is_refused(code: int) -> None:
    with pytest.raises(GbcsEncodeError):
        encode_generic_alert(GenericAlert(Protocol.DLMS, code, AT), 1)


def test_a_naive_time_stamp_is_refused() -> None:
    with pytest.raises(GbcsEncodeError, match="naive"):
        encode_generic_alert(GenericAlert(Protocol.DLMS, 0x8F3F, AT.replace(tzinfo=None)), 1)


def test_every_altered_byte_is_read_or_refused_as_the_general_codec_does() -> None:
    """Flip each byte of a plain alert through several values: tag, invoke id, date-time flag,
    structure count, element tags and lengths, code and each time stamp field."""
    content = encode_generic_alert(GenericAlert(Protocol.DLMS, 0x8F1F, AT), 0x7D0)
    for position in range(len(content)):
        for value in (0x00, 0x01, 0x02, 0x0C, 0x12, 0x63, 0x64, 0x80, 0xFF, content[position] ^ 1):
            altered = content[:position] + bytes((value,)) + content[position + 1 :]
            assert _read(altered) == _general_reading(altered), altered.hex()


def test_truncated_or_extended_plain_alerts_fall_to_the_general_codec() -> None:
    content = encode_generic_alert(GenericAlert(Protocol.DLMS, 0x8F1F, AT), 0x7D0)
    for cut in range(len(content)):
        assert _read(content[:cut]) is None
    assert _read(content + b"\x00") is None
    longer = content[:7] + b"\x03" + content[8:] + dlms.encode_data(dlms.Unsigned(5))
    assert decode_generic_alert(longer) == GenericAlert(Protocol.DLMS, 0x8F1F, AT, b"\x11\x05")
