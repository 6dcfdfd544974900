"""DLMS codec: typed values, APDUs, date-times, refusals of malformed input, the RTDS corpus."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.gbcs import dlms
from devices.gbcs.dlms import (
    AccessKind,
    AccessRequest,
    AccessResponse,
    CosemDateTime,
    DataNotification,
    RequestSpec,
    ResponseSpec,
    Selection,
    TypeDescription,
    decode_dlms,
    encode_dlms,
)
from devices.gbcs.errors import GbcsDecodeError, GbcsEncodeError
from tests.gbcs.rtds_payloads import (
    RtdsPayload,
    is_dlms,
    mutated,
    payload_params,
    rtds_payloads,
)

ACCOUNT = bytes((0, 1, 19, 0, 0, 255))


# --- date-times --------------------------------------------------------------------------------


def test_date_time_round_trips_an_instant_in_gbcs_form() -> None:
    when = datetime(2030, 1, 15, 9, 0, 0, 250_000, UTC)
    cosem = CosemDateTime.from_datetime(when)
    assert cosem.raw.hex() == "07ee010fff090000198000ff"
    assert cosem.to_datetime() == when


def test_date_time_converts_other_zones_to_utc() -> None:
    local = datetime(2030, 1, 15, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    assert CosemDateTime.from_datetime(local).to_datetime() == datetime(
        2030, 1, 15, 9, 0, tzinfo=UTC
    )


def test_date_time_sentinels() -> None:
    assert CosemDateTime.NOT_SPECIFIED.raw.hex() == "0000000000000000008000ff"
    assert CosemDateTime.NEVER.raw.hex() == "ffffffffffffffffff8000ff"
    assert CosemDateTime(bytes(9) + b"\x80\x00\xff").is_not_specified
    assert CosemDateTime(b"\xff" * 9 + b"\x80\x00\xff").is_never
    assert CosemDateTime.NOT_SPECIFIED.to_datetime() is None
    assert CosemDateTime.NEVER.to_datetime() is None


@pytest.mark.parametrize(
    "raw",
    [
        "ffff010fff090000008000ff",  # any year
        "07ee0d0fff090000008000ff",  # month 13
        "07ee021eff090000008000ff",  # 30 February
        "07ee010fff090000008000ff"[:18] + "003cff",  # deviation +60: not read as UTC
        "07ee010fff090000648000ff",  # hundredths 100
    ],
)
def test_date_time_that_is_not_a_utc_instant_gives_none(raw: str) -> None:
    assert CosemDateTime(bytes.fromhex(raw)).to_datetime() is None


def test_date_time_unspecified_hundredths_read_as_zero() -> None:
    cosem = CosemDateTime(bytes.fromhex("07df0101ff000000ff8000ff"))
    assert cosem.to_datetime() == datetime(2015, 1, 1, tzinfo=UTC)


def test_date_time_refuses_wrong_sizes_and_naive_times() -> None:
    with pytest.raises(GbcsEncodeError):
        CosemDateTime(bytes(11))
    with pytest.raises(GbcsEncodeError, match="naive"):
        CosemDateTime.from_datetime(datetime(2030, 1, 1))
    year_one = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))  # in UTC, year 0
    with pytest.raises(GbcsEncodeError, match="outside the COSEM time range"):
        CosemDateTime.from_datetime(year_one)


# --- values and APDUs --------------------------------------------------------------------------

EVERY_SIMPLE_VALUE = (
    dlms.Null(),
    dlms.Boolean(0xFF),
    dlms.BitString(11, b"\xe0\x20"),
    dlms.DoubleLong(-2),
    dlms.DoubleLongUnsigned(0xFFFF_FFFF),
    dlms.OctetString(bytes(200)),
    dlms.VisibleString(b"GBCS"),
    dlms.Utf8String("£".encode()),
    dlms.Bcd(0x42),
    dlms.Integer(-128),
    dlms.Long(-300),
    dlms.Unsigned(255),
    dlms.LongUnsigned(0x8F30),
    dlms.Long64(-(2**63)),
    dlms.Long64Unsigned(2**64 - 1),
    dlms.Enum(2),
    dlms.Float32(b"\x7f\xc0\x00\x01"),
    dlms.Float64(bytes(8)),
    dlms.DateTimeValue(bytes(12)),
    dlms.DateValue(bytes(5)),
    dlms.TimeValue(bytes(4)),
)

COMPACT = dlms.CompactArray(
    TypeDescription(
        0x02,
        (
            TypeDescription(0x06),
            TypeDescription(0x09),
            TypeDescription(0x01, (TypeDescription(0x03),), 2),
        ),
    ),
    tuple(
        dlms.Structure(
            (
                dlms.DoubleLongUnsigned(n),
                dlms.OctetString(bytes(n)),
                dlms.Array((dlms.Boolean(1), dlms.Boolean(0))),
            )
        )
        for n in range(3)
    ),
)


def test_every_value_type_round_trips() -> None:
    body = dlms.Structure((*EVERY_SIMPLE_VALUE, dlms.Array(EVERY_SIMPLE_VALUE), COMPACT))
    apdu = DataNotification(0x2000_07D0, None, body)
    assert decode_dlms(encode_dlms(apdu)) == apdu


def test_compact_array_wire_form() -> None:
    value = dlms.CompactArray(
        TypeDescription(0x02, (TypeDescription(0x06), TypeDescription(0x12))),
        (dlms.Structure((dlms.DoubleLongUnsigned(1), dlms.LongUnsigned(2))),),
    )
    assert dlms.encode_data(value).hex() == "130202061206000000010002"


def test_access_request_of_every_kind_round_trips() -> None:
    selection = Selection(1, dlms.Structure((dlms.OctetString(bytes(12)),) * 2))
    apdu = AccessRequest(
        dlms.invoke_id_for(0x1234_5678),
        CosemDateTime.from_datetime(datetime(2015, 1, 1, tzinfo=UTC)),
        (
            RequestSpec(AccessKind.GET, 111, ACCOUNT, 2),
            RequestSpec(AccessKind.SET, 111, ACCOUNT, 13),
            RequestSpec(AccessKind.ACTION, 112, bytes(6), 1),
            RequestSpec(AccessKind.GET_WITH_SELECTION, 7, bytes(6), 2, selection),
        ),
        (dlms.Null(), dlms.OctetString(bytes(12)), dlms.Long(5), dlms.Null()),
    )
    encoded = encode_dlms(apdu)
    assert encoded[:6].hex() == "d9203456780c"
    assert decode_dlms(encoded) == apdu


def test_access_response_with_and_without_request_echo_round_trips() -> None:
    results = (ResponseSpec(AccessKind.SET, 0), ResponseSpec(AccessKind.ACTION, 0xFA))
    for echo in (None, (RequestSpec(AccessKind.SET, 111, ACCOUNT, 2),)):
        apdu = AccessResponse(0x2000_03EA, None, echo, (dlms.Null(), dlms.Null()), results)
        assert decode_dlms(encode_dlms(apdu)) == apdu


def test_response_results_read_success() -> None:
    assert ResponseSpec(AccessKind.SET, 0).success
    assert not ResponseSpec(AccessKind.SET, dlms.DataAccessResult.HARDWARE_FAULT).success


def test_invoke_id_is_0x20_and_the_low_counter_bytes() -> None:
    assert dlms.invoke_id_for(0x0102_0304_0506_07D0) == 0x2006_07D0


def test_boolean_keeps_its_byte() -> None:
    assert decode_dlms(bytes.fromhex("0f200007d00003ff")).body == dlms.Boolean(0xFF)
    assert dlms.Boolean(0xFF).value and not dlms.Boolean(0).value


@pytest.mark.parametrize(
    ("hex_", "reason", "offset"),
    [
        ("", "truncated APDU tag", 0),
        ("c4200007d000", "not a DLMS APDU", 0),
        ("0f2000", "truncated long-invoke-id", 1),
        ("0f200007d0", "truncated date-time length", 5),
        ("0f200007d005", "date-time of 5 bytes", 5),
        ("0f200007d00c0000", "truncated date-time", 6),
        ("0f200007d000", "truncated data tag", 6),
        ("0f200007d00007", "unknown DLMS data tag 0x07", 6),
        ("0f200007d00012ab", "truncated LongUnsigned", 7),
        ("0f200007d000020212", "truncated LongUnsigned", 9),
        ("0f200007d0000903aa", "truncated string", 8),
        ("0f200007d000098103aaaaaa", "non-minimal length", 7),
        ("0f200007d000098400", "unsupported length form", 7),
        ("0f200007d0000410ff", "truncated bit-string", 8),
        ("0f200007d0000000", "1 trailing bytes", 7),
        ("d9200003ea00010500000000000000000000", "unknown access specification CHOICE 5", 7),
        ("d9200003ea000104", "truncated class id", 8),
        ("d9200003ea000101000000000000000000010000", "1 trailing bytes", 19),
        ("da200003ea0002", "optional flag must be 00 or 01", 6),
        ("da200003ea0000000104ff", "unknown access specification CHOICE 4", 9),
        ("0f200007d000130200", "structure type with no members", 7),
        ("0f200007d00013010000", "array type with no elements", 7),
        ("0f200007d0001300", "type 0x00 not allowed", 7),
        ("0f200007d000131103", "truncated compact-array contents", 9),
        ("0f200007d000130602000000", "truncated DoubleLongUnsigned", 9),
        ("0f200007d000" + "0101" * 40 + "00", "nested too deeply", 72),
    ],
)
def test_malformed_input_names_offset_and_reason(hex_: str, reason: str, offset: int) -> None:
    with pytest.raises(GbcsDecodeError) as caught:
        decode_dlms(bytes.fromhex(hex_))
    assert reason in caught.value.reason
    assert caught.value.offset == offset


@pytest.mark.parametrize(
    "value",
    [
        dlms.Unsigned(256),
        dlms.Integer(128),
        dlms.DoubleLong(2**31),
        dlms.Boolean(0x100),
        dlms.BitString(9, b"\x00"),
        dlms.Float32(bytes(3)),
        dlms.CompactArray(TypeDescription(0x02), ()),
        dlms.CompactArray(TypeDescription(0x01, (TypeDescription(0x11),), 0), ()),
        dlms.CompactArray(TypeDescription(0x00), ()),
        dlms.CompactArray(TypeDescription(0x11), (dlms.Long(1),)),
        dlms.CompactArray(
            TypeDescription(0x01, (TypeDescription(0x11),), 2), (dlms.Array((dlms.Unsigned(1),)),)
        ),
    ],
)
def test_values_that_do_not_fit_the_wire_are_refused(value: dlms.Data) -> None:
    with pytest.raises(GbcsEncodeError):
        dlms.encode_data(value)


def test_apdu_fields_that_do_not_fit_are_refused() -> None:
    bad_obis = RequestSpec(AccessKind.GET, 1, bytes(5), 2)
    selection_on_get = RequestSpec(AccessKind.GET, 1, bytes(6), 2, Selection(1, dlms.Null()))
    for spec in (bad_obis, selection_on_get, RequestSpec(AccessKind.GET, 0x1_0000, bytes(6), 2)):
        with pytest.raises(GbcsEncodeError):
            encode_dlms(AccessRequest(1, None, (spec,), ()))
    with pytest.raises(GbcsEncodeError):
        encode_dlms(DataNotification(2**32, None, dlms.Null()))
    with pytest.raises(GbcsEncodeError):
        encode_dlms(
            AccessResponse(1, None, None, (), (ResponseSpec(AccessKind.GET_WITH_SELECTION, 0),))
        )


# --- RTDS corpus -------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", payload_params(is_dlms))
def test_rtds_dlms_payload_round_trips(payload: RtdsPayload) -> None:
    apdu = decode_dlms(payload.content)
    assert encode_dlms(apdu) == payload.content
    assert apdu.invoke_id == dlms.invoke_id_for(payload.counter)


def test_rtds_dlms_payload_counts(conformance: Path) -> None:
    kinds = Counter(type(decode_dlms(p.content)).__name__ for p in rtds_payloads() if is_dlms(p))
    assert kinds == {"AccessRequest": 389, "AccessResponse": 292, "DataNotification": 62}


# --- fuzzing -----------------------------------------------------------------------------------


def _decodes_or_refuses(data: bytes) -> None:
    """Only a value (that re-encodes to the input) or a GbcsDecodeError may come out."""
    try:
        apdu = decode_dlms(data)
    except GbcsDecodeError as e:
        assert 0 <= e.offset <= len(data)
    else:
        assert encode_dlms(apdu) == data


@settings(max_examples=400)
@given(st.sampled_from([b"\xd9", b"\xda", b"\x0f", b""]), st.binary(max_size=80))
def test_random_bytes_decode_or_refuse(prefix: bytes, tail: bytes) -> None:
    _decodes_or_refuses(prefix + tail)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_rtds_payloads_decode_or_refuse(conformance: Path, data: st.DataObject) -> None:
    payloads = [p.content for p in rtds_payloads() if is_dlms(p)]
    content = mutated(data, data.draw(st.sampled_from(payloads)))
    _decodes_or_refuses(content)
