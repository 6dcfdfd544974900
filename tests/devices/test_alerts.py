"""Alerts from physical events: safety-critical ones signed by the device, the others MACed to
the registered supplier; the device's own counter; a new registered supplier."""

from __future__ import annotations

import pytest

from devices.gbcs.alert_payload import decode_generic_alert
from devices.gbcs.alerts import R7_2_SAFETY_CRITICAL, catalogue
from devices.gbcs.content import Protocol
from devices.gbcs.frame import Cra, GbcsMessage
from devices.gbcs.payment_mode import ECS02, Activation, PaymentMode, PaymentModeChange
from devices.logs import Event, SecurityEvent
from devices.smets2 import LAST_ALERT_COUNTER, Smets2Meter
from tests.devices.support import (
    NETWORK_OPERATOR,
    NOW,
    OTHER_SUPPLIER,
    command,
    esme,
    gsme,
    maced_for,
    signed_by,
)

METERS = {"ESME": (esme, Protocol.DLMS), "GSME": (gsme, Protocol.GBZ)}
CRITICAL = sorted(R7_2_SAFETY_CRITICAL | {0x8F66, 0x8F67})


def _check_alert(message: GbcsMessage, meter: Smets2Meter, code: int, protocol: Protocol) -> None:
    header = message.header
    assert (header.cra, header.originator, header.recipient) == (
        Cra.ALERT,
        meter.eui64,
        meter.registered_supplier,
    )
    assert header.date_time is None
    alert = decode_generic_alert(message.content)
    assert (alert.alert_code, alert.timestamp, alert.protocol) == (code, NOW, protocol)


@pytest.mark.parametrize("kind", METERS)
@pytest.mark.parametrize("code", CRITICAL, ids=lambda c: f"{c:04X}")
def test_safety_critical_alert_is_signed_by_the_device(kind: str, code: int) -> None:
    make, protocol = METERS[kind]
    meter = make()
    (frame,) = meter.trigger(code, NOW)
    message = signed_by(meter, frame)
    assert message.message_code == 0x1000
    _check_alert(message, meter, code, protocol)
    assert meter.event_log[-1].kind is Event.ALERT_SENT


@pytest.mark.parametrize("kind", METERS)
def test_non_critical_alert_is_maced_for_the_supplier(kind: str) -> None:
    make, protocol = METERS[kind]
    meter = make()
    (frame,) = meter.trigger(0x810E, NOW)
    message = maced_for(meter, frame)
    assert message.message_code == 0x1001
    _check_alert(message, meter, 0x810E, protocol)


def test_unknown_alert_code_is_still_sent() -> None:
    meter = esme()
    (frame,) = meter.trigger(0x8ABC, NOW)
    _check_alert(maced_for(meter, frame), meter, 0x8ABC, Protocol.DLMS)
    assert "Unknown alert 0x8ABC" in meter.event_log[-1].detail


def test_alert_counter_strictly_increases_across_every_alert() -> None:
    meter = esme(alert_counter=0x7D0)
    at = NOW.replace(year=2030)
    change = PaymentModeChange(PaymentMode.CREDIT, Activation.FUTURE_DATED, at)
    meter.receive(command(meter, ECS02, 1, change), NOW)
    frames = [
        *meter.trigger(0x8F3F, NOW),
        *meter.trigger(0x810E, NOW),
        *meter.advance(at),
        *meter.trigger(0x8F1F, at),
    ]
    counters = [signed_or_maced(meter, f).header.counter for f in frames]
    assert counters == [0x7D1, 0x7D2, 0x7D3, 0x7D4]


def signed_or_maced(meter: Smets2Meter, frame: bytes) -> GbcsMessage:
    return signed_by(meter, frame) if frame[0] == 0xDF else maced_for(meter, frame)


def test_alerts_follow_a_new_registered_supplier() -> None:
    meter = esme()
    meter.registered_supplier = OTHER_SUPPLIER.eui64
    (critical,) = meter.trigger(0x8F3F, NOW)
    assert signed_by(meter, critical).header.recipient == OTHER_SUPPLIER.eui64
    (other,) = meter.trigger(0x810E, NOW)
    assert maced_for(meter, other, OTHER_SUPPLIER).header.recipient == OTHER_SUPPLIER.eui64


def test_non_critical_alert_without_a_key_agreement_key_is_logged_not_sent() -> None:
    meter = esme()
    meter.registered_supplier = NETWORK_OPERATOR.eui64  # an anchor with a DS key only
    assert meter.trigger(0x810E, NOW) == []
    assert meter.event_log[-1].kind is Event.ALERT_NOT_SENT
    (critical,) = meter.trigger(0x8F3F, NOW)  # signed alerts need no key of the recipient
    assert signed_by(meter, critical).header.counter == 1


def test_safety_critical_list_is_configuration() -> None:
    meter = esme(alert_catalogue=catalogue({0x810E}))
    (frame,) = meter.trigger(0x810E, NOW)
    assert signed_by(meter, frame).message_code == 0x1000
    (frame,) = meter.trigger(0x8F3F, NOW)
    assert maced_for(meter, frame).message_code == 0x1001


def test_alerts_do_not_change_the_account() -> None:
    meter = gsme()
    before = meter.state
    for code in CRITICAL:
        meter.trigger(code, NOW)
    assert meter.state == before


@pytest.mark.parametrize("kind", METERS)
def test_a_spent_alert_counter_is_logged_not_raised(kind: str) -> None:
    make, _ = METERS[kind]
    meter = make(alert_counter=LAST_ALERT_COUNTER - 1)
    (last,) = meter.trigger(0x8F3F, NOW)
    assert signed_by(meter, last).header.counter == LAST_ALERT_COUNTER

    assert meter.trigger(0x8F3F, NOW) == []
    assert meter.event_log[-1].kind is Event.ALERT_NOT_SENT
    code = min(meter.commands)  # a 1.6 code, which a network operator may not send
    unauthorised = command(meter, code, 5, originator=NETWORK_OPERATOR, signer=NETWORK_OPERATOR)
    assert meter.receive(unauthorised, NOW) == []  # its 8F30 has no counter left
    assert meter.security_log[-1].kind is SecurityEvent.UNAUTHORISED_ORIGINATOR
    assert meter.event_log[-1].kind is Event.ALERT_NOT_SENT
