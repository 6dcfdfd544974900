"""ADT files (R4.2): one canonical signed form, and a clear reason for every malformed file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from dcc.adt import AdtFile, AdtFileError, AdtThreshold, SignedAdt, sign_adt
from devices.gbcs.crypto import private_key_from_seed

SRP = bytes.fromhex("90B3D51F30050000")
SUPPLIER_A = bytes.fromhex("00000000000000A1")
SUPPLIER_B = bytes.fromhex("00000000000000B2")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = private_key_from_seed(b"test-adt", "officer")

CANONICAL = (
    b'{"issued_at":"2026-03-02T09:00:00Z","thresholds":['
    b'{"count":0,"srv":"1.6","supplier":null},'
    b'{"count":500,"srv":"1.6","supplier":"00-00-00-00-00-00-00-A1"}],'
    b'"user_id":"90-B3-D5-1F-30-05-00-00"}'
)


def _adt() -> AdtFile:
    return AdtFile(SRP, (AdtThreshold("1.6", 500, SUPPLIER_A), AdtThreshold("1.6", 0)), T0)


def test_r4_2_encoding_is_canonical_json() -> None:
    assert _adt().encode() == CANONICAL


def test_r4_2_parse_reads_back_the_encoded_file() -> None:
    assert AdtFile.parse(CANONICAL) == _adt()


def test_r4_2_row_order_and_time_zone_do_not_change_the_file() -> None:
    rows = (AdtThreshold("1.6", 500, SUPPLIER_A), AdtThreshold("1.6", 0))
    later = T0.astimezone(timezone(timedelta(hours=1)))
    assert AdtFile(SRP, rows[::-1], later) == _adt()
    assert AdtFile(SRP, rows[::-1], later).encode() == CANONICAL


def test_r4_2_row_for_a_supplier_falls_back_to_the_row_for_all() -> None:
    adt = _adt()
    assert adt.row("1.6", SUPPLIER_A) == AdtThreshold("1.6", 500, SUPPLIER_A)
    assert adt.row("1.6", SUPPLIER_B) == AdtThreshold("1.6", 0)
    assert adt.row("1.5", SUPPLIER_A) is None


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff", "not UTF-8"),
        (b'{"issued_at":', "not JSON"),
        (b"[" * 100_000, "not JSON"),
        (b"[]", "the file is not a JSON object"),
        (
            CANONICAL.replace(b'"user_id"', b'"colour":1,"user_id"'),
            "unknown key in the file: colour",
        ),
        (CANONICAL.replace(b',"user_id":"90-B3-D5-1F-30-05-00-00"', b""), "missing key"),
        (CANONICAL.replace(b'"count":0,', b'"count":0,"note":"x",'), "unknown key in threshold"),
        (CANONICAL.replace(b'"count":0,', b'"count":0,"count":9,'), "key repeated"),
        (CANONICAL.replace(b'"count":500', b'"count":-1'), "count -1 is not a whole number"),
        (CANONICAL.replace(b'"count":500', b'"count":5.0'), "count 5.0 is not a whole number"),
        (CANONICAL.replace(b'"count":500', b'"count":true'), "count True is not a whole number"),
        (
            CANONICAL.replace(b'"srv":"1.6","supplier":null', b'"srv":"x","supplier":null'),
            "SRV: Se",
        ),
        (
            CANONICAL.replace(b'"srv":"1.6","supplier":null', b'"srv":16,"supplier":null'),
            "srv is not",
        ),
        (CANONICAL.replace(b"90-B3-D5-1F-30-05-00-00", b"90-B3-D5"), "user_id"),
        (CANONICAL.replace(b'"00-00-00-00-00-00-00-A1"', b'"A1"'), "supplier"),
        (
            CANONICAL.replace(b'"supplier":null', b'"supplier":"00-00-00-00-00-00-00-A1"'),
            "two rows",
        ),
        (
            CANONICAL.replace(b'"thresholds":[', b'"thresholds":{"a":[').replace(b"}],", b"}]},"),
            "thresholds is not a list",
        ),
        (CANONICAL.replace(b"09:00:00Z", b"09:00:00+00:00"), "UTC time ending in Z"),
        (CANONICAL.replace(b"2026-03-02T09:00:00Z", b"yesterdayZ"), "not an ISO 8601 time"),
        (CANONICAL.replace(b"B3", b"b3"), "not in canonical form"),
        (CANONICAL.replace(b'"count":500,', b'"count": 500,'), "not in canonical form"),
    ],
)
def test_r4_2_malformed_file_is_refused_with_a_reason(content: bytes, reason: str) -> None:
    with pytest.raises(AdtFileError, match=reason):
        AdtFile.parse(content)


def test_r4_2_rows_out_of_canonical_order_are_refused() -> None:
    swapped = CANONICAL.replace(
        b'{"count":0,"srv":"1.6","supplier":null},'
        b'{"count":500,"srv":"1.6","supplier":"00-00-00-00-00-00-00-A1"}',
        b'{"count":500,"srv":"1.6","supplier":"00-00-00-00-00-00-00-A1"},'
        b'{"count":0,"srv":"1.6","supplier":null}',
    )
    with pytest.raises(AdtFileError, match="not in canonical form"):
        AdtFile.parse(swapped)


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda: AdtThreshold("1.6", -3), "count -3"),
        (lambda: AdtThreshold("1.6", 1, b"\x01"), "supplier must be 8 bytes"),
        (lambda: AdtFile(b"\x01\x02", (), T0), "user_id must be 8 bytes"),
        (lambda: AdtFile(SRP, (), datetime(2026, 3, 2)), "no time zone"),
        (lambda: AdtFile(SRP, (AdtThreshold("1.6", 1), AdtThreshold("1.6", 2)), T0), "two rows"),
    ],
)
def test_r4_2_an_invalid_adt_cannot_be_built(build, reason: str) -> None:
    with pytest.raises(AdtFileError, match=reason):
        build()


def test_r4_2_signature_covers_the_canonical_bytes() -> None:
    signed = sign_adt(_adt(), "aro-1", KEY)
    assert signed.content == CANONICAL
    assert signed.officer_id == "aro-1"
    assert len(signed.signature) == 64
    assert signed.verifies(KEY.public_key())
    assert sign_adt(_adt(), "aro-1", KEY) == signed  # RFC 6979: a seeded run replays


def test_r4_2_signature_fails_for_tampered_content_or_another_key() -> None:
    signed = sign_adt(_adt(), "aro-1", KEY)
    tampered = SignedAdt(signed.content.replace(b"500", b"900"), "aro-1", signed.signature)
    assert not tampered.verifies(KEY.public_key())
    assert not signed.verifies(private_key_from_seed(b"test-adt", "other").public_key())
