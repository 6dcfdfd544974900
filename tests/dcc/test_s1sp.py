"""The S1SP adapter: what it countersigns, what it refuses, and how meter frames become DUIS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.duis.codes import ResponseCode
from dcc.duis.ids import RequestID
from dcc.duis.inventory import ReadInventory
from dcc.duis.request import (
    CommandVariant,
    Prepayment,
    Request,
    RequestBody,
    RequestHeader,
    SignedPreCommand,
)
from dcc.duis.response import build_response
from dcc.duis.schema import solrsim_schema, validate
from dcc.s1sp import S1spFrameError, S1spRefusal, countersign, read_alert, to_duis_response
from devices.credentials import device_key
from devices.gbcs.crypto import private_key_from_seed
from devices.gbcs.keystore import KeyUsage
from devices.smets1_frame import (
    CANCEL_PENDING,
    EXECUTE_ON_DEMAND,
    Outcome,
    RequestRef,
    Smets1Alert,
    Smets1Command,
    Smets1Response,
    decode,
    encode,
    sign,
    signature_valid,
)
from tests.devices.test_smets1 import (
    DCC,
    DCC_KEY,
    METER_ID,
    NOW,
    OTHER_METER_ID,
    SEED,
    SUPPLIER,
    smets1_meter,
    sr_1_6,
)

SRP = bytes.fromhex("90B3D51F300A0000")
REQUEST = sr_1_6(1001)
REF = RequestRef(SUPPLIER, 1001)
# What the S1SP of a seeded run holds: the meter's key, derived as every device key is.
METER_PRIVATE_KEY = device_key(SEED, METER_ID, KeyUsage.DIGITAL_SIGNING)
METER_KEY = METER_PRIVATE_KEY.public_key()
STRANGER_KEY = private_key_from_seed(SEED, "stranger")


def command_in(frame: bytes) -> Smets1Command:
    command = decode(frame)
    assert isinstance(command, Smets1Command)
    return command


def meter_frame(
    outcome: Outcome = Outcome.EXECUTED,
    *,
    device: bytes = METER_ID,
    ref: RequestRef = REF,
    key: ec.EllipticCurvePrivateKey = METER_PRIVATE_KEY,
) -> bytes:
    """A response frame as a meter sends it, signed by ``key``."""
    return encode(sign(Smets1Response(device, ref, outcome, NOW), key))


# --- countersign ----------------------------------------------------------------------------------


def test_countersigned_command_carries_the_request_and_the_dcc_signature() -> None:
    command = command_in(countersign(REQUEST, DCC_KEY))

    assert command.target == METER_ID
    assert command.request == REF
    assert command.supplier == SUPPLIER
    assert (command.mode, command.flags, command.disablement_threshold) == (1, 0, 0)
    assert command.execution == EXECUTE_ON_DEMAND
    assert signature_valid(command, DCC.xml_sign_certificate.public_key())


def test_srp_request_names_the_supplier_it_acts_for() -> None:
    command = command_in(countersign(sr_1_6(3, originator=SRP), DCC_KEY, supplier=SUPPLIER))
    assert command.request == RequestRef(SRP, 3)
    assert command.supplier == SUPPLIER


def test_prepayment_fields_are_carried() -> None:
    command = command_in(countersign(sr_1_6(4, Prepayment(True, True, -70000)), DCC_KEY))
    assert (command.mode, command.flags, command.disablement_threshold) == (2, 3, -70000)


@pytest.mark.parametrize(
    ("execution", "wire"),
    [
        (datetime(2025, 3, 1, 12, 0, 0, 250000, tzinfo=UTC), 1740830400250000),
        (datetime(2025, 3, 1, 12), 1740830400000000),  # no zone: UTC
        (datetime(2999, 12, 31, 23, 59, tzinfo=UTC), 32503679940000000),
        (datetime(3000, 12, 31, tzinfo=UTC), CANCEL_PENDING),  # the DUIS templates' cancellation
        (datetime(3000, 1, 1, tzinfo=UTC), CANCEL_PENDING),
    ],
)
def test_execution_date_time(execution: datetime, wire: int) -> None:
    assert command_in(countersign(sr_1_6(5, execution=execution), DCC_KEY)).execution == wire


def _with_header(variant: CommandVariant, body: RequestBody, srv: str = "1.6") -> Request:
    header = RequestHeader(RequestID(SUPPLIER, METER_ID, 9), variant, srv, srv)
    return Request(header, body)


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (_with_header(CommandVariant.NON_DEVICE, ReadInventory(device_id=METER_ID), "8.2"), "E11"),
        (_with_header(CommandVariant.SIGNED_SEND_COMMAND, SignedPreCommand(b"\xdf\x09")), "E11"),
        (
            _with_header(CommandVariant.TRANSFORM, sr_1_6(9).body),
            "E12",
        ),
        (sr_1_6(9, execution=datetime(1969, 12, 31, tzinfo=UTC)), "E11"),
        (sr_1_6(9, originator=bytes(8)), "E11"),  # a meter would refuse it as content
    ],
    ids=[
        "SR 8.2",
        "signed pre-command",
        "SR 1.6 to transform",
        "execution before 1970",
        "all-zero originator",
    ],
)
def test_anything_but_a_sendable_sr_1_6_is_refused(request_: Request, code: str) -> None:
    with pytest.raises(S1spRefusal) as refused:
        countersign(request_, DCC_KEY)
    assert refused.value.response_code == code


# --- responses ----------------------------------------------------------------------------------


def test_executed_scheduled_and_cancelled_are_i0() -> None:
    for outcome in (Outcome.EXECUTED, Outcome.SCHEDULED, Outcome.CANCELLED):
        frame = meter_frame(outcome)
        response = to_duis_response(frame, REQUEST, NOW, device_key=METER_KEY)
        assert response.header.response_code is ResponseCode.I0
        assert response.header.response_id is not None
        assert response.header.response_id.request_id == REQUEST.header.request_id


NOT_AN_ANSWER = {
    "garbage": b"\x01\x81garbage",
    "unsigned": meter_frame()[:-64],
    "signed by another key": meter_frame(key=STRANGER_KEY),
    "another device": meter_frame(device=OTHER_METER_ID),
    "another request": meter_frame(ref=RequestRef(SRP, 1001)),
    "the command itself": countersign(REQUEST, DCC_KEY),
    "an alert": encode(sign(Smets1Alert(METER_ID, 1, 0x8F3F, NOW), STRANGER_KEY)),
}


@pytest.mark.parametrize("frame", NOT_AN_ANSWER.values(), ids=NOT_AN_ANSWER.keys())
def test_a_frame_that_is_not_the_devices_answer_is_no_response(frame: bytes) -> None:
    response = to_duis_response(frame, REQUEST, NOW, device_key=METER_KEY)

    assert response.header.response_code is ResponseCode.E21
    assert response.header.request_id == REQUEST.header.request_id
    assert response.header.response_id is None
    validate(build_response(response), solrsim_schema())


def test_responses_from_the_meter_itself() -> None:
    meter = smets1_meter()
    frame = meter.receive(countersign(REQUEST, DCC_KEY), NOW)[0]
    assert to_duis_response(frame, REQUEST, NOW, device_key=METER_KEY).header.response_code == "I0"
    stale = sr_1_6(1000)
    assert to_duis_response(frame, stale, NOW, device_key=METER_KEY).header.response_code == "E21"


# --- alerts -------------------------------------------------------------------------------------


def test_alert_reports_the_device_its_counter_and_code() -> None:
    meter = smets1_meter()
    at = NOW + timedelta(minutes=5)
    [frame] = meter.trigger(0x8F1D, at)

    alert = read_alert(frame, {METER_ID: METER_KEY}.get)

    assert (alert.device_id, alert.originator_counter, alert.alert_code) == (METER_ID, 1, 0x8F1D)
    assert alert.description == "GSME Power Supply Loss"
    assert alert.raised_at == at
    assert alert.request_id is None


@pytest.mark.parametrize(
    ("frame", "keys"),
    [
        (smets1_meter().trigger(0x8F3F, NOW)[0], {}),
        (encode(sign(Smets1Alert(METER_ID, 1, 0x8F3F, NOW), STRANGER_KEY)), {METER_ID: METER_KEY}),
        (encode(Smets1Alert(METER_ID, 1, 0x8F3F, NOW)), {METER_ID: METER_KEY}),
        (countersign(REQUEST, DCC_KEY), {METER_ID: METER_KEY}),
        (b"\x01\x82", {METER_ID: METER_KEY}),
    ],
    ids=["unknown device", "another key", "unsigned", "not an alert", "truncated"],
)
def test_alerts_that_are_not_the_devices_are_dropped(frame: bytes, keys: dict) -> None:
    with pytest.raises(S1spFrameError):
        read_alert(frame, keys.get)
