"""A SMETS1 meter behind the S1SP: DUIS SR 1.6 requests built with dcc/duis, countersigned by the
adapter with the DCC's DSP XML-signing key from the test PKI, run by the meter, answered in DUIS.

The DCC key is the DSP XML-signing one (role DSP_XML_SIGN, digital signing) of DccIdentity: the
countersignature vouches for a DUIS request, which is the DSP's word; the ACB's keys speak GBCS.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dcc.duis.codes import ResponseCode
from dcc.duis.ids import RequestID
from dcc.duis.request import (
    CommandVariant,
    Credit,
    Prepayment,
    Request,
    RequestHeader,
    UpdatePaymentMode,
)
from dcc.duis.response import Response, build_response
from dcc.duis.schema import solrsim_schema, validate
from dcc.identity import DccIdentity
from dcc.s1sp import countersign, read_alert, to_duis_response
from dcc.smki.authority import SmkiAuthority, org_key_from_seed
from dcc.smki.repository import SmkiRepository
from dcc.smki.roles import KeyUsage, RemotePartyRole
from devices.gbcs.payment_mode import PaymentMode
from devices.logs import Event, SecurityEvent
from devices.meter import Account
from devices.smets1 import LAST_ALERT_COUNTER, Smets1Meter
from devices.smets1_frame import (
    CANCEL_PENDING,
    EXECUTE_ON_DEMAND,
    Outcome,
    RequestRef,
    Smets1Alert,
    Smets1Command,
    Smets1ContentError,
    Smets1DecodeError,
    Smets1EncodeError,
    Smets1Response,
    decode,
    encode,
    sign,
)
from tests.devices.support import PREPAYMENT_ACCOUNT

SEED = b"tests/smets1"
NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
METER_ID = bytes.fromhex("00DB1234567890A0")
OTHER_METER_ID = bytes.fromhex("00DB1234567890B0")
SUPPLIER = bytes.fromhex("90B3D51F30010000")
DCC = DccIdentity.issue(SmkiRepository(SmkiAuthority.from_seed(SEED)), SEED, NOW)
DCC_KEY = DCC.xml_sign_private
# A key the meter does not trust: the supplier's own XML-signing key, trying to skip the DCC.
SUPPLIER_KEY = org_key_from_seed(SEED, SUPPLIER, RemotePartyRole.XML_SIGN, KeyUsage.DIGITAL_SIGNING)
CREDIT_ACCOUNT = Account(disablement_threshold=100, meter_balance=2500)
CREDIT = Credit()


def smets1_meter(account: Account = PREPAYMENT_ACCOUNT, alert_counter: int = 0) -> Smets1Meter:
    """A meter provisioned with the DCC certificate: it trusts that certificate's public key."""
    return Smets1Meter(
        METER_ID,
        DCC.xml_sign_certificate.public_key(),
        SEED,
        account=account,
        alert_counter=alert_counter,
    )


def sr_1_6(
    counter: int,
    mode: Credit | Prepayment = CREDIT,
    execution: datetime | None = None,
    *,
    target: bytes = METER_ID,
    originator: bytes = SUPPLIER,
) -> Request:
    """An SR 1.6 for a SMETS1 device, as a User sends it (CV 1)."""
    header = RequestHeader(
        RequestID(originator, target, counter), CommandVariant.SEND_COMMAND, "1.6", "1.6"
    )
    return Request(header, UpdatePaymentMode(mode, execution))


def duis_answer(meter: Smets1Meter, request: Request, frames: list[bytes]) -> Response:
    """The adapter's DUIS response to the meter's one answer, checked against our schema."""
    assert len(frames) == 1
    response = to_duis_response(frames[0], request, NOW, device_key=meter.public_key)
    validate(build_response(response), solrsim_schema())
    return response


def with_command(frame: bytes, **changes: Any) -> Smets1Command:
    """The command in ``frame``, with some fields changed."""
    command = decode(frame)
    assert isinstance(command, Smets1Command)
    return replace(command, **changes)


# --- SR 1.6 end to end ----------------------------------------------------------------------------


def test_credit_request_switches_the_meter_to_credit_and_answers_i0() -> None:
    meter = smets1_meter()
    request = sr_1_6(1001)

    response = duis_answer(meter, request, meter.receive(countersign(request, DCC_KEY), NOW))

    assert meter.account == Account(
        PaymentMode.CREDIT, disablement_threshold=100, meter_balance=2500, emergency_credit=500
    )
    assert meter.last_counters == {SUPPLIER: 1001}
    assert meter.pending is None
    assert [entry.kind for entry in meter.event_log] == [Event.EXECUTED]
    assert meter.security_log == ()
    assert response.header.response_code is ResponseCode.I0
    assert response.header.request_id == request.header.request_id
    assert str(response.header.response_id) == (
        "00-DB-12-34-56-78-90-A0:90-B3-D5-1F-30-01-00-00:1001"
    )


@pytest.mark.parametrize(
    "prepayment",
    [Prepayment(True, False, 556677), Prepayment(False, True, 0), Prepayment(True, True, -5)],
)
def test_prepayment_request_applies_its_fields(prepayment: Prepayment) -> None:
    meter = smets1_meter(CREDIT_ACCOUNT)
    request = sr_1_6(7, prepayment)

    response = duis_answer(meter, request, meter.receive(countersign(request, DCC_KEY), NOW))

    assert response.header.response_code is ResponseCode.I0
    assert meter.account == Account(
        PaymentMode.PREPAYMENT,
        suspend_debt_disabled=prepayment.suspend_debt_disabled,
        suspend_debt_emergency=prepayment.suspend_debt_emergency,
        disablement_threshold=prepayment.disablement_threshold,
        meter_balance=2500,
    )


def test_future_dated_request_is_executed_by_advance_at_its_time() -> None:
    meter = smets1_meter()
    at = NOW + timedelta(hours=2)
    request = sr_1_6(1002, execution=at)

    response = duis_answer(meter, request, meter.receive(countersign(request, DCC_KEY), NOW))

    assert response.header.response_code is ResponseCode.I0
    assert meter.account == PREPAYMENT_ACCOUNT
    assert meter.next_due() == at
    assert meter.advance(at - timedelta(microseconds=1)) == []
    assert meter.account == PREPAYMENT_ACCOUNT

    [alert] = meter.advance(at)

    assert meter.account.payment_mode is PaymentMode.CREDIT
    assert meter.pending is None and meter.next_due() is None
    reported = read_alert(alert, {METER_ID: meter.public_key}.get)
    assert reported.alert_code == 0x8F66
    assert reported.raised_at == at
    assert reported.request_id == request.header.request_id
    assert [entry.kind for entry in meter.event_log] == [
        Event.SCHEDULED,
        Event.FUTURE_DATED_EXECUTED,
        Event.ALERT_SENT,
    ]
    assert meter.advance(at + timedelta(days=1)) == []


def test_execution_in_year_3000_cancels_the_pending_change() -> None:
    meter = smets1_meter()
    meter.receive(countersign(sr_1_6(1, execution=NOW + timedelta(hours=1)), DCC_KEY), NOW)
    cancel = sr_1_6(2, execution=datetime(3000, 12, 31, tzinfo=UTC))

    response = duis_answer(meter, cancel, meter.receive(countersign(cancel, DCC_KEY), NOW))

    assert response.header.response_code is ResponseCode.I0
    assert meter.pending is None and meter.next_due() is None
    assert meter.advance(NOW + timedelta(days=365)) == []
    assert meter.account == PREPAYMENT_ACCOUNT
    assert meter.last_counters == {SUPPLIER: 2}
    assert meter.event_log[-1].kind is Event.CANCELLED


def test_a_later_command_replaces_the_pending_one() -> None:
    meter = smets1_meter()
    meter.receive(countersign(sr_1_6(1, execution=NOW + timedelta(hours=1)), DCC_KEY), NOW)

    meter.receive(countersign(sr_1_6(2), DCC_KEY), NOW)

    assert meter.account.payment_mode is PaymentMode.CREDIT
    assert meter.pending is None


def test_srp_acting_for_a_failed_supplier_has_its_own_counters() -> None:
    srp = bytes.fromhex("90B3D51F300A0000")
    meter = smets1_meter()
    meter.receive(countersign(sr_1_6(50), DCC_KEY), NOW)
    request = sr_1_6(1, originator=srp)

    frames = meter.receive(countersign(request, DCC_KEY, supplier=SUPPLIER), NOW)

    assert duis_answer(meter, request, frames).header.response_code is ResponseCode.I0
    assert meter.last_counters == {SUPPLIER: 50, srp: 1}
    assert "acting for 90B3D51F30010000" in meter.event_log[-1].detail


# --- refusals: nothing answered, nothing changed, the reason logged -------------------------------

CREDIT_FRAME = countersign(sr_1_6(1001), DCC_KEY)


def _flip(frame: bytes, index: int) -> bytes:
    return frame[:index] + bytes((frame[index] ^ 0x01,)) + frame[index + 1 :]


REFUSED = {
    "no countersignature": (CREDIT_FRAME[:-64], SecurityEvent.SIGNATURE_ABSENT),
    "countersigned by another key": (
        encode(sign(with_command(CREDIT_FRAME), SUPPLIER_KEY)),
        SecurityEvent.SIGNATURE_INVALID,
    ),
    "tampered: credit made prepayment": (
        encode(with_command(CREDIT_FRAME, mode=0x02, disablement_threshold=1)),
        SecurityEvent.SIGNATURE_INVALID,
    ),
    "tampered: counter changed": (_flip(CREDIT_FRAME, 25), SecurityEvent.SIGNATURE_INVALID),
    "tampered signature": (_flip(CREDIT_FRAME, 100), SecurityEvent.SIGNATURE_INVALID),
    "wrong target": (
        countersign(sr_1_6(1001, target=OTHER_METER_ID), DCC_KEY),
        SecurityEvent.NOT_FOR_ME,
    ),
    "truncated by one byte": (CREDIT_FRAME[:-1], SecurityEvent.UNREADABLE_FRAME),
    "truncated header": (CREDIT_FRAME[:9], SecurityEvent.UNREADABLE_FRAME),
    "empty": (b"", SecurityEvent.UNREADABLE_FRAME),
    "garbage": (b"\x00" * 112, SecurityEvent.UNREADABLE_FRAME),
    "GBCS, not SMETS1": (bytes.fromhex("DF09000000000000") * 14, SecurityEvent.UNREADABLE_FRAME),
    "extra byte": (CREDIT_FRAME + b"\x00", SecurityEvent.UNREADABLE_FRAME),
    "a response frame": (
        encode(Smets1Response(METER_ID, with_command(CREDIT_FRAME).request, Outcome.EXECUTED, NOW)),
        SecurityEvent.NOT_A_COMMAND,
    ),
}


@pytest.mark.parametrize(("frame", "event"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_frames_change_nothing(frame: bytes, event: SecurityEvent) -> None:
    meter = smets1_meter()
    before = meter.state

    assert meter.receive(frame, NOW) == []

    assert meter.state == before
    assert [entry.kind for entry in meter.security_log] == [event]
    assert meter.event_log == ()


@pytest.mark.parametrize("counter", [1000, 1001], ids=["lower", "equal"])
def test_replayed_or_reused_counters_are_refused(counter: int) -> None:
    meter = smets1_meter(CREDIT_ACCOUNT)
    meter.receive(countersign(sr_1_6(1001), DCC_KEY), NOW)
    before = meter.state
    replay = sr_1_6(counter, Prepayment(False, False, 10))

    assert meter.receive(countersign(replay, DCC_KEY), NOW) == []

    assert meter.state == before
    assert meter.security_log[-1].kind is SecurityEvent.REPLAYED_COUNTER


def test_the_same_frame_twice_runs_once() -> None:
    meter = smets1_meter()
    assert len(meter.receive(CREDIT_FRAME, NOW)) == 1
    assert meter.receive(CREDIT_FRAME, NOW) == []
    assert [entry.kind for entry in meter.security_log] == [SecurityEvent.REPLAYED_COUNTER]


@pytest.mark.parametrize(
    ("changes", "offset"),
    [
        ({"mode": 0x07}, 34),
        ({"flags": 0x04}, 35),
        ({"flags": 0x01}, 35),  # suspend-debt flag on a credit command
        ({"disablement_threshold": 5}, 36),  # threshold on a credit command
        ({"execution": 2**63}, 40),  # beyond year 9999
    ],
)
def test_authentic_command_with_content_it_cannot_run_is_answered_with_an_error(
    changes: dict[str, int], offset: int
) -> None:
    meter = smets1_meter()
    request = sr_1_6(1001)
    command = with_command(CREDIT_FRAME, signature=None, **changes)
    before = meter.state

    frames = meter.receive(encode(sign(command, DCC_KEY)), NOW)

    assert meter.state == before
    assert meter.event_log[-1].kind is Event.CONTENT_REFUSED
    answer = decode(frames[0])
    assert isinstance(answer, Smets1Response) and answer.outcome is Outcome.CONTENT_REFUSED
    response = duis_answer(meter, request, frames)
    assert response.header.response_code is ResponseCode.E11
    assert response.header.response_id is not None
    with pytest.raises(Smets1ContentError) as refused:
        command.payment_mode_change()
    assert refused.value.offset == offset


ZERO_USER = bytes(8)
AT = NOW + timedelta(hours=1)


def future_dated_from(originator: bytes) -> tuple[Request, bytes]:
    """A future-dated SR 1.6 from ``originator`` and its command frame, countersigned."""
    frame = countersign(sr_1_6(1001, execution=AT), DCC_KEY)
    command = with_command(frame, request=RequestRef(originator, 1001), signature=None)
    return sr_1_6(1001, execution=AT, originator=originator), encode(sign(command, DCC_KEY))


def test_an_all_zero_originator_is_refused_as_content() -> None:
    """An alert reads originator 00..00 as "no command", so no 8F66 could name such a command:
    the meter refuses it on receipt, as any content it cannot run, not when it falls due."""
    meter = smets1_meter()
    request, frame = future_dated_from(ZERO_USER)
    before = meter.state

    response = duis_answer(meter, request, meter.receive(frame, NOW))

    assert response.header.response_code is ResponseCode.E11
    assert meter.state == before
    assert [entry.kind for entry in meter.event_log] == [Event.CONTENT_REFUSED]
    assert meter.advance(AT) == []
    command = decode(frame)
    assert isinstance(command, Smets1Command)
    with pytest.raises(Smets1ContentError) as refused:
        command.payment_mode_change()
    assert refused.value.offset == 10


def test_the_same_command_from_a_user_is_scheduled_and_announced() -> None:
    meter = smets1_meter()
    request, frame = future_dated_from(SUPPLIER)

    response = duis_answer(meter, request, meter.receive(frame, NOW))
    [alert] = meter.advance(AT)

    assert response.header.response_code is ResponseCode.I0
    assert meter.account.payment_mode is PaymentMode.CREDIT
    reported = read_alert(alert, {METER_ID: meter.public_key}.get)
    assert reported.request_id == request.header.request_id


EXECUTIONS = st.one_of(
    st.sampled_from([EXECUTE_ON_DEMAND, CANCEL_PENDING, 1, 2**63]),
    st.integers(0, 2**64 - 1),
    st.integers(1_700_000_000_000_000, 1_800_000_000_000_000),  # around NOW
)
AUTHENTIC_COMMANDS = st.builds(
    Smets1Command,
    st.just(METER_ID),
    st.builds(
        RequestRef,
        st.one_of(st.just(ZERO_USER), st.just(SUPPLIER), st.binary(min_size=8, max_size=8)),
        st.integers(0, 2**64 - 1),
    ),
    st.binary(min_size=8, max_size=8),
    st.integers(0, 3),
    st.integers(0, 3),
    st.sampled_from([0, 1, -(2**31)]),
    EXECUTIONS,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(AUTHENTIC_COMMANDS)
def test_advance_never_raises_and_announces_each_accepted_change(command: Smets1Command) -> None:
    meter = smets1_meter()
    [answer] = meter.receive(encode(sign(command, DCC_KEY)), NOW)
    outcome = decode(answer)
    assert isinstance(outcome, Smets1Response)

    due = meter.next_due()
    alerts = [] if due is None else meter.advance(max(due, NOW))

    assert (due is not None) == (outcome.outcome is Outcome.SCHEDULED)
    assert meter.pending is None
    if due is not None:
        [alert] = alerts
        frame = decode(alert)
        assert isinstance(frame, Smets1Alert) and frame.request == command.request


def test_a_spent_alert_counter_leaves_the_alert_logged_not_sent() -> None:
    """The change is made whole even so: the meter answered that it would be."""
    meter = smets1_meter(alert_counter=LAST_ALERT_COUNTER)
    meter.receive(countersign(sr_1_6(1001, execution=AT), DCC_KEY), NOW)

    assert meter.advance(AT) == []

    assert meter.account.payment_mode is PaymentMode.CREDIT
    assert meter.pending is None
    assert [entry.kind for entry in meter.event_log] == [
        Event.SCHEDULED,
        Event.FUTURE_DATED_EXECUTED,
        Event.ALERT_NOT_SENT,
    ]
    assert meter.trigger(0x8F3F, AT) == []
    assert meter.event_log[-1].kind is Event.ALERT_NOT_SENT


def test_the_last_alert_counter_is_used_then_no_more() -> None:
    meter = smets1_meter(alert_counter=LAST_ALERT_COUNTER - 1)
    [alert] = meter.trigger(0x8F3F, NOW)
    assert read_alert(alert, {METER_ID: meter.public_key}.get).originator_counter == (
        LAST_ALERT_COUNTER
    )
    assert meter.trigger(0x8F3F, NOW) == []


@pytest.mark.parametrize("counter", [-1, LAST_ALERT_COUNTER + 1])
def test_an_alert_counter_outside_the_frame_is_refused(counter: int) -> None:
    with pytest.raises(Smets1EncodeError, match="alert counter"):
        smets1_meter(alert_counter=counter)


@given(st.binary(max_size=200))
def test_random_bytes_never_raise_and_change_nothing(frame: bytes) -> None:
    meter = smets1_meter()
    before = meter.state
    assert meter.receive(frame, NOW) == []
    assert meter.state == before


@given(
    st.integers(0, len(CREDIT_FRAME) - 1),
    st.integers(1, 255),
    st.sampled_from(["replace", "truncate", "extend"]),
)
def test_mutated_frames_never_raise_and_change_nothing(index: int, mask: int, how: str) -> None:
    mutated = {
        "replace": CREDIT_FRAME[:index]
        + bytes((CREDIT_FRAME[index] ^ mask,))
        + CREDIT_FRAME[index + 1 :],
        "truncate": CREDIT_FRAME[:index],
        "extend": CREDIT_FRAME + bytes((mask,)) * (index + 1),
    }[how]
    meter = smets1_meter()
    before = meter.state
    assert meter.receive(mutated, NOW) == []
    assert meter.state == before


# --- alerts -------------------------------------------------------------------------------------


def test_alerts_are_signed_by_the_meter_and_counted() -> None:
    meter = smets1_meter()

    [first] = meter.trigger(0x8F3F, NOW)
    [second] = meter.trigger(0x8F1F, NOW + timedelta(seconds=1))

    keys = {METER_ID: meter.public_key}.get
    tamper, battery = read_alert(first, keys), read_alert(second, keys)
    assert (tamper.device_id, tamper.alert_code, tamper.originator_counter) == (METER_ID, 0x8F3F, 1)
    assert tamper.description == "Unauthorised Physical Access - Tamper Detect"
    assert tamper.raised_at == NOW and tamper.request_id is None
    assert (battery.alert_code, battery.originator_counter) == (0x8F1F, 2)
    assert meter.state == smets1_meter().state


# --- the frame layout ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "offset"),
    [
        (b"\x01", 1),
        (b"\x02" + CREDIT_FRAME[1:], 0),
        (b"\x01\x7f" + CREDIT_FRAME[2:], 1),
        (CREDIT_FRAME[:47], 47),
        (CREDIT_FRAME[:50], 48),
        (CREDIT_FRAME + b"\x00", 48),
    ],
)
def test_decode_errors_say_where(frame: bytes, offset: int) -> None:
    with pytest.raises(Smets1DecodeError) as refused:
        decode(frame)
    assert refused.value.offset == offset


def test_countersigned_frame_round_trips() -> None:
    command = decode(CREDIT_FRAME)
    assert isinstance(command, Smets1Command)
    assert encode(command) == CREDIT_FRAME
    assert len(CREDIT_FRAME) == 112


EUI64S = st.binary(min_size=8, max_size=8)


@given(
    st.builds(
        Smets1Command,
        EUI64S,
        st.builds(RequestRef, EUI64S, st.integers(0, 2**64 - 1)),
        EUI64S,
        st.integers(0, 255),
        st.integers(0, 255),
        st.integers(-(2**31), 2**31 - 1),
        st.integers(0, 2**64 - 1),
        st.one_of(st.none(), st.binary(min_size=64, max_size=64)),
    )
)
def test_any_command_round_trips(command: Smets1Command) -> None:
    assert decode(encode(command)) == command
