"""Future-dated changes: kept pending, run by advance() at their time and not before, announced by
a signed 8F66 alert to the command's originator; and cancellations."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from devices.esme import ACCOUNT_ACTIVATION_TIME, THRESHOLD_ACTIVATION_TIME, Esme
from devices.gbcs.alert_payload import FUTURE_DATED_SUCCESS, decode_future_dated_alert
from devices.gbcs.errors import LocalProtocolError
from devices.gbcs.frame import Cra
from devices.gbcs.payment_mode import (
    ECS02,
    ECS03,
    GCS02,
    Activation,
    PaymentMode,
    PaymentModeChange,
)
from devices.gsme import CHANGE_PAYMENT_MODE
from devices.logs import Event
from devices.smets2 import LAST_ALERT_COUNTER, PendingChange, Smets2Meter
from tests.devices.support import (
    NOW,
    OTHER_SUPPLIER,
    PREPAYMENT_ACCOUNT,
    command,
    esme,
    gsme,
    signed_by,
)

AT = NOW + timedelta(days=2, hours=9)
CREDIT_AT = PaymentModeChange(PaymentMode.CREDIT, Activation.FUTURE_DATED, AT)
CANCEL = PaymentModeChange(PaymentMode.CREDIT, Activation.CANCELLATION)


def _check_8f66(meter: Smets2Meter, frame: bytes, code: int, counter: int, target: object) -> int:
    """Checks one 8F66 alert; returns its own (alert) counter."""
    alert = signed_by(meter, frame)
    header = alert.header
    assert (header.cra, header.originator, header.recipient) == (
        Cra.ALERT,
        meter.eui64,
        OTHER_SUPPLIER.eui64,
    )
    payload = decode_future_dated_alert(alert.content)
    assert (payload.alert_code, payload.timestamp) == (FUTURE_DATED_SUCCESS, AT)
    assert (payload.message_code, payload.originator_counter, payload.target) == (
        code,
        counter,
        target,
    )
    assert alert.message_code == (0x00CC if isinstance(meter, Esme) else 0x00CD)
    return header.counter


def _schedule(meter: Smets2Meter, code: int, change: PaymentModeChange, counter: int = 7) -> None:
    frame = command(meter, code, counter, change, originator=OTHER_SUPPLIER, signer=OTHER_SUPPLIER)
    (answer,) = meter.receive(frame, NOW)
    assert signed_by(meter, answer).header.counter == counter


def test_future_dated_change_waits_then_runs_with_an_8f66_alert() -> None:
    meter = esme()
    _schedule(meter, ECS02, CREDIT_AT)
    assert meter.state.account == PREPAYMENT_ACCOUNT
    pending = meter.state.pending
    assert pending is not None
    assert replace(pending, change=replace(pending.change, details=None)) == PendingChange(
        AT, CREDIT_AT, ECS02, OTHER_SUPPLIER.eui64, 7
    )
    assert meter.next_due() == AT
    assert meter.event_log[-1].kind is Event.SCHEDULED

    assert meter.advance(AT - timedelta(seconds=1)) == []
    assert meter.state.account == PREPAYMENT_ACCOUNT

    (frame,) = meter.advance(AT)
    _check_8f66(meter, frame, ECS02, 7, ACCOUNT_ACTIVATION_TIME)
    assert meter.state.account.payment_mode is PaymentMode.CREDIT
    assert meter.state.pending is None
    assert meter.next_due() is None
    assert meter.event_log[-1].kind is Event.FUTURE_DATED_EXECUTED
    assert meter.advance(AT + timedelta(days=1)) == []


def test_late_advance_still_reports_the_due_time() -> None:
    meter = esme()
    _schedule(meter, ECS02, CREDIT_AT)
    (frame,) = meter.advance(AT + timedelta(hours=5))
    _check_8f66(meter, frame, ECS02, 7, ACCOUNT_ACTIVATION_TIME)


def test_future_dated_prepayment_with_threshold_sends_two_alerts() -> None:
    meter = esme()
    change = PaymentModeChange(
        PaymentMode.PREPAYMENT, Activation.FUTURE_DATED, AT, disablement_threshold=556677
    )
    _schedule(meter, ECS03, change)
    first, second = meter.advance(AT)
    counters = [
        _check_8f66(meter, first, ECS03, 7, THRESHOLD_ACTIVATION_TIME),
        _check_8f66(meter, second, ECS03, 7, ACCOUNT_ACTIVATION_TIME),
    ]
    assert counters[0] < counters[1]
    assert meter.state.account.disablement_threshold == 556677


def test_gsme_future_dated_change() -> None:
    meter = gsme()
    _schedule(meter, GCS02, CREDIT_AT)
    assert meter.advance(AT - timedelta(seconds=1)) == []
    (frame,) = meter.advance(AT)
    _check_8f66(meter, frame, GCS02, 7, CHANGE_PAYMENT_MODE)
    assert meter.state.account.payment_mode is PaymentMode.CREDIT


def test_cancellation_cancels_the_pending_change() -> None:
    meter = esme()
    _schedule(meter, ECS02, CREDIT_AT, counter=7)
    _schedule(meter, ECS02, CANCEL, counter=8)
    assert meter.state.pending is None
    assert meter.next_due() is None
    assert meter.advance(AT) == []
    assert meter.state.account == PREPAYMENT_ACCOUNT
    cancelled = meter.event_log[-1]
    assert cancelled.kind is Event.CANCELLED and "cancels 0x001A" in cancelled.detail
    assert meter.state.last_counters[OTHER_SUPPLIER.eui64] == 8


def test_cancellation_with_nothing_pending_is_answered() -> None:
    meter = gsme()
    _schedule(meter, GCS02, CANCEL)
    assert meter.state.account == PREPAYMENT_ACCOUNT
    assert meter.event_log[-1].kind is Event.CANCELLED


def test_a_later_change_replaces_the_pending_one() -> None:
    """One activation time per account: the last 1.6 command decides, an immediate one too."""
    meter = esme()
    _schedule(meter, ECS02, CREDIT_AT, counter=7)
    later = AT + timedelta(days=1)
    prepayment = PaymentModeChange(PaymentMode.PREPAYMENT, Activation.FUTURE_DATED, later)
    _schedule(meter, ECS03, prepayment, counter=8)
    assert meter.next_due() == later
    _schedule(meter, ECS02, PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE), counter=9)
    assert meter.next_due() is None
    assert meter.state.account.payment_mode is PaymentMode.CREDIT


def test_a_change_due_at_receipt_runs_at_the_next_advance() -> None:
    meter = esme()
    past = PaymentModeChange(PaymentMode.CREDIT, Activation.FUTURE_DATED, NOW - timedelta(hours=1))
    _schedule(meter, ECS02, past)
    due = meter.next_due()
    assert isinstance(due, datetime) and due < NOW
    assert len(meter.advance(NOW)) == 1


PREPAYMENT_AT = PaymentModeChange(
    PaymentMode.PREPAYMENT, Activation.FUTURE_DATED, AT, disablement_threshold=556677
)


def test_the_last_alert_counters_number_the_8f66_alerts() -> None:
    meter = esme(alert_counter=LAST_ALERT_COUNTER - 2)
    _schedule(meter, ECS03, PREPAYMENT_AT)
    first, second = meter.advance(AT)
    assert [
        _check_8f66(meter, first, ECS03, 7, THRESHOLD_ACTIVATION_TIME),
        _check_8f66(meter, second, ECS03, 7, ACCOUNT_ACTIVATION_TIME),
    ] == [LAST_ALERT_COUNTER - 1, LAST_ALERT_COUNTER]


def test_a_spent_alert_counter_still_makes_the_change_and_logs_the_alerts_not_sent() -> None:
    """Two 8F66 alerts but one counter left: advance neither raises nor half-applies the change;
    the meter answered that it would make it, so it does, and says why nothing was sent."""
    meter = esme(alert_counter=LAST_ALERT_COUNTER - 1)
    _schedule(meter, ECS03, PREPAYMENT_AT)

    assert meter.advance(AT) == []

    assert meter.state.account.payment_mode is PaymentMode.PREPAYMENT
    assert meter.state.account.disablement_threshold == 556677
    assert meter.state.pending is None and meter.next_due() is None
    assert [entry.kind for entry in meter.event_log[-2:]] == [
        Event.FUTURE_DATED_EXECUTED,
        Event.ALERT_NOT_SENT,
    ]
    assert meter.advance(AT + timedelta(days=1)) == []


@pytest.mark.parametrize("counter", [-1, LAST_ALERT_COUNTER + 1])
def test_an_alert_counter_outside_the_header_is_refused(counter: int) -> None:
    with pytest.raises(LocalProtocolError, match="alert counter"):
        gsme(alert_counter=counter)
