"""Every check a meter makes on a command, in order, and what each refusal leaves behind: the
state exactly as it was, the answer (nothing, an 8F30 alert, or the error response) and a log
entry saying why."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from devices.gbcs.alert_payload import decode_generic_alert
from devices.gbcs.frame import Cra
from devices.gbcs.payment_mode import (
    ECS02,
    ECS03,
    GCS02,
    GCS03,
    Activation,
    DlmsSetResults,
    PaymentMode,
    PaymentModeChange,
    ZclDefaultResponse,
    decode_payment_mode_response,
    encode_payment_mode_command,
)
from devices.logs import Event, LogEntry, SecurityEvent
from devices.smets2 import Smets2Meter
from tests.devices.support import (
    NETWORK_OPERATOR,
    NOW,
    OTHER_SUPPLIER,
    PREPAYMENT_NOW,
    ROGUE_ACB,
    STRANGER,
    SUPPLIER,
    command,
    esme,
    gsme,
    signed_by,
)

LAST = 50  # the counter of the command each meter below has already accepted


def _primed(meter: Smets2Meter, code: int) -> Smets2Meter:
    """``meter`` after one accepted prepayment command with counter LAST."""
    assert meter.receive(command(meter, code, LAST, PREPAYMENT_NOW), NOW)
    return meter


def _refused(meter: Smets2Meter, frame: bytes) -> tuple[list[bytes], LogEntry | None]:
    """Feed ``frame``; check the state did not move; return the answer and any new log entry."""
    before, events, security = meter.state, meter.event_log, meter.security_log
    answer = meter.receive(frame, NOW)
    assert meter.state == before
    new = [*meter.security_log[len(security) :], *meter.event_log[len(events) :]]
    new = [e for e in new if e.kind is not Event.ALERT_SENT]
    assert len(new) <= 1
    return answer, (new[0] if new else None)


def _silently(meter: Smets2Meter, frame: bytes, kind: SecurityEvent) -> None:
    answer, entry = _refused(meter, frame)
    assert answer == []
    assert entry is not None and entry.kind is kind and entry.at == NOW
    assert entry in meter.security_log


def test_unreadable_frame() -> None:
    meter = _primed(esme(), ECS03)
    _silently(meter, b"\xdf\x09\x01garbage", SecurityEvent.UNREADABLE_FRAME)


def _longer(frame: bytes, length: str) -> bytes:
    """A command as the DCC delivers it (``DD 00 00*5 81 xx 11 00*4 DF ...``, a DF frame with
    no date-time) with one length in a longer form than it needs: the ciphered service's, or
    the other-information's or content's, with the ciphered service's grown to match."""
    assert frame[7] == 0x81 and frame[8] < 0xFF
    if length == "ciphered service":
        return frame[:7] + b"\x82\x00" + frame[8:]
    at = 7 + 2 + 5 + (30 if length == "other-information" else 33)
    assert frame[at] < 0x80
    return frame[:7] + bytes((0x81, frame[8] + 1)) + frame[9:at] + b"\x81" + frame[at:]


@pytest.mark.parametrize("length", ["ciphered service", "other-information", "content"])
@pytest.mark.parametrize(
    ("make", "primed", "code"), [(esme, ECS03, ECS02), (gsme, GCS03, GCS02)], ids=["esme", "gsme"]
)
def test_a_length_in_a_longer_form_than_needed(
    make: Callable[[], Smets2Meter], primed: int, code: int, length: str
) -> None:
    """Other bytes for the same command, which its MAC and signature do not cover: refused as
    unreadable, while the command as the DCC sent it still runs."""
    meter = _primed(make(), primed)
    frame = command(meter, code, LAST + 1)
    _silently(meter, _longer(frame, length), SecurityEvent.UNREADABLE_FRAME)
    assert "non-minimal length encoding" in meter.security_log[-1].detail
    assert meter.receive(frame, NOW)
    assert meter.event_log[-1].kind is Event.EXECUTED


def test_wrong_target() -> None:
    meter = _primed(esme(), ECS03)
    frame = command(meter, ECS02, LAST + 1, recipient=bytes.fromhex("00DB1234567890FF"))
    _silently(meter, frame, SecurityEvent.NOT_FOR_ME)


def test_not_a_command() -> None:
    meter = _primed(esme(), ECS03)
    _silently(meter, command(meter, ECS02, LAST + 1, cra=Cra.RESPONSE), SecurityEvent.NOT_A_COMMAND)


def test_no_mac() -> None:
    meter = _primed(esme(), ECS03)
    _silently(meter, command(meter, ECS02, LAST + 1, acb=None), SecurityEvent.MAC_ABSENT)


def test_bad_mac() -> None:
    meter = _primed(esme(), ECS03)
    frame = bytearray(command(meter, ECS02, LAST + 1))
    frame[-1] ^= 0x01
    _silently(meter, bytes(frame), SecurityEvent.MAC_INVALID)


def test_mac_with_another_acb_key() -> None:
    meter = _primed(esme(), ECS03)
    _silently(meter, command(meter, ECS02, LAST + 1, acb=ROGUE_ACB), SecurityEvent.MAC_INVALID)


def test_unsigned_critical_command() -> None:
    meter = _primed(esme(), ECS03)
    _silently(meter, command(meter, ECS02, LAST + 1, signer=None), SecurityEvent.SIGNATURE_ABSENT)


def test_wrong_signer() -> None:
    meter = _primed(esme(), ECS03)
    frame = command(meter, ECS02, LAST + 1, signer=OTHER_SUPPLIER)
    _silently(meter, frame, SecurityEvent.SIGNATURE_INVALID)


def _authority_alert(meter: Smets2Meter, answer: list[bytes]) -> None:
    """The answer is one signed 8F30 alert to the registered supplier."""
    (frame,) = answer
    alert = signed_by(meter, frame)
    assert (alert.header.cra, alert.message_code) == (Cra.ALERT, 0x1000)
    assert alert.header.recipient == SUPPLIER.eui64
    assert decode_generic_alert(alert.content).alert_code == 0x8F30


def test_unknown_originator() -> None:
    meter = _primed(esme(), ECS03)
    frame = command(meter, ECS02, LAST + 1, originator=STRANGER, signer=STRANGER)
    answer, entry = _refused(meter, frame)
    assert entry is not None and entry.kind is SecurityEvent.UNKNOWN_ORIGINATOR
    _authority_alert(meter, answer)


def test_network_operator_may_not_change_payment_mode() -> None:
    meter = _primed(esme(), ECS03)
    frame = command(meter, ECS02, LAST + 1, originator=NETWORK_OPERATOR, signer=NETWORK_OPERATOR)
    answer, entry = _refused(meter, frame)
    assert entry is not None and entry.kind is SecurityEvent.UNAUTHORISED_ORIGINATOR
    _authority_alert(meter, answer)


def test_replayed_command() -> None:
    meter = esme()
    frame = command(meter, ECS02, LAST)
    assert meter.receive(frame, NOW)
    _silently(meter, frame, SecurityEvent.REPLAYED_COUNTER)


def test_equal_counter() -> None:
    meter = _primed(esme(), ECS03)
    _silently(meter, command(meter, ECS02, LAST), SecurityEvent.REPLAYED_COUNTER)


def test_lower_counter() -> None:
    meter = _primed(esme(), ECS03)
    _silently(meter, command(meter, ECS02, LAST - 1), SecurityEvent.REPLAYED_COUNTER)


def _error_response(meter: Smets2Meter, frame: bytes, code: int) -> object:
    answer, entry = _refused(meter, frame)
    assert entry is not None and entry.kind is Event.CONTENT_REFUSED
    (reply,) = answer
    response = signed_by(meter, reply)
    assert (response.header.cra, response.header.counter) == (Cra.RESPONSE, LAST + 1)
    assert response.message_code == code
    detail = decode_payment_mode_response(response.content)
    assert not detail.success
    return detail.detail


def test_disguised_prepayment_is_answered_with_an_error() -> None:
    """ECS02 says credit; the DLMS payload sets prepayment."""
    meter = esme()
    frame = command(meter, ECS02, LAST + 1, PREPAYMENT_NOW)
    assert _error_response(meter, frame, ECS02) == DlmsSetResults((0xFA,) * 3)
    assert meter.state.account.payment_mode is PaymentMode.PREPAYMENT


def test_gsme_disguised_prepayment_is_answered_with_an_error() -> None:
    meter = gsme()
    content = encode_payment_mode_command(
        GCS03, LAST + 1, PREPAYMENT_NOW, issuer_event_id=1, sequence_number=7
    )
    frame = command(meter, GCS02, LAST + 1, content=content)
    assert _error_response(meter, frame, GCS02) == ZclDefaultResponse(7, 0x80)


def test_malformed_content_is_answered_with_an_error() -> None:
    meter = _primed(esme(), ECS03)
    frame = command(meter, ECS02, LAST + 1, content=b"\xc1\x01\x02")
    assert _error_response(meter, frame, ECS02) == DlmsSetResults((0xFA,))


def test_gsme_malformed_content_is_answered_with_an_error() -> None:
    meter = _primed(gsme(), GCS03)
    frame = command(meter, GCS02, LAST + 1, content=b"\x01\x09\x00")
    assert _error_response(meter, frame, GCS02) == ZclDefaultResponse(0, 0x80)


def test_esme_given_a_gcs_code() -> None:
    meter = _primed(esme(), ECS03)
    answer, entry = _refused(meter, command(meter, GCS02, LAST + 1))
    assert answer == []
    assert entry is not None and entry.kind is Event.UNSUPPORTED_COMMAND
    assert entry in meter.event_log


def test_gsme_given_an_ecs_code() -> None:
    meter = _primed(gsme(), GCS03)
    answer, entry = _refused(meter, command(meter, ECS02, LAST + 1))
    assert answer == []
    assert entry is not None and entry.kind is Event.UNSUPPORTED_COMMAND


def test_command_outside_sr_1_6_is_not_run() -> None:
    """CS01a (top up, non-critical): authentic, but this meter has no such use case."""
    meter = _primed(esme(), ECS03)
    answer, entry = _refused(meter, command(meter, 0x0007, LAST + 1, signer=None, content=b"\0"))
    assert answer == []
    assert entry is not None and entry.kind is Event.UNSUPPORTED_COMMAND


def test_refused_content_leaves_the_pending_change() -> None:
    meter = esme()
    later = PaymentModeChange(PaymentMode.CREDIT, Activation.FUTURE_DATED, NOW.replace(year=2030))
    assert meter.receive(command(meter, ECS02, LAST, later), NOW)
    frame = command(meter, ECS02, LAST + 1, content=b"\xc1")
    _error_response(meter, frame, ECS02)
    assert meter.state.pending is not None


def test_refusals_in_order_first_failure_decides() -> None:
    """Bad MAC and no signature and replayed counter: the MAC check comes first."""
    meter = _primed(esme(), ECS03)
    _silently(
        meter, command(meter, ECS02, LAST, signer=None, acb=ROGUE_ACB), SecurityEvent.MAC_INVALID
    )
    _silently(meter, command(meter, ECS02, LAST, signer=None), SecurityEvent.SIGNATURE_ABSENT)
