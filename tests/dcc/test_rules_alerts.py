"""R7 through the DCC: a failed supplier's meters keep alerting, and the DCC keeps delivering,
to the SRP once Ofgem has named one; safety-critical alerts are flagged (configuration), and
revoked supplier credentials do not silence anything.

Alerts come from the world's real meters: ``meter.trigger(code, now)`` gives the frames a
physical event makes, which the world passes to ``dcc.on_device_message``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from cryptography import x509

from dcc.dcc import AlertHeld
from dcc.duis.ids import format_eui64 as party
from dcc.duis.response import parse_response
from dcc.smki.authority import org_key_from_seed
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.solr_register import RegisterError
from dcc.users import UserStatus
from devices.gbcs.alerts import R7_2_SAFETY_CRITICAL
from devices.gbcs.crypto import ecdh
from devices.gbcs.frame import decode, encode
from devices.gbcs.security import mac_valid
from sim.world.testbed import (
    BRIGHT,
    ESME_ID,
    GSME_ID,
    NEVER,
    ROGUE_SRP,
    SEED,
    SMETS1_ID,
    SRP,
    STEADY,
    STEADY_ESME_ID,
    T0,
    World,
)
from tests.dcc.rule_checks import MINUTE, NOW, assert_device_alert, srp_switch_sent

TAMPER = 0x8F3F
CREDIT_ADDED_LOCALLY = 0x810E  # non-critical: MACed with the supplier's KA key, not signed
NINE = sorted(R7_2_SAFETY_CRITICAL)
DEFAULT_LIST = ", ".join(f'"{code:04X}"' for code in NINE)


def _instructed(world: World) -> datetime:
    """BRIGHT fails (certificates revoked) and Ofgem names SRP; no ADT is needed for alerts."""
    world.fail(BRIGHT, NOW)
    world.instruct(BRIGHT, SRP, NOW + MINUTE)
    return NOW + 2 * MINUTE


def _device_for(code: int) -> bytes:
    return GSME_ID if code == 0x8F1D else ESME_ID  # GSME Power Supply Loss comes from a GSME


def _routed(world: World, device: bytes):
    """The audit trail's record of the last alert from ``device``."""
    return world.audit.alerts_for(device)[-1]


# --- R7.1 delivered after revocation, to the SRP ----------------------------------------------


def test_r7_1_a_tamper_alert_after_the_instruction_goes_to_the_srp(world: World) -> None:
    at = _instructed(world)
    (delivery,) = world.alert(ESME_ID, TAMPER, at)
    assert_device_alert(world, delivery, SRP, TAMPER, at)
    record = _routed(world, ESME_ID)
    assert (record.addressed_to, record.delivered_to) == (BRIGHT, SRP)
    assert "R7.1" in record.reason
    assert [d.recipient for d in record.deliveries] == ["90-B3-D5-1F-30-0A-00-00"]


def test_r7_1_revoked_without_an_srp_the_alert_is_held_never_sent_to_the_supplier(
    world: World,
) -> None:
    world.fail(BRIGHT, NOW)
    (held,) = world.alert(ESME_ID, TAMPER, NOW + MINUTE)
    assert isinstance(held, AlertHeld)
    assert (held.alert.addressed_to, held.alert.alert_code, held.safety_critical) == (
        BRIGHT,
        TAMPER,
        True,
    )
    assert world.received == []
    record = _routed(world, ESME_ID)
    assert (record.addressed_to, record.delivered_to, record.deliveries) == (BRIGHT, None, ())
    assert "held" in record.reason


def test_r7_1_held_alerts_go_to_the_instructed_srp_in_order_the_moment_it_is_instructed(
    world: World,
) -> None:
    world.fail(BRIGHT, NOW)
    world.alert(ESME_ID, TAMPER, NOW + MINUTE)
    world.alert(GSME_ID, 0x8F1D, NOW + 2 * MINUTE)
    world.alert(ESME_ID, CREDIT_ADDED_LOCALLY, NOW + 3 * MINUTE)
    assert len(world.dcc.held_alerts[BRIGHT]) == 3

    at = NOW + timedelta(hours=1)
    released = world.instruct(BRIGHT, SRP, at)
    assert [parse_response(d.document).body.alert_code for d in released] == [
        TAMPER,
        0x8F1D,
        CREDIT_ADDED_LOCALLY,
    ]
    for delivery, code in zip(released, (TAMPER, 0x8F1D, CREDIT_ADDED_LOCALLY), strict=True):
        assert_device_alert(world, delivery, SRP, code, at)
    assert world.dcc.held_alerts == {}
    records = world.audit.alerts_for(SRP)
    assert [(r.alert_code, [d.recipient for d in r.deliveries]) for r in records] == [
        (TAMPER, ["90-B3-D5-1F-30-0A-00-00"]),
        (0x8F1D, ["90-B3-D5-1F-30-0A-00-00"]),
        (CREDIT_ADDED_LOCALLY, ["90-B3-D5-1F-30-0A-00-00"]),
    ]
    # and alerts from now on go straight to the SRP
    (delivery,) = world.alert(ESME_ID, TAMPER, at + MINUTE)
    assert delivery.user_id == SRP


def test_r7_1_with_an_arranged_srp_alerts_go_to_it_from_the_moment_of_revocation(
    world: World,
) -> None:
    world.dcc.arrange_srp(BRIGHT, SRP, T0)
    (before,) = world.alert(ESME_ID, TAMPER, NOW - MINUTE)
    assert before.user_id == BRIGHT
    world.fail(BRIGHT, NOW)
    (delivery,) = world.alert(ESME_ID, TAMPER, NOW)
    assert_device_alert(world, delivery, SRP, TAMPER, NOW)
    record = _routed(world, ESME_ID)
    assert (record.addressed_to, record.delivered_to) == (BRIGHT, SRP)
    assert "arranged" in record.reason
    assert world.dcc.held_alerts == {}


def test_r7_1_ofgem_s_instruction_overrides_the_arranged_srp(world: World) -> None:
    world.dcc.arrange_srp(BRIGHT, ROGUE_SRP, T0)
    world.fail(BRIGHT, NOW)
    (delivery,) = world.alert(ESME_ID, TAMPER, NOW + MINUTE)
    assert delivery.user_id == ROGUE_SRP
    world.instruct(BRIGHT, SRP, NOW + 2 * MINUTE)
    (delivery,) = world.alert(ESME_ID, TAMPER, NOW + 3 * MINUTE)
    assert delivery.user_id == SRP


def test_r7_1_instructed_but_not_revoked_alerts_stay_with_the_supplier(world: World) -> None:
    world.dcc.ofgem_notification(BRIGHT, NOW)
    world.instruct(BRIGHT, SRP, NOW)
    (delivery,) = world.alert(ESME_ID, TAMPER, NOW + MINUTE)
    assert_device_alert(world, delivery, BRIGHT, TAMPER, NOW + MINUTE)
    assert _routed(world, ESME_ID).reason == "to the supplier it is addressed to"


@pytest.mark.parametrize("arranged", [False, True], ids=["no-arrangement", "arranged"])
def test_r7_1_only_partly_revoked_alerts_stay_with_the_supplier(
    world: World, arranged: bool
) -> None:
    """Its Supplier DS certificate revoked, its KA certificate not: the supplier still holds a
    valid Supplier certificate, so it has not lost its meters' alerts."""
    if arranged:
        world.dcc.arrange_srp(BRIGHT, SRP, T0)
    world.dcc.ofgem_notification(BRIGHT, NOW)
    (ds,) = world.smki.find(BRIGHT, RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    world.smki.revoke(ds, x509.ReasonFlags.key_compromise, NOW)
    world.instruct(BRIGHT, SRP, NOW)
    for device, code in ((ESME_ID, TAMPER), (SMETS1_ID, TAMPER)):
        (delivery,) = world.alert(device, code, NOW + MINUTE)
        assert delivery.user_id == BRIGHT
    assert world.dcc.held_alerts == {}


@pytest.mark.parametrize(
    ("supplier", "srp", "why"),
    [
        (SRP, SRP, "is not a supplier User"),
        (NEVER, SRP, "is not a supplier User"),
        (BRIGHT, STEADY, "is not a SolrContingency User"),
        (BRIGHT, bytes(8), "is not a SolrContingency User"),
    ],
    ids=["srp-as-supplier", "other-user-as-supplier", "supplier-as-srp", "unknown-srp"],
)
def test_an_arrangement_names_a_supplier_and_a_solr_contingency_user(
    world: World, supplier: bytes, srp: bytes, why: str
) -> None:
    with pytest.raises(RegisterError, match=why):
        world.dcc.arrange_srp(supplier, srp, T0)
    assert world.dcc.services.register.arrangements() == []


def test_a_failed_supplier_cannot_arrange_an_srp(world: World) -> None:
    world.fail(BRIGHT, NOW)
    with pytest.raises(RegisterError, match="suspended"):
        world.dcc.arrange_srp(BRIGHT, SRP, NOW + MINUTE)
    # its Supplier certificates revoked, even with its User left active
    world.dcc.services.users.set_status(BRIGHT, UserStatus.ACTIVE)
    with pytest.raises(RegisterError, match="revoked"):
        world.dcc.arrange_srp(BRIGHT, SRP, NOW + MINUTE)
    (held,) = world.alert(ESME_ID, TAMPER, NOW + 2 * MINUTE)
    assert isinstance(held, AlertHeld)


def test_r7_1_before_the_failure_alerts_go_to_the_supplier(world: World) -> None:
    (delivery,) = world.alert(ESME_ID, TAMPER, NOW)
    assert_device_alert(world, delivery, BRIGHT, TAMPER, NOW)


def test_r7_1_an_instruction_timed_later_holds_until_it_is_in_force(world: World) -> None:
    world.fail(BRIGHT, NOW)
    assert world.instruct(BRIGHT, SRP, NOW + timedelta(hours=1)) == []
    (held,) = world.alert(ESME_ID, TAMPER, NOW + MINUTE)
    assert isinstance(held, AlertHeld)
    released, delivery = world.alert(ESME_ID, CREDIT_ADDED_LOCALLY, NOW + timedelta(hours=2))
    assert (released.user_id, delivery.user_id) == (SRP, SRP)
    assert parse_response(released.document).body.alert_code == TAMPER
    assert parse_response(delivery.document).body.alert_code == CREDIT_ADDED_LOCALLY


def test_r7_1_a_non_critical_alert_is_still_delivered_to_the_srp(world: World) -> None:
    at = _instructed(world)
    (delivery,) = world.alert(ESME_ID, CREDIT_ADDED_LOCALLY, at)
    assert_device_alert(world, delivery, SRP, CREDIT_ADDED_LOCALLY, at)
    assert _routed(world, ESME_ID).safety_critical is False


def test_r7_1_a_healthy_suppliers_alerts_never_go_to_the_srp(world: World) -> None:
    at = _instructed(world)
    (delivery,) = world.alert(STEADY_ESME_ID, TAMPER, at)
    assert_device_alert(world, delivery, STEADY, TAMPER, at)


def test_r7_1_alerts_of_a_supplier_the_srp_was_not_named_for_stay_with_it(world: World) -> None:
    at = _instructed(world)
    world.fail(STEADY, at)
    (held,) = world.alert(STEADY_ESME_ID, TAMPER, at + MINUTE)
    assert isinstance(held, AlertHeld) and held.alert.addressed_to == STEADY
    assert [d.user_id for d in world.received] == []


def test_r7_1_an_alert_that_is_not_the_devices_is_not_passed_on(world: World) -> None:
    """A GSME's genuine tamper alert presented as the ESME's, and the ESME's with its signature
    altered: neither authenticates as coming from the ESME, so nobody gets it."""
    at = _instructed(world)
    (gsme_frame,) = world.meters[GSME_ID].trigger(TAMPER, at)
    assert world.dcc.on_device_message(ESME_ID, gsme_frame, at) == []
    (esme_frame,) = world.meters[ESME_ID].trigger(TAMPER, at)
    altered = esme_frame[:-1] + bytes((esme_frame[-1] ^ 0x01,))
    assert world.dcc.on_device_message(ESME_ID, altered, at) == []
    assert world.audit.alerts_for(ESME_ID) == []


@pytest.mark.parametrize(
    ("at", "longer"),
    [(30, b"\x81\x02"), (33, b"\x81\x19"), (33, b"\x82\x00\x19")],
    ids=["other-information-81", "content-81", "content-82"],
)
def test_r7_1_an_alert_with_a_length_in_a_longer_form_is_not_passed_on(
    world: World, at: int, longer: bytes
) -> None:
    """The meter's signed tamper alert with one length in a longer form than it needs: other
    bytes for the same fields, which the signature does not cover. The DCC passes on neither
    them nor anything for them; the alert as the meter sent it still goes through."""
    now = _instructed(world)
    (frame,) = world.meters[ESME_ID].trigger(TAMPER, now)
    assert decode(frame).is_signed and frame[at] == longer[-1]
    altered = frame[:at] + longer + frame[at + 1 :]
    assert world.dcc.on_device_message(ESME_ID, altered, now) == []
    assert world.audit.alerts_for(ESME_ID) == []
    (delivery,) = world.dcc.on_device_message(ESME_ID, frame, now)
    assert delivery.response.body.gbcs_payload == frame
    assert_device_alert(world, delivery, SRP, TAMPER, now)


@pytest.mark.parametrize("signature", [b"", None], ids=["zero-length", "absent"])
def test_r7_1_a_critical_alert_stripped_of_its_signature_is_not_passed_on(
    world: World, signature: bytes | None
) -> None:
    """A forged safety-critical alert: the meter's tamper alert (a Generic Critical Alert, which
    GBCS requires signed) with the signature taken off, or made up with any alert code and any
    addressee. The DCC cannot tell it from the device's, so it must not vouch for it."""
    at = _instructed(world)
    (frame,) = world.meters[ESME_ID].trigger(TAMPER, at)
    stripped = encode(replace(decode(frame), signature=signature))
    assert world.dcc.on_device_message(ESME_ID, stripped, at) == []
    assert world.audit.alerts_for(ESME_ID) == []


def test_a_device_response_stripped_of_its_signature_is_not_passed_on(world: World) -> None:
    """A forged "success" for the SRP's command must neither reach the SRP nor take the place
    of the meter's real (signed) response, which still comes through afterwards."""
    ready, answer = srp_switch_sent(world)
    forged = encode(replace(decode(answer), signature=b""))
    assert world.dcc.on_device_message(ESME_ID, forged, ready) == []
    (response,) = world.dcc.on_device_message(ESME_ID, answer, ready)
    assert (response.user_id, response.kind) == (SRP, "response")


# --- R7.2 safety-critical alerts: always delivered, flagged, the list is configuration --------


@pytest.mark.parametrize("code", NINE, ids=[f"{code:04X}" for code in NINE])
@pytest.mark.parametrize(
    ("phase", "recipient"),
    [("healthy", BRIGHT), ("arranged", SRP), ("held", SRP), ("instructed", SRP)],
    ids=["healthy", "failed-srp-arranged", "failed-held-until-instructed", "srp-instructed"],
)
def test_r7_2_every_safety_critical_alert_is_delivered_and_flagged(
    world: World, code: int, phase: str, recipient: bytes
) -> None:
    at = NOW
    if phase in ("arranged", "held"):
        if phase == "arranged":
            world.dcc.arrange_srp(BRIGHT, SRP, T0)
        world.fail(BRIGHT, NOW)
        at = NOW + MINUTE
    elif phase == "instructed":
        at = _instructed(world)
    device = _device_for(code)
    (outcome,) = world.alert(device, code, at)
    if phase == "held":
        assert isinstance(outcome, AlertHeld) and outcome.safety_critical
        at += MINUTE
        (outcome,) = world.instruct(BRIGHT, SRP, at)
    assert_device_alert(world, outcome, recipient, code, at)
    record = _routed(world, device)
    assert (record.alert_code, record.safety_critical) == (code, True)
    assert [d.recipient for d in record.deliveries] == [party(recipient)]


def test_r7_2_the_safety_critical_list_is_configuration(world: World) -> None:
    at = _instructed(world)
    world.alert(ESME_ID, CREDIT_ADDED_LOCALLY, at)
    assert _routed(world, ESME_ID).safety_critical is False

    world.configure(f'[alerts]\nsafety_critical = [{DEFAULT_LIST}, "810E"]\n')
    (delivery,) = world.alert(ESME_ID, CREDIT_ADDED_LOCALLY, at)
    assert delivery.user_id == SRP
    assert _routed(world, ESME_ID).safety_critical is True

    # and taken off the list, tamper is still delivered, just no longer flagged
    others = ", ".join(f'"{code:04X}"' for code in NINE if code != TAMPER)
    world.configure(f"[alerts]\nsafety_critical = [{others}]\n")
    (delivery,) = world.alert(ESME_ID, TAMPER, at)
    assert delivery.user_id == SRP
    assert _routed(world, ESME_ID).safety_critical is False


# --- R7.3 revoked supplier credentials do not silence alerts ----------------------------------


def test_r7_3_an_alert_maced_with_revoked_supplier_ka_credentials_is_delivered(
    world: World,
) -> None:
    at = _instructed(world)
    (ka,) = world.smki.find(BRIGHT, RemotePartyRole.SUPPLIER, KeyUsage.KEY_AGREEMENT)
    assert world.smki.is_revoked(ka.certificate, at)
    (frame,) = world.meters[ESME_ID].trigger(CREDIT_ADDED_LOCALLY, at)
    message = decode(frame)
    assert not message.is_signed and message.mac is not None
    # the MAC is keyed by ECDH between the meter and BRIGHT's (revoked) Supplier KA key
    bright_ka = org_key_from_seed(SEED, BRIGHT, RemotePartyRole.SUPPLIER, KeyUsage.KEY_AGREEMENT)
    meter_ka = world.meters[ESME_ID].credentials.public_key(KeyUsage.KEY_AGREEMENT)
    assert mac_valid(message, ecdh(bright_ka, meter_ka))

    (delivery,) = world.dcc.on_device_message(ESME_ID, frame, at)
    assert_device_alert(world, delivery, SRP, CREDIT_ADDED_LOCALLY, at)


def test_r7_3_after_revocation_without_an_srp_the_alerts_are_held_not_dropped(
    world: World,
) -> None:
    world.fail(BRIGHT, NOW)
    for code in (CREDIT_ADDED_LOCALLY, TAMPER):
        (held,) = world.alert(ESME_ID, code, NOW + MINUTE)
        assert isinstance(held, AlertHeld)
    released = world.instruct(BRIGHT, SRP, NOW + 2 * MINUTE)
    for delivery, code in zip(released, (CREDIT_ADDED_LOCALLY, TAMPER), strict=True):
        assert_device_alert(world, delivery, SRP, code, NOW + 2 * MINUTE)
