"""XSD lexical values: strict on input, canonical on output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dcc.duis.errors import DuisSchemaError
from dcc.duis.values import (
    INT32,
    collapse,
    format_datetime,
    parse_base64,
    parse_bool,
    parse_datetime,
    parse_hex,
    parse_int,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030-01-15T09:00:00.00Z", datetime(2030, 1, 15, 9, tzinfo=UTC)),
        ("2025-10-30T20:56:25.804Z", datetime(2025, 10, 30, 20, 56, 25, 804000, tzinfo=UTC)),
        ("2030-01-15T09:00:00", datetime(2030, 1, 15, 9)),
        ("2030-01-15T09:00:00.1234567+01:00", datetime(2030, 1, 15, 8, 0, 0, 123456, tzinfo=UTC)),
        ("2030-01-15T09:00:00-14:00", datetime(2030, 1, 15, 23, tzinfo=UTC)),
        ("2030-12-31T24:00:00Z", datetime(2031, 1, 1, tzinfo=UTC)),
    ],
)
def test_datetimes_parsed(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2030-01-15 09:00:00Z",
        "2030-01-15T09:00Z",
        "2030-01-15T09:00:00+1:00",
        "2030-01-15T09:00:00+14:01",
        "2030-01-15T09:00:00+05:60",
        "2030-02-30T09:00:00Z",
        "2030-01-15T24:00:01Z",
        "0000-01-01T00:00:00Z",
        "10000-01-01T00:00:00Z",
        "9999-12-31T24:00:00Z",  # a valid xs:dateTime whose next midnight no datetime holds
        "2030-01-15T09:00:00.Z",
        "\u0662030-01-15T09:00:00Z",
    ],
)
def test_bad_datetimes_refused(text: str) -> None:
    with pytest.raises(DuisSchemaError):
        parse_datetime(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2025, 10, 30, 20, 56, 25, 804000, tzinfo=UTC), "2025-10-30T20:56:25.804Z"),
        (datetime(1, 1, 1, 0, 0, 0, 1), "0001-01-01T00:00:00.000001"),
        (
            datetime(2030, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "2030-01-01T00:00:00+05:30",
        ),
        (
            datetime(2030, 1, 1, tzinfo=timezone(-timedelta(minutes=30))),
            "2030-01-01T00:00:00-00:30",
        ),
    ],
)
def test_datetimes_formatted(value: datetime, text: str) -> None:
    assert format_datetime(value) == text
    assert parse_datetime(text) == value


@pytest.mark.parametrize("offset", [timedelta(seconds=30), timedelta(hours=15)])
def test_zones_xsd_cannot_write_refused(offset: timedelta) -> None:
    with pytest.raises(DuisSchemaError, match="whole minutes within"):
        format_datetime(datetime(2030, 1, 1, tzinfo=timezone(offset)))


def test_booleans_are_the_four_xsd_words() -> None:
    assert [parse_bool(word) for word in ("true", "1", "false", "0")] == [True, True, False, False]
    for word in ("True", "yes", "", "01"):
        with pytest.raises(DuisSchemaError, match="not an xs:boolean"):
            parse_bool(word)


def test_integers_are_checked_before_conversion() -> None:
    assert parse_int("+0007", *INT32) == 7
    assert parse_int("-2147483648", *INT32) == -(2**31)
    assert parse_int("0" * 5000 + "4", *INT32) == 4  # leading zeros are lexical, not digits
    assert parse_int("-" + "0" * 5000 + "4", *INT32) == -4
    for text, reason in [
        ("2147483648", "outside"),
        ("1_000", "not an integer"),
        ("9" * 5000, "outside"),
    ]:
        with pytest.raises(DuisSchemaError, match=reason):
            parse_int(text, *INT32)


def test_binary_values() -> None:
    assert parse_base64("3QAA\r\nAAAA") == bytes.fromhex("dd0000000000")
    assert parse_hex("8f66") == b"\x8f\x66"
    with pytest.raises(DuisSchemaError, match="base64"):
        parse_base64("3QAA*")
    for spaced in ("3Q AA", "3Q\tAA", " 3QAA\n"):
        assert parse_base64(spaced) == bytes.fromhex("dd0000")
    for outside in ("3QA\u00e9", "3QA\u00a0A", "3Q\u2028AA"):  # not XML white space either
        with pytest.raises(DuisSchemaError, match="base64"):
            parse_base64(outside)
    with pytest.raises(DuisSchemaError, match="hexBinary"):
        parse_hex("8F6")


def test_collapse_touches_xml_white_space_only() -> None:
    assert collapse("\t 1.6 \r\n") == "1.6"
    assert collapse("\u00a01.6") == "\u00a01.6"


def test_a_kept_utc_text_is_never_given_for_the_same_instant_in_another_zone() -> None:
    utc = datetime(2026, 11, 2, 9, 30, 0, 804000, tzinfo=UTC)
    london_summer = utc.astimezone(timezone(timedelta(hours=1)))
    assert utc == london_summer
    for _ in range(2):
        assert format_datetime(utc) == "2026-11-02T09:30:00.804Z"
        assert format_datetime(london_summer) == "2026-11-02T10:30:00.804+01:00"


@settings(max_examples=300)
@given(st.datetimes(timezones=st.just(UTC)))
def test_a_utc_time_is_written_as_any_zoned_time_is(value: datetime) -> None:
    """UTC times take a shorter way to their text: the same as a time in a zone of offset 0
    (written the long way), a fraction with no trailing zeros, ``Z``, and read back equal."""
    zero = value.replace(tzinfo=timezone(timedelta(0), "GMT"))  # not the UTC singleton
    assert format_datetime(value) == format_datetime(zero)
    assert parse_datetime(format_datetime(value)) == value
    if value.microsecond:
        assert not format_datetime(value).removesuffix("Z").endswith("0")
