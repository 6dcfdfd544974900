"""R6.3-R6.5 through the DCC: which SRP requests it countersigns (SMETS1) or MACs (SMETS2+):
signed with the SRP's own xmlSign certificate, fresh, for the named SRP and a supplier whose
Supplier certificates it held and are all revoked, and passing every existing check.

Every negative asserts the refusal (response code and deciding stage, or a quarantine with the
DCC alert to the User) and that no meter changed.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from cryptography import x509

from dcc.duis.alerts import BreachKind
from dcc.duis.codes import ResponseCode
from dcc.duis.request import (
    CommandVariant,
    Credit,
    Prepayment,
    Request,
    SignedPreCommand,
    UpdatePaymentMode,
    build_request,
)
from dcc.duis.response import parse_response
from dcc.duis.xmldsig import sign_document
from dcc.smki.authority import org_key_from_seed
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.users import UserStatus
from devices.gbcs.crypto import private_key_from_seed
from devices.gbcs.frame import Cra, GbcsMessage, GroupingHeader, OtherInformation, encode
from devices.gbcs.payment_mode import (
    ECS02,
    Activation,
    PaymentMode,
    PaymentModeChange,
    encode_payment_mode_command,
)
from devices.gbcs.security import sign
from sim.gherkin.alterations import executed_a_week_later
from sim.world.testbed import (
    BRIGHT,
    ESME_ID,
    GSME_ID,
    NEVER,
    NEVER_ESME_ID,
    SEED,
    SMETS1_ID,
    SRP,
    STEADY,
    STEADY_ESME_ID,
    World,
)
from tests.dcc.rule_checks import MINUTE, NOW, assert_quarantined, assert_refused

ADT_BREACH = BreachKind.USER_THRESHOLD


def _instruct(world: World, supplier: bytes, srp: bytes, now: datetime) -> datetime:
    """Ofgem's SoLR notification for ``supplier`` and its instruction naming ``srp``, without
    revoking anything; returns a minute later."""
    world.dcc.ofgem_notification(supplier, now)
    world.dcc.ofgem_instruction(supplier, srp, now)
    return now + MINUTE


def _signed_with(request: Request, key, certificate: x509.Certificate) -> bytes:
    return sign_document(build_request(request), key, certificate)


def _supplier_ds_certificate(world: World, supplier: bytes) -> x509.Certificate:
    (record,) = world.smki.find(supplier, RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    return record.certificate


# --- R6.3 SMETS1: countersigned only for the named SRP, a revoked supplier, all checks passed -


def test_r6_3_the_srps_smets1_credit_request_is_countersigned(world: World) -> None:
    ready = world.solr_ready(NOW)
    outcome = world.send_smets1(SRP, Credit(), ready)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)
    (delivery,) = outcome.to_devices
    assert (delivery.device_id, delivery.smets1) == (SMETS1_ID, True)
    assert world.meters[SMETS1_ID].account.payment_mode is PaymentMode.CREDIT
    (response,) = [d for d in world.received if d.kind == "response"]
    assert response.user_id == SRP


def test_r6_3_smets1_before_any_failure_is_refused(world: World) -> None:
    before = world.states()
    outcome = world.send_smets1(SRP, Credit(), NOW)
    assert_refused(outcome, ResponseCode.E4, "solr-instruction")
    assert world.states() == before


def test_r6_3_a_smets1_alert_does_not_take_the_pending_commands_response(world: World) -> None:
    """The failed supplier's SMETS1 meter raises a tamper alert while the SRP's countersigned
    command is on its way: the alert is not the command's answer, and the SRP still gets the
    meter's real response."""
    ready = world.solr_ready(NOW)
    request = world.request(
        SRP, SMETS1_ID, UpdatePaymentMode(Credit()), CommandVariant.SEND_COMMAND
    )
    outcome = world.dcc.submit(world.signed(request), ready)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)
    (command,) = outcome.to_devices
    meter = world.meters[SMETS1_ID]
    (alert,) = meter.trigger(0x8F3F, ready)
    assert [
        d for d in world.dcc.on_device_message(SMETS1_ID, alert, ready) if d.kind == "response"
    ] == []
    (answer,) = meter.receive(command.frame, ready)
    (response,) = world.dcc.on_device_message(SMETS1_ID, answer, ready)
    assert (response.user_id, response.kind) == (SRP, "response")
    assert parse_response(response.document).header.response_code is ResponseCode.I0
    assert meter.account.payment_mode is PaymentMode.CREDIT


def test_r6_3_a_replayed_smets1_request_is_refused(world: World) -> None:
    """A SMETS1 request quarantined at zero ADT is captured and replayed once the ADT is in
    force: the counter is not above the last, so the DCC does not countersign it."""
    world.fail(BRIGHT, NOW)
    world.dcc.ofgem_instruction(BRIGHT, SRP, NOW)
    request = world.request(
        SRP, SMETS1_ID, UpdatePaymentMode(Credit()), CommandVariant.SEND_COMMAND
    )
    xml = world.signed(request)
    assert_quarantined(world.dcc.submit(xml, NOW), ADT_BREACH, "adt", SRP)
    world.adt(100, BRIGHT, NOW + MINUTE)
    before = world.states()
    assert_refused(world.dcc.submit(xml, NOW + 2 * MINUTE), ResponseCode.E1000, "replay")
    assert world.states() == before


def test_r6_3_a_smets1_send_between_a_transform_and_its_signed_send_is_no_replay(
    world: World,
) -> None:
    """One counter sequence per User: transform ESME (n), SMETS1 send (n+1), then the ESME's
    signed pre-command, which keeps the transform's RequestID (n). That is not a replay."""
    ready = world.solr_ready(NOW)
    transform, issued = world.transform(SRP, ESME_ID, Credit(), ready)
    smets1 = world.send_smets1(SRP, Credit(), ready)
    assert smets1.accepted, (smets1.decided_by, smets1.reason)
    outcome = world.send_signed(transform, world.sign_pre_command(issued, BRIGHT), ready)
    world.deliver(outcome, ready)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)
    assert world.meters[ESME_ID].state.account.payment_mode is PaymentMode.CREDIT


def test_r6_3_smets1_for_a_supplier_not_yet_revoked_is_refused(world: World) -> None:
    """Notified and instructed, ADT in force, but the Supplier certificates are still valid."""
    later = _instruct(world, BRIGHT, SRP, NOW)
    world.adt(100, BRIGHT, later)
    before = world.states()
    outcome = world.send_smets1(SRP, Credit(), later)
    assert_refused(outcome, ResponseCode.E4, "solr-revocation")
    assert "R6.3" in outcome.reason
    assert world.states() == before


def test_r6_3_smets1_prepayment_is_quarantined_not_countersigned(world: World) -> None:
    ready = world.solr_ready(NOW)
    before = world.states()
    outcome = world.send_smets1(SRP, Prepayment(False, False, 0), ready)
    assert_quarantined(outcome, BreachKind.ATTRIBUTE_LIMITS, "content", SRP)
    assert world.states() == before


def test_r6_3_smets1_request_signed_with_a_supplier_certificate_is_refused(world: World) -> None:
    """The SRP holds BRIGHT's Supplier DS key; it must not sign DUIS with it."""
    ready = world.solr_ready(NOW)
    before = world.states()
    request = world.request(
        SRP, SMETS1_ID, UpdatePaymentMode(Credit()), CommandVariant.SEND_COMMAND
    )
    xml = _signed_with(
        request, world.parties[BRIGHT].supplier_ds, _supplier_ds_certificate(world, BRIGHT)
    )
    outcome = world.dcc.submit(xml, ready)
    assert_refused(outcome, ResponseCode.E1, "signature")
    assert "is revoked" in outcome.reason
    assert world.states() == before


def test_r6_3_smets1_transform_is_refused(world: World) -> None:
    ready = world.solr_ready(NOW)
    before = world.states()
    _, outcome = world.transform(SRP, SMETS1_ID, Credit(), ready)
    assert_refused(outcome, ResponseCode.E12, "command-variant")
    assert world.states() == before


# --- R6.4 SMETS2+: MACed only for the named SRP, a revoked supplier, all checks passed --------


def test_r6_4_the_srps_signed_pre_command_is_maced_and_actioned(world: World) -> None:
    ready = world.solr_ready(NOW)
    for device in (ESME_ID, GSME_ID):
        outcome = world.switch(SRP, device, ready)
        assert outcome.accepted, (outcome.decided_by, outcome.reason)
        assert world.meters[device].state.account.payment_mode is PaymentMode.CREDIT
        assert world.meters[device].state.last_counters == {BRIGHT: outcome.request_id.counter}


@pytest.mark.parametrize(
    ("supplier", "why"),
    [(BRIGHT, "is revoked"), (STEADY, "xmlSign (87) is required")],
    ids=["failed-suppliers-revoked-ds", "valid-supplier-ds"],
)
def test_r6_4_duis_signed_with_a_supplier_ds_certificate_is_refused(
    world: World, supplier: bytes, why: str
) -> None:
    """An xmlSign certificate of another role: the SRP signs its DUIS with a Supplier DS
    certificate (BRIGHT's, whose key it holds, now revoked; or a valid one)."""
    ready = world.solr_ready(NOW)
    before = world.states()
    request = world.request(SRP, ESME_ID, UpdatePaymentMode(Credit()), CommandVariant.TRANSFORM)
    xml = _signed_with(
        request, world.parties[supplier].supplier_ds, _supplier_ds_certificate(world, supplier)
    )
    outcome = world.dcc.submit(xml, ready)
    assert_refused(outcome, ResponseCode.E1, "signature")
    assert why in outcome.reason
    assert world.states() == before


def test_r6_4_a_supplier_ds_certificate_is_refused_for_suppliers_too(world: World) -> None:
    before = world.states()
    request = world.request(BRIGHT, ESME_ID, UpdatePaymentMode(Credit()), CommandVariant.TRANSFORM)
    xml = _signed_with(
        request, world.parties[BRIGHT].supplier_ds, _supplier_ds_certificate(world, BRIGHT)
    )
    outcome = world.dcc.submit(xml, NOW)
    assert_refused(outcome, ResponseCode.E1, "signature")
    assert "supplier (02)" in outcome.reason
    assert world.states() == before


def test_r6_4_a_revoked_srp_xml_sign_certificate_is_refused(world: World) -> None:
    """The SRP's xmlSign certificate is revoked between the transform and the send."""
    ready = world.solr_ready(NOW)
    transform, issued = world.transform(SRP, ESME_ID, Credit(), ready)
    assert issued.accepted
    (record,) = world.smki.find(SRP, RemotePartyRole.XML_SIGN)
    world.smki.revoke(record, x509.ReasonFlags.key_compromise, ready)
    before = world.states()
    outcome = world.send_signed(transform, world.sign_pre_command(issued, BRIGHT), ready + MINUTE)
    assert_refused(outcome, ResponseCode.E1, "signature")
    assert "revoked" in outcome.reason
    _, outcome = world.transform(SRP, GSME_ID, Credit(), ready + MINUTE)
    assert_refused(outcome, ResponseCode.E1, "signature")
    assert world.states() == before


def test_r6_4_a_replayed_request_id_counter_is_refused(world: World) -> None:
    """A send quarantined at zero ADT is captured and replayed once the ADT is in force."""
    world.fail(BRIGHT, NOW)
    world.dcc.ofgem_instruction(BRIGHT, SRP, NOW)
    transform, issued = world.transform(SRP, ESME_ID, Credit(), NOW)
    signed = world.sign_pre_command(issued, BRIGHT)
    first = world.send_signed(transform, signed, NOW)
    assert_quarantined(first, ADT_BREACH, "adt", SRP)
    world.adt(100, BRIGHT, NOW + MINUTE)
    before = world.states()

    replay = world.send_signed(transform, signed, NOW + 2 * MINUTE)
    assert_refused(replay, ResponseCode.E1000, "replay")
    _, fresh = world.transform(SRP, GSME_ID, Credit(), NOW + 2 * MINUTE)
    assert fresh.accepted  # a fresh counter is fine
    assert world.states() == before


def test_r6_4_a_counter_not_above_the_last_is_refused(world: World) -> None:
    ready = world.solr_ready(NOW)
    outcome = world.switch(SRP, ESME_ID, ready)
    assert outcome.accepted
    before = world.states()
    last = outcome.request_id.counter
    for counter in (last, last - 1):
        request = world.request(
            SRP, ESME_ID, UpdatePaymentMode(Credit()), CommandVariant.TRANSFORM, counter=counter
        )
        refused = world.dcc.submit(world.signed(request), ready)
        assert_refused(refused, ResponseCode.E1000, "replay")
    assert world.states() == before


def test_r6_4_counters_rise_per_user_and_device_so_requests_may_arrive_out_of_order(
    world: World,
) -> None:
    """Concurrent requests for different devices: a lower counter for another device is no
    replay, and another User's counters are its own."""
    ready = world.solr_ready(NOW)
    body = UpdatePaymentMode(Credit())
    late, early = (
        world.request(SRP, device, body, CommandVariant.TRANSFORM, counter=counter)
        for device, counter in ((ESME_ID, 700), (GSME_ID, 600))
    )
    for request in (late, early):
        outcome = world.dcc.submit(world.signed(request), ready)
        assert outcome.accepted, (outcome.decided_by, outcome.reason)
    again = world.dcc.submit(world.signed(early), ready)
    assert_refused(again, ResponseCode.E1000, "replay")
    assert GSME_ID.hex().upper() in again.reason
    other = world.request(STEADY, ESME_ID, body, CommandVariant.TRANSFORM, counter=600)
    past_replay = world.dcc.submit(world.signed(other), ready)
    assert past_replay.decided_by == "registered-supplier"  # not STEADY's meter


def test_r6_4_a_pre_command_from_another_business_originator_is_refused(world: World) -> None:
    """STEADY also failed (the SRP holds its DS key too): a STEADY-originated pre-command for
    BRIGHT's meter is not from the device's registered supplier."""
    ready = world.solr_ready(NOW)
    world.fail(STEADY, ready)
    world.dcc.ofgem_instruction(STEADY, SRP, ready)
    transform, issued = world.transform(SRP, ESME_ID, Credit(), ready)
    message = world.pre_command(issued)
    forged = GbcsMessage(
        GroupingHeader(
            message.header.cra,
            message.header.counter,
            STEADY,
            message.header.recipient,
            message.header.other_info,
        ),
        message.content,
    )
    before = world.states()
    outcome = world.send_signed(transform, world.sign_pre_command(forged, STEADY), ready)
    assert_refused(outcome, ResponseCode.E4, "registered-supplier")
    assert world.states() == before


def test_r6_4_a_pre_command_not_signed_by_the_suppliers_ds_key_is_refused(world: World) -> None:
    ready = world.solr_ready(NOW)
    transform, issued = world.transform(SRP, ESME_ID, Credit(), ready)
    before = world.states()
    signed = encode(sign(world.pre_command(issued), world.parties[STEADY].supplier_ds))
    outcome = world.send_signed(transform, signed, ready)
    assert_refused(outcome, ResponseCode.E1000, "gbcs-signature")
    assert world.states() == before


def test_r6_4_an_unsigned_pre_command_is_refused(world: World) -> None:
    ready = world.solr_ready(NOW)
    transform, issued = world.transform(SRP, ESME_ID, Credit(), ready)
    before = world.states()
    outcome = world.send_signed(transform, encode(world.pre_command(issued)), ready)
    assert_refused(outcome, ResponseCode.E1000, "pre-command")
    assert world.states() == before


def test_r6_4_a_credit_pre_command_the_dcc_did_not_issue_is_refused(world: World) -> None:
    """The SRP skips the transform: it makes its own ECS02 credit pre-command for BRIGHT's
    meter and signs it with BRIGHT's Supplier DS key, which it holds. Everything about it is
    valid except that the DCC never issued it."""
    ready = world.solr_ready(NOW)
    counter = world.next_counter(SRP)
    change = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)
    made_up = GbcsMessage(
        GroupingHeader(Cra.COMMAND, counter, BRIGHT, ESME_ID, OtherInformation(ECS02)),
        encode_payment_mode_command(ECS02, counter, change),
    )
    request = world.request(
        SRP,
        ESME_ID,
        SignedPreCommand(world.sign_pre_command(made_up, BRIGHT)),
        CommandVariant.SIGNED_SEND_COMMAND,
        counter,
    )
    before = world.states()
    outcome = world.dcc.submit(world.signed(request), ready)
    assert_refused(outcome, ResponseCode.E1000, "correlation")
    assert world.states() == before


def test_r6_4_an_altered_credit_pre_command_is_refused(world: World) -> None:
    """The issued pre-command, still credit, but to take effect in a week: not what was issued."""
    ready = world.solr_ready(NOW)
    transform, issued = world.transform(SRP, ESME_ID, Credit(), ready)
    message = world.pre_command(issued)
    altered = executed_a_week_later(message, ready)
    before = world.states()
    outcome = world.send_signed(transform, world.sign_pre_command(altered, BRIGHT), ready)
    assert_refused(outcome, ResponseCode.E1000, "correlation")
    assert world.states() == before


def test_r6_4_after_a_refused_signed_send_its_transform_cannot_be_used_again(
    world: World,
) -> None:
    """An altered pre-command is refused at correlation; the issued one, sent next under the
    same RequestID, is a replay: the DCC keeps no issued pre-command for a RequestID whose
    signed send it has checked, and needs none."""
    ready = world.solr_ready(NOW)
    transform, issued = world.transform(SRP, ESME_ID, Credit(), ready)
    message = world.pre_command(issued)
    altered = executed_a_week_later(message, ready)
    outcome = world.send_signed(transform, world.sign_pre_command(altered, BRIGHT), ready)
    assert_refused(outcome, ResponseCode.E1000, "correlation")
    assert str(transform.header.request_id) not in world.dcc.services.issued_precommands
    before = world.states()
    outcome = world.send_signed(transform, world.sign_pre_command(message, BRIGHT), ready)
    assert_refused(outcome, ResponseCode.E1000, "replay")
    assert world.states() == before


def test_r6_4_a_supplier_certified_again_after_the_transform_is_refused(world: World) -> None:
    """BRIGHT, reinstated as a User, gets a new Supplier DS certificate before the SRP sends:
    no longer are all its Supplier certificates revoked."""
    ready = world.solr_ready(NOW)
    transform, issued = world.transform(SRP, ESME_ID, Credit(), ready)
    world.dcc.services.users.set_status(BRIGHT, UserStatus.ACTIVE)
    key = org_key_from_seed(
        b"re-certified", BRIGHT, RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING
    )
    world.subscriptions.subscribe(
        None,
        "IS",
        BRIGHT,
        RemotePartyRole.SUPPLIER,
        KeyUsage.DIGITAL_SIGNING,
        key.public_key(),
        ready,
    )
    before = world.states()
    outcome = world.send_signed(transform, world.sign_pre_command(issued, BRIGHT), ready + MINUTE)
    assert_refused(outcome, ResponseCode.E4, "solr-revocation")
    assert "R6.4" in outcome.reason
    assert world.states() == before


# --- R6.5 never a supplier, or not revoked: cannot be acted for -------------------------------


def test_r6_5_a_never_supplier_cannot_be_acted_for(world: World) -> None:
    """NEVER held no Supplier certificate; Ofgem notified and instructed SRP for it anyway."""
    later = _instruct(world, NEVER, SRP, NOW)
    world.adt(100, NEVER, later)
    before = world.states()
    _, outcome = world.transform(SRP, NEVER_ESME_ID, Credit(), later)
    assert_refused(outcome, ResponseCode.E4, "solr-revocation")
    assert "never held a supplier (02) certificate" in outcome.reason
    # nor with a pre-command made up without the DCC's transform, signed with any key at all
    counter = world.next_counter(SRP)
    change = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)
    made_up = GbcsMessage(
        GroupingHeader(Cra.COMMAND, counter, NEVER, NEVER_ESME_ID, OtherInformation(ECS02)),
        encode_payment_mode_command(ECS02, counter, change),
    )
    signed = encode(sign(made_up, private_key_from_seed(SEED, "never-ds")))
    request = world.request(
        SRP, NEVER_ESME_ID, SignedPreCommand(signed), CommandVariant.SIGNED_SEND_COMMAND, counter
    )
    outcome = world.dcc.submit(world.signed(request), later)
    assert_refused(outcome, ResponseCode.E4, "solr-revocation")
    assert world.states() == before


def test_r6_5_a_not_revoked_supplier_cannot_be_acted_for(world: World) -> None:
    """STEADY: notified and instructed, ADT in force, but its certificates are still valid."""
    later = _instruct(world, STEADY, SRP, NOW)
    world.adt(100, STEADY, later)
    before = world.states()
    outcome = world.switch(SRP, STEADY_ESME_ID, later)
    assert_refused(outcome, ResponseCode.E4, "solr-revocation")
    assert "still holds valid supplier (02) certificates" in outcome.reason
    assert world.states() == before


def test_r6_5_a_partly_revoked_supplier_cannot_be_acted_for(world: World) -> None:
    """Only STEADY's DS certificate revoked; its KA certificate is still valid."""
    later = _instruct(world, STEADY, SRP, NOW)
    world.adt(100, STEADY, later)
    (ds,) = world.smki.find(STEADY, RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING)
    world.smki.revoke(ds, x509.ReasonFlags.cessation_of_operation, later)
    before = world.states()
    outcome = world.switch(SRP, STEADY_ESME_ID, later)
    assert_refused(outcome, ResponseCode.E4, "solr-revocation")
    assert world.states() == before
