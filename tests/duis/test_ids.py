"""RequestID / ResponseID text form, and service references."""

from __future__ import annotations

import re

import pytest

from dcc.duis.codes import SCHEMA_INVALID
from dcc.duis.errors import DuisSchemaError
from dcc.duis.ids import RequestID, ResponseID, check_service_reference, format_eui64

SUPPLIER = bytes.fromhex("90B3D51F30010000")
ESME = bytes.fromhex("00DB1234567890A0")
MAX_COUNTER = 2**64 - 1
PAIR = "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0"
OUTSIDE = re.escape("outside 0..2**64-1")


def test_request_id_round_trip_in_upper_case() -> None:
    text = "90-b3-d5-1f-30-01-00-00:00-db-12-34-56-78-90-a0:1011"
    rid = RequestID.parse(text)
    assert rid == RequestID(SUPPLIER, ESME, 1011)
    assert str(rid) == text.upper()
    assert RequestID.parse(str(rid)) == rid


@pytest.mark.parametrize("counter", [0, 1, 1655397248260, MAX_COUNTER])
def test_counter_bounds_accepted(counter: int) -> None:
    rid = RequestID(SUPPLIER, ESME, counter)
    assert RequestID.parse(str(rid)).counter == counter
    assert str(rid).endswith(f":{counter}")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("90-B3-D5-1F-30-01-00:00-DB-12-34-56-78-90-A0:1", "is not an EUI-64"),
        ("90-B3-D5-1F-30-01-00-00-11:00-DB-12-34-56-78-90-A0:1", "is not an EUI-64"),
        ("90-B3-D5-1F-30-01-00-0G:00-DB-12-34-56-78-90-A0:1", "is not an EUI-64"),
        ("90B3D51F30010000:00-DB-12-34-56-78-90-A0:1", "is not an EUI-64"),
        (f"{PAIR}:01", "without leading zeros"),
        (f"{PAIR}:-1", "without leading zeros"),
        (f"{PAIR}:1e3", "without leading zeros"),
        (f"{PAIR}:", "without leading zeros"),
        (f"{PAIR}:\u0661", "without leading zeros"),  # an Arabic-Indic digit one
        (f"{PAIR}:{2**64}", OUTSIDE),
        (f"{PAIR}:{'9' * 5000}", OUTSIDE),
        (PAIR, "three ':'-separated parts"),
        (f"{PAIR}:1:2", "three ':'-separated parts"),
    ],
)
def test_bad_request_ids_refused(text: str, reason: str) -> None:
    with pytest.raises(DuisSchemaError, match=reason) as caught:
        RequestID.parse(text)
    assert caught.value.response_code == SCHEMA_INVALID


@pytest.mark.parametrize(
    ("originator", "target", "counter", "reason"),
    [
        (SUPPLIER[:7], ESME, 1, "originator must be 8 bytes"),
        (SUPPLIER, ESME + b"\x00", 1, "target must be 8 bytes"),
        (SUPPLIER, ESME, -1, "outside"),
        (SUPPLIER, ESME, 2**64, "outside"),
    ],
)
def test_bad_request_id_values_refused(
    originator: bytes, target: bytes, counter: int, reason: str
) -> None:
    with pytest.raises(DuisSchemaError, match=reason):
        RequestID(originator, target, counter)


def test_response_id_swaps_device_and_user() -> None:
    rid = RequestID(SUPPLIER, ESME, 1655397248260)
    response_id = ResponseID.answering(rid)
    assert str(response_id) == "00-DB-12-34-56-78-90-A0:90-B3-D5-1F-30-01-00-00:1655397248260"
    assert ResponseID.parse(str(response_id)) == response_id
    assert response_id.request_id == rid


def test_format_eui64_refuses_wrong_length() -> None:
    assert format_eui64(ESME) == "00-DB-12-34-56-78-90-A0"
    with pytest.raises(DuisSchemaError, match="must be 8 bytes"):
        format_eui64(b"\x00" * 9)


@pytest.mark.parametrize(("reference", "variant"), [("1.6", "1.6"), ("8.1", "8.1.1")])
def test_service_references_accepted(reference: str, variant: str) -> None:
    check_service_reference(reference, variant)


@pytest.mark.parametrize(
    ("reference", "variant", "reason"),
    [
        ("1.6", "1.7", "not a variant of 1.6"),
        ("1.6", "1.66", "not a variant of 1.6"),
        ("1", "1.6", "not of the form N.N"),
        ("1.6", "1.6.1.1", "not of the form N.N or N.N.N"),
        (" 1.6", "1.6", "not of the form N.N"),
    ],
)
def test_bad_service_references_refused(reference: str, variant: str, reason: str) -> None:
    with pytest.raises(DuisSchemaError, match=reason):
        check_service_reference(reference, variant)


def test_a_kept_service_reference_never_lets_a_bad_one_through() -> None:
    """Passes are kept, refusals are not: a pair refused is refused every time, also right
    after the good pair that differs from it by one character passed."""
    for _ in range(3):
        check_service_reference("1.6", "1.6")
        with pytest.raises(DuisSchemaError, match=r"not a variant of 1\.6"):
            check_service_reference("1.6", "1.7")
        with pytest.raises(DuisSchemaError, match=r"not of the form N\.N"):
            check_service_reference("1.6 ", "1.6")


def test_a_request_id_read_again_is_the_same_and_a_bad_one_is_refused_each_time() -> None:
    text = "90-B3-D5-1F-30-0A-00-00:00-DB-12-34-56-78-90-A0:7"
    assert RequestID.parse(text) == RequestID.parse(text)
    assert str(RequestID.parse(text)) == text
    for _ in range(2):
        with pytest.raises(DuisSchemaError):
            RequestID.parse(text + "0" * 30)
