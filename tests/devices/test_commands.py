"""SR 1.6 commands a meter accepts: built by the GBCS layer with the RTDS supplier and ACB keys,
run by the meter, answered with a response the supplier verifies."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from devices.credentials import DeviceSecurityCredentials, RemoteParty, Role, TrustAnchors
from devices.esme import Esme
from devices.gbcs.frame import Cra, decode
from devices.gbcs.keystore import KeyStore, KeyUsage, load_keystore
from devices.gbcs.payment_mode import (
    ECS02,
    ECS03,
    GCS02,
    GCS03,
    Activation,
    DlmsSetResults,
    PaymentMode,
    PaymentModeChange,
    ZclChangePaymentModeResponse,
    decode_payment_mode_response,
)
from devices.gbcs.verify import DEFAULT_ACB, Verdict, check_mac
from devices.gsme import Gsme
from devices.logs import Event
from devices.meter import Account
from devices.smets2 import Smets2Meter
from tests.devices.support import (
    CREDIT_NOW,
    ESME_ID,
    GSME_ID,
    NOW,
    OTHER_SUPPLIER,
    PREPAYMENT_ACCOUNT,
    SEED,
    SUPPLIER,
    Party,
    command,
    esme,
    gsme,
    signed_by,
)

RTDS_SUPPLIER = bytes.fromhex("90B3D51F30010000")


@pytest.fixture(scope="module")
def rtds_keys(conformance: Path) -> KeyStore:
    return load_keystore(conformance / "rtds" / "keystore")


def _rtds_party(keys: KeyStore, eui: bytes) -> Party:
    ds = keys.private(eui, KeyUsage.DIGITAL_SIGNING)
    ka = keys.private(eui, KeyUsage.KEY_AGREEMENT)
    assert ds is not None and ka is not None
    return Party(eui, ds, ka)


def _rtds_meter(kind: type[Smets2Meter], eui: bytes, keys: KeyStore) -> Smets2Meter:
    """A meter holding the RTDS supplier and ACB as anchors, with seeded keys of its own."""
    supplier_ds = keys.public(RTDS_SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    supplier_ka = keys.public(RTDS_SUPPLIER, KeyUsage.KEY_AGREEMENT)
    acb_ka = keys.public(DEFAULT_ACB, KeyUsage.KEY_AGREEMENT)
    assert supplier_ds is not None and acb_ka is not None
    anchors = TrustAnchors(
        acb_ka, {RTDS_SUPPLIER: RemoteParty(Role.SUPPLIER, supplier_ds, supplier_ka)}
    )
    credentials = DeviceSecurityCredentials(eui, anchors, seed=SEED)
    return kind(credentials, RTDS_SUPPLIER, account=PREPAYMENT_ACCOUNT)


@pytest.mark.parametrize(
    ("kind", "eui", "code", "results"),
    [
        (Esme, ESME_ID, ECS02, DlmsSetResults((0, 0, 0))),
        (Gsme, GSME_ID, GCS02, ZclChangePaymentModeResponse(0, 1, 2, 1_000_000, 200_000)),
    ],
    ids=["ESME", "GSME"],
)
def test_rtds_signed_credit_command_switches_to_credit_and_is_answered(
    rtds_keys: KeyStore, kind: type[Smets2Meter], eui: bytes, code: int, results: object
) -> None:
    meter = _rtds_meter(kind, eui, rtds_keys)
    supplier = _rtds_party(rtds_keys, RTDS_SUPPLIER)
    acb = _rtds_party(rtds_keys, DEFAULT_ACB)
    frame = command(meter, code, 0x3EA, originator=supplier, signer=supplier, acb=acb)

    (answer,) = meter.receive(frame, NOW)

    assert meter.state.account.payment_mode is PaymentMode.CREDIT
    assert meter.state.last_counters == {RTDS_SUPPLIER: 0x3EA}
    response = signed_by(meter, answer)
    header = response.header
    assert (header.cra, header.counter, header.message_code) == (Cra.RESPONSE, 0x3EA, code)
    assert (header.originator, header.recipient) == (eui, RTDS_SUPPLIER)
    assert header.date_time == bytes.fromhex("07E90301FF0C0000008000FF")  # NOW
    assert decode_payment_mode_response(response.content).detail == results
    assert [e.kind for e in meter.event_log] == [Event.EXECUTED]
    assert meter.security_log == ()


def test_prepayment_command_sets_mode_flags_and_threshold() -> None:
    meter = esme(Account())
    change = PaymentModeChange(
        PaymentMode.PREPAYMENT,
        Activation.IMMEDIATE,
        suspend_debt_disabled=True,
        suspend_debt_emergency=True,
        disablement_threshold=556677,
    )
    (answer,) = meter.receive(command(meter, ECS03, 9, change), NOW)
    assert meter.state.account == Account(PaymentMode.PREPAYMENT, True, True, 556677)
    response = decode_payment_mode_response(signed_by(meter, answer).content)
    assert response.detail == DlmsSetResults((0,) * 5)


def test_gsme_prepayment_command_sets_cut_off_as_threshold() -> None:
    meter = gsme(Account())
    change = PaymentModeChange(
        PaymentMode.PREPAYMENT,
        Activation.IMMEDIATE,
        suspend_debt_emergency=True,
        disablement_threshold=0,
    )
    meter.receive(command(meter, GCS03, 9, change), NOW)
    assert meter.state.account == Account(PaymentMode.PREPAYMENT, False, True, 0)


def test_credit_keeps_threshold_and_balances_and_clears_suspend_flags() -> None:
    meter = esme()
    meter.receive(command(meter, ECS02, 1), NOW)
    account = meter.state.account
    assert (account.suspend_debt_disabled, account.suspend_debt_emergency) == (False, False)
    assert account.disablement_threshold == PREPAYMENT_ACCOUNT.disablement_threshold
    assert (account.meter_balance, account.emergency_credit) == (2500, 500)


def test_counters_are_kept_per_originator() -> None:
    meter = esme()
    meter.receive(command(meter, ECS02, 100), NOW)
    frame = command(meter, ECS02, 5, originator=OTHER_SUPPLIER, signer=OTHER_SUPPLIER)
    assert meter.receive(frame, NOW)
    assert meter.state.last_counters == {SUPPLIER.eui64: 100, OTHER_SUPPLIER.eui64: 5}


def test_response_goes_back_to_the_originator_not_the_registered_supplier() -> None:
    meter = esme()
    frame = command(meter, ECS02, 5, originator=OTHER_SUPPLIER, signer=OTHER_SUPPLIER)
    (answer,) = meter.receive(frame, NOW)
    assert signed_by(meter, answer).header.recipient == OTHER_SUPPLIER.eui64


def test_response_time_is_when_the_meter_ran_the_command() -> None:
    meter = esme()
    later = NOW + timedelta(days=400, hours=3)
    (answer,) = meter.receive(command(meter, ECS02, 1, CREDIT_NOW), later)
    assert signed_by(meter, answer).header.date_time == bytes.fromhex("07EA0405FF0F0000008000FF")


def test_non_critical_alert_verifies_with_the_rtds_supplier_ka_key(rtds_keys: KeyStore) -> None:
    meter = _rtds_meter(Esme, ESME_ID, rtds_keys)
    (frame,) = meter.trigger(0x810E, NOW)
    message = decode(frame)
    supplier_side = KeyStore()
    supplier_side.add_private(
        RTDS_SUPPLIER, KeyUsage.KEY_AGREEMENT, _rtds_party(rtds_keys, RTDS_SUPPLIER).ka
    )
    supplier_side.add_public(
        ESME_ID, KeyUsage.KEY_AGREEMENT, meter.credentials.public_key(KeyUsage.KEY_AGREEMENT)
    )
    assert check_mac(message, supplier_side) is Verdict.VALID
