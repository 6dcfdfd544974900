"""R5 through the DCC: the SRP may switch meters to credit and nothing else, judged on the real
payload (the DUIS body for SMETS1, the decoded GBCS of the signed pre-command for SMETS2+).

Each negative is a forged or mislabelled request an SRP could try once Ofgem has instructed it
and its ADT is in force; each is quarantined as an attribute-limits (ADA) breach, the SRP gets
the DCC alert, and no meter changes.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from dcc.duis.alerts import BreachKind
from dcc.duis.codes import ResponseCode
from dcc.duis.request import Credit, Prepayment
from devices.gbcs.frame import GbcsMessage, OtherInformation, decode
from devices.gbcs.payment_mode import (
    ECS02,
    ECS03,
    GCS02,
    GCS03,
    PaymentMode,
)
from sim.gherkin.alterations import (
    CREDIT_CHANGE,
    PREPAYMENT_CHANGE,
    dlms_mode_flipped,
    with_payload,
)
from sim.world.testbed import BRIGHT, ESME_ID, GSME_ID, SMETS1_ID, SRP, World
from tests.dcc.rule_checks import NOW, assert_quarantined, assert_refused

ADA = BreachKind.ATTRIBUTE_LIMITS


def _send_forged(world: World, user: bytes, device: bytes, forge, now):
    """Transform a credit request, forge the issued pre-command, sign it with BRIGHT's Supplier
    DS key (which the SRP holds for the failed supplier) and send it; returns the outcome."""
    transform, issued = world.transform(user, device, Credit(), now)
    assert issued.accepted, (issued.decided_by, issued.reason)
    forged = forge(world.pre_command(issued))
    outcome = world.send_signed(transform, world.sign_pre_command(forged, BRIGHT), now)
    world.deliver(outcome, now)
    return outcome


# --- R5.1 SMETS1: the DUIS body must be Credit ------------------------------------------------


def test_r5_1_srp_credit_to_a_smets1_meter_is_countersigned(world: World) -> None:
    ready = world.solr_ready(NOW)
    outcome = world.send_smets1(SRP, Credit(), ready)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)
    (delivery,) = outcome.to_devices
    assert delivery.smets1
    assert world.meters[SMETS1_ID].account.payment_mode is PaymentMode.CREDIT


@pytest.mark.parametrize(
    "mode",
    [Prepayment(False, False, 0), Prepayment(True, True, -500), Prepayment(False, True, 100)],
)
def test_r5_1_srp_prepayment_to_a_smets1_meter_is_quarantined(
    world: World, mode: Prepayment
) -> None:
    ready = world.solr_ready(NOW)
    before = world.states()
    outcome = world.send_smets1(SRP, mode, ready)
    assert_quarantined(outcome, ADA, "content", SRP)
    assert world.states() == before


def test_r5_1_a_supplier_is_not_limited_to_credit(world: World) -> None:
    """The limit is the SolrContingency role's: the supplier itself may still ask for
    prepayment (the meter is switched to credit first so the change shows)."""
    assert world.send_smets1(BRIGHT, Credit(), NOW).accepted
    outcome = world.send_smets1(BRIGHT, Prepayment(False, False, 0), NOW)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)
    assert world.meters[SMETS1_ID].account.payment_mode is PaymentMode.PREPAYMENT


# --- R5.2 SMETS2+: the GBCS must be ECS02 (ESME) or GCS02 (GSME) ------------------------------


@pytest.mark.parametrize(("device", "code"), [(ESME_ID, ECS02), (GSME_ID, GCS02)])
def test_r5_2_srp_credit_command_is_sent_to_the_meter(world: World, device: bytes, code) -> None:
    ready = world.solr_ready(NOW)
    outcome = world.switch(SRP, device, ready)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)
    (delivery,) = outcome.to_devices
    sent = decode(delivery.frame)
    assert (sent.message_code, sent.header.originator) == (code, BRIGHT)
    assert sent.mac is not None and sent.is_signed
    assert world.meters[device].state.account.payment_mode is PaymentMode.CREDIT


@pytest.mark.parametrize("device", [ESME_ID, GSME_ID])
def test_r5_2_srp_transform_to_prepayment_is_quarantined(world: World, device: bytes) -> None:
    ready = world.solr_ready(NOW)
    before = world.states()
    _, outcome = world.transform(SRP, device, Prepayment(False, False, 0), ready)
    assert_quarantined(outcome, ADA, "content", SRP)
    assert outcome.response is not None and b"PreCommand" not in outcome.response
    assert world.states() == before


def test_r5_2_a_gcs03_pre_command_for_a_gsme_is_quarantined(world: World) -> None:
    ready = world.solr_ready(NOW)
    before = world.states()
    outcome = _send_forged(
        world,
        SRP,
        GSME_ID,
        lambda issued: with_payload(issued, GCS03, PREPAYMENT_CHANGE, NOW),
        ready,
    )
    assert_quarantined(outcome, ADA, "content", SRP)
    assert world.states() == before


@pytest.mark.parametrize(
    ("device", "code", "payload_code"),
    [
        (GSME_ID, ECS02, ECS02),  # an ESME credit command sent to a GSME
        (ESME_ID, GCS02, GCS02),  # a GSME credit command sent to an ESME
        (ESME_ID, 0x0020, ECS02),  # not a 1.6 message code at all, over a credit payload
        (ESME_ID, ECS03, ECS02),  # a prepayment code over a credit payload
    ],
)
def test_r5_2_any_other_message_code_is_quarantined(
    world: World, device: bytes, code: int, payload_code: int
) -> None:
    ready = world.solr_ready(NOW)
    before = world.states()

    def forge(issued: GbcsMessage) -> GbcsMessage:
        credit = with_payload(issued, payload_code, CREDIT_CHANGE, NOW)
        return replace(credit, header=replace(credit.header, other_info=OtherInformation(code)))

    outcome = _send_forged(world, SRP, device, forge, ready)
    assert_quarantined(outcome, ADA, "content", SRP)
    assert world.states() == before


# --- R5.3 the actual payload decides, not a label beside it -----------------------------------


def test_r5_3_an_ecs03_inside_a_1_6_wrapper_is_quarantined(world: World) -> None:
    """Prepayment in disguise: the DUIS says SR 1.6 and the transform asked for credit, but the
    signed GBCS sent back is a well-formed ECS03 (set ESME payment mode to prepayment)."""
    ready = world.solr_ready(NOW)
    before = world.states()
    outcome = _send_forged(
        world,
        SRP,
        ESME_ID,
        lambda issued: with_payload(issued, ECS03, PREPAYMENT_CHANGE, NOW),
        ready,
    )
    assert_quarantined(outcome, ADA, "content", SRP)
    assert "may only set credit" in outcome.reason
    assert world.states() == before


def test_r5_3_a_flipped_dlms_payment_mode_is_caught_at_content(world: World) -> None:
    """The issued credit pre-command with one DLMS byte changed (payment_mode 01 -> 02) and
    re-signed with the supplier DS key: the code still says ECS02, the payload says prepayment.
    The "content" stage decodes the payload and catches it (before "correlation", which would
    also see that it differs from what was issued)."""
    ready = world.solr_ready(NOW)
    before = world.states()
    outcome = _send_forged(world, SRP, ESME_ID, dlms_mode_flipped, ready)
    assert_quarantined(outcome, ADA, "content", SRP)
    assert "does not match its payload" in outcome.reason
    assert world.states() == before


def test_r5_3_a_flipped_zse_payment_control_is_caught_at_content(world: World) -> None:
    """The GSME equivalent: GCS02's ZSE Payment Control Configuration set to prepayment."""
    ready = world.solr_ready(NOW)
    before = world.states()

    def forge(issued: GbcsMessage) -> GbcsMessage:
        prepayment = with_payload(issued, GCS03, PREPAYMENT_CHANGE, NOW)
        return replace(prepayment, header=issued.header)  # still labelled GCS02

    outcome = _send_forged(world, SRP, GSME_ID, forge, ready)
    assert_quarantined(outcome, ADA, "content", SRP)
    assert world.states() == before


def test_r5_3_a_suppliers_disguised_payload_is_refused(world: World) -> None:
    """A supplier may ask for prepayment, but not under a credit code: that is malformed."""
    before = world.states()
    outcome = _send_forged(world, BRIGHT, ESME_ID, dlms_mode_flipped, NOW)
    assert_refused(outcome, ResponseCode.E1000, "content")
    assert world.states() == before
