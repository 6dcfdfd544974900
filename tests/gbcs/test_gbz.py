"""GBZ codec: components (plain, from-date-time, encrypted), alerts, refusals, the RTDS corpus."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.gbcs import gbz
from devices.gbcs.errors import GbcsDecodeError, GbcsEncodeError
from devices.gbcs.frame import Cra
from devices.gbcs.gbz import (
    EncryptedZclFrame,
    GbzAlert,
    GbzComponent,
    GbzPayload,
    ZclFrame,
    decode_gbz,
    decode_gbz_alert,
    encode_gbz,
    encode_gbz_alert,
)
from tests.gbcs.rtds_payloads import RtdsPayload, mutated, payload_params, rtds_payloads

JAN_2015 = 0x1C37_4A80  # 2015-01-01 00:00 UTC in GBZ seconds

PLAIN = GbzComponent(0x00, 0x0705, ZclFrame(0x01, 0x00, 0x06, bytes(18)))
DATED = GbzComponent(0x10, 0x0702, ZclFrame(0x01, 0x07, 0x0B, b"\x01\x02"), JAN_2015)
MANUFACTURER = GbzComponent(0x00, 0x0700, ZclFrame(0x05, 0x01, 0x00, b"", 0x1234))
ENCRYPTED = GbzComponent(
    0x03,
    0x0702,
    EncryptedZclFrame(0x00, 0x00, 0x18, 0x00, 0x01, b"\x31" + bytes(4), bytes(25), bytes(12)),
)


def is_gbz(payload: RtdsPayload) -> bool:
    return payload.content[:2] == gbz.PROFILE_ID


def is_gbz_alert(payload: RtdsPayload) -> bool:
    return is_gbz(payload) and payload.cra == Cra.ALERT


def is_gbz_command_or_response(payload: RtdsPayload) -> bool:
    return is_gbz(payload) and payload.cra != Cra.ALERT


def test_gbz_times_count_seconds_from_2000() -> None:
    assert gbz.from_gbz_time(JAN_2015) == datetime(2015, 1, 1, tzinfo=UTC)
    assert gbz.to_gbz_time(datetime(2030, 1, 15, 9, tzinfo=UTC)) == 0x3881_8890
    with pytest.raises(GbcsEncodeError, match="naive"):
        gbz.to_gbz_time(datetime(2030, 1, 15))
    with pytest.raises(GbcsEncodeError, match="range"):
        gbz.to_gbz_time(datetime(1999, 12, 31, tzinfo=UTC))


def test_every_component_kind_round_trips() -> None:
    payload = GbzPayload((PLAIN, DATED, MANUFACTURER, ENCRYPTED))
    assert decode_gbz(encode_gbz(payload)) == payload


def test_plain_component_wire_form() -> None:
    encoded = encode_gbz(
        GbzPayload((GbzComponent(0x01, 0x0705, ZclFrame(0x08, 0, 0x0B, b"\x06\xc0")),))
    )
    assert encoded.hex() == "010901010705000508000b06c0"


def test_component_flags() -> None:
    assert ENCRYPTED.is_encrypted and ENCRYPTED.is_last
    assert not PLAIN.is_encrypted and not PLAIN.is_last


def test_alert_round_trips_and_reads_its_time() -> None:
    alert = GbzAlert(0, 0x8F3F, JAN_2015)
    encoded = encode_gbz_alert(alert)
    assert encoded.hex() == "0109008f3f1c374a80"
    assert decode_gbz_alert(encoded) == alert
    assert alert.time == datetime(2015, 1, 1, tzinfo=UTC)
    with_extra = GbzAlert(1, 0x81A0, JAN_2015, b"\x00\x05")
    assert decode_gbz_alert(encode_gbz_alert(with_extra)) == with_extra


@pytest.mark.parametrize(
    ("hex_", "reason", "offset"),
    [
        ("", "truncated GBZ profile id", 0),
        ("0108", "GBZ profile id: expected 0109", 0),
        ("0109", "truncated GBZ component count", 2),
        ("010901", "truncated GBZ extended header control", 3),
        ("010901010705", "truncated GBZ component length", 6),
        ("0109010107050004010006", "truncated GBZ component", 8),
        ("01090101070500020100", "truncated ZCL command id", 10),
        ("01090111070500041c374a80", "truncated ZCL frame control", 12),
        ("010901010705000305000600", "truncated ZCL sequence number", 11),
        ("01090101070500030100060000", "2 trailing bytes after GBZ components", 11),
        ("010901030702000700001800010000", "ciphered information shorter", 13),
        ("010901030702000800001800010000ff", "1 trailing bytes after ciphered", 15),
        ("0109010307020009000018000100110000", "truncated ciphered information", 15),
    ],
)
def test_malformed_payload_names_offset_and_reason(hex_: str, reason: str, offset: int) -> None:
    with pytest.raises(GbcsDecodeError) as caught:
        decode_gbz(bytes.fromhex(hex_))
    assert reason in caught.value.reason
    assert caught.value.offset == offset


@pytest.mark.parametrize(
    ("hex_", "reason", "offset"),
    [
        ("0209008f30", "GBZ profile id", 0),
        ("0109008f30", "truncated alert time stamp", 5),
        ("010900", "truncated alert code", 3),
    ],
)
def test_malformed_alert_names_offset_and_reason(hex_: str, reason: str, offset: int) -> None:
    with pytest.raises(GbcsDecodeError) as caught:
        decode_gbz_alert(bytes.fromhex(hex_))
    assert reason in caught.value.reason
    assert caught.value.offset == offset


@pytest.mark.parametrize(
    "component",
    [
        GbzComponent(0x02, 0x0702, PLAIN.frame),  # encrypted bit without ciphertext
        GbzComponent(0x00, 0x0702, ENCRYPTED.frame),  # ciphertext without the bit
        GbzComponent(0x10, 0x0702, PLAIN.frame),  # from-date-time bit without a time
        GbzComponent(0x00, 0x0702, PLAIN.frame, JAN_2015),  # a time without the bit
        GbzComponent(0x00, 0x0700, ZclFrame(0x05, 0, 0, b"")),  # manufacturer bit, no code
        GbzComponent(0x00, 0x0700, ZclFrame(0x01, 0, 0, b"", 7)),  # code without the bit
        GbzComponent(0x00, 0x1_0000, PLAIN.frame),  # cluster id too big
        GbzComponent(0x00, 0x0702, ZclFrame(0x01, 0x100, 0, b"")),  # sequence number too big
        GbzComponent(0x00, 0x0702, ZclFrame(0x01, 0, 0, bytes(0x1_0000))),  # too long
        GbzComponent(
            0x02, 0x0702, EncryptedZclFrame(0, 0, 0x18, 0, 1, bytes(4), b"", bytes(12))
        ),  # short security header
    ],
)
def test_components_that_do_not_fit_are_refused(component: GbzComponent) -> None:
    with pytest.raises(GbcsEncodeError):
        encode_gbz(GbzPayload((component,)))


def test_alert_fields_that_do_not_fit_are_refused() -> None:
    for alert in (GbzAlert(256, 0x8F30, 0), GbzAlert(0, 0x1_0000, 0), GbzAlert(0, 1, 2**32)):
        with pytest.raises(GbcsEncodeError):
            encode_gbz_alert(alert)


# --- RTDS corpus -------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", payload_params(is_gbz_command_or_response))
def test_rtds_gbz_payload_round_trips(payload: RtdsPayload) -> None:
    assert encode_gbz(decode_gbz(payload.content)) == payload.content


@pytest.mark.parametrize("payload", payload_params(is_gbz_alert))
def test_rtds_gbz_alert_round_trips(payload: RtdsPayload) -> None:
    assert encode_gbz_alert(decode_gbz_alert(payload.content)) == payload.content


def test_rtds_gbz_counts(conformance: Path) -> None:
    kinds: Counter[str] = Counter()
    for payload in rtds_payloads():
        if is_gbz_alert(payload):
            kinds["alert"] += 1
        elif is_gbz(payload):
            kinds["payload"] += 1
            for component in decode_gbz(payload.content).components:
                kinds["encrypted"] += component.is_encrypted
                kinds["from date time"] += component.from_date_time is not None
    assert kinds == {"payload": 334, "alert": 20, "encrypted": 43, "from date time": 14}


def test_rtds_last_component_alone_has_bit_0(conformance: Path) -> None:
    for payload in rtds_payloads():
        if is_gbz_command_or_response(payload):
            flags = [c.is_last for c in decode_gbz(payload.content).components]
            assert flags == [False] * (len(flags) - 1) + [True], payload.name


# --- fuzzing -----------------------------------------------------------------------------------


def _decodes_or_refuses(data: bytes) -> None:
    for decode, encode in ((decode_gbz, encode_gbz), (decode_gbz_alert, encode_gbz_alert)):
        try:
            value = decode(data)
        except GbcsDecodeError as e:
            assert 0 <= e.offset <= len(data)
        else:
            assert encode(value) == data


@settings(max_examples=400)
@given(st.sampled_from([b"\x01\x09", b""]), st.binary(max_size=80))
def test_random_bytes_decode_or_refuse(prefix: bytes, tail: bytes) -> None:
    _decodes_or_refuses(prefix + tail)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_rtds_payloads_decode_or_refuse(conformance: Path, data: st.DataObject) -> None:
    payloads = [p.content for p in rtds_payloads() if is_gbz(p)]
    content = mutated(data, data.draw(st.sampled_from(payloads)))
    _decodes_or_refuses(content)
