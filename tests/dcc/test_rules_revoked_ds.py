"""R6.4: a signed pre-command that verifies only under a revoked Supplier DS certificate is the
SoLR case, accepted for the SRP in the SolrContingency role that Ofgem instructed for that
supplier and for nobody else. For every other User, and for a certificate out of date, the
``gbcs-signature`` stage refuses it (E1000) on its own, whatever earlier stages let through.

Through the whole DCC where the path reaches the stage; the stage alone where an earlier stage
already refuses the request, to show it does not lean on that stage.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography import x509

from dcc.duis.codes import ResponseCode
from dcc.duis.request import Credit
from dcc.pipeline import check_supplier_signature
from dcc.smki.authority import org_key_from_seed
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.users import UserStatus
from devices.gbcs.frame import Cra, GbcsMessage, GroupingHeader, OtherInformation
from devices.gbcs.payment_mode import (
    ECS02,
    Activation,
    PaymentMode,
    PaymentModeChange,
    encode_payment_mode_command,
)
from devices.gbcs.security import sign
from sim.world.testbed import (
    BRIGHT,
    ESME_ID,
    NEVER,
    ROGUE_SRP,
    SRP,
    STEADY,
    T0,
    Party,
    World,
)
from tests.dcc.rule_checks import MINUTE, NOW, assert_refused

_DS = KeyUsage.DIGITAL_SIGNING


def _ds_record(world: World, supplier: bytes):
    (record,) = world.smki.find(supplier, RemotePartyRole.SUPPLIER, _DS)
    return record


def _pre_command(world: World, signer: bytes = BRIGHT) -> GbcsMessage:
    """An ECS02 credit pre-command from BRIGHT for its ESME, signed with ``signer``'s DS key."""
    change = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)
    message = GbcsMessage(
        GroupingHeader(Cra.COMMAND, 1001, BRIGHT, ESME_ID, OtherInformation(ECS02)),
        encode_payment_mode_command(ECS02, 1001, change),
    )
    return sign(message, world.parties[signer].supplier_ds)


def _stage(world: World, user: bytes, at: datetime, message: GbcsMessage):
    """The gbcs-signature stage alone, for a pre-command sent by ``user`` at ``at``: its
    refusal, if any."""
    services = world.dcc.services
    return check_supplier_signature(services, message, services.users.get(user), at)


# --- through the whole DCC --------------------------------------------------------------------


def test_the_instructed_srp_passes_with_the_failed_suppliers_revoked_ds(world: World) -> None:
    ready = world.solr_ready(NOW)
    assert world.smki.is_revoked(_ds_record(world, BRIGHT).certificate, ready)
    outcome = world.switch(SRP, ESME_ID, ready)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)
    assert world.meters[ESME_ID].state.account.payment_mode is PaymentMode.CREDIT


def test_the_failed_supplier_itself_is_refused_under_its_revoked_ds(world: World) -> None:
    """Bright fails; the DCC reinstates its User and SMKI issues it a new xmlSign certificate,
    so every stage before gbcs-signature lets it through: the transform is issued. Its
    pre-command, signed under its revoked Supplier DS certificate, is refused."""
    world.fail(BRIGHT, NOW)
    world.dcc.services.users.set_status(BRIGHT, UserStatus.ACTIVE)
    key = org_key_from_seed(b"issued again", BRIGHT, RemotePartyRole.XML_SIGN, _DS)
    record = world.subscriptions.subscribe(
        None, "IS", BRIGHT, RemotePartyRole.XML_SIGN, _DS, key.public_key(), NOW
    )
    world.parties[BRIGHT] = Party(
        BRIGHT, key, record.certificate, world.parties[BRIGHT].supplier_ds
    )
    before = world.states()
    transform, issued = world.transform(BRIGHT, ESME_ID, Credit(), NOW + MINUTE)
    assert issued.accepted, (issued.decided_by, issued.reason)
    outcome = world.send_signed(transform, world.sign_pre_command(issued, BRIGHT), NOW + MINUTE)
    assert_refused(outcome, ResponseCode.E1000, "gbcs-signature")
    assert f"{_ds_record(world, BRIGHT).serial:#x} revoked" in outcome.reason
    assert world.states() == before


def test_a_supplier_with_a_renewed_ds_is_refused_under_the_revoked_one(world: World) -> None:
    """Bright's DS certificate is revoked (key compromise) and a new one issued: a pre-command
    signed with the old key is refused; with the new key it is actioned."""
    world.smki.revoke(_ds_record(world, BRIGHT), x509.ReasonFlags.key_compromise, NOW)
    new_key = org_key_from_seed(b"renewed", BRIGHT, RemotePartyRole.SUPPLIER, _DS)
    world.subscriptions.subscribe(
        None, "IS", BRIGHT, RemotePartyRole.SUPPLIER, _DS, new_key.public_key(), NOW
    )
    before = world.states()
    transform, issued = world.transform(BRIGHT, ESME_ID, Credit(), NOW + MINUTE)
    outcome = world.send_signed(transform, world.sign_pre_command(issued, BRIGHT), NOW + MINUTE)
    assert_refused(outcome, ResponseCode.E1000, "gbcs-signature")
    assert world.states() == before

    world.parties[BRIGHT].supplier_ds = new_key
    transform, issued = world.transform(BRIGHT, ESME_ID, Credit(), NOW + 2 * MINUTE)
    outcome = world.send_signed(transform, world.sign_pre_command(issued, BRIGHT), NOW + 2 * MINUTE)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)


# --- the stage alone --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "user",
    [BRIGHT, STEADY, NEVER, ROGUE_SRP],
    ids=["the-failed-supplier", "another-supplier", "another-user", "a-srp-not-instructed"],
)
def test_a_revoked_ds_vouches_for_no_user_but_the_instructed_srp(world: World, user: bytes) -> None:
    ready = world.solr_ready(NOW)
    message = _pre_command(world)
    assert _stage(world, SRP, ready, message) is None
    rejection = _stage(world, user, ready, message)
    assert rejection.code is ResponseCode.E1000
    assert "revoked" in rejection.reason


def test_the_srp_instructed_for_another_supplier_is_refused(world: World) -> None:
    """Ofgem instructed the SRP for Steady Power, not Bright Energy, whose DS is revoked."""
    world.fail(BRIGHT, NOW)
    world.fail(STEADY, NOW)
    world.dcc.ofgem_instruction(STEADY, SRP, NOW)
    rejection = _stage(world, SRP, NOW + MINUTE, _pre_command(world))
    assert rejection.code is ResponseCode.E1000


@pytest.mark.parametrize(
    ("at", "why"),
    [(T0 - MINUTE, "not yet valid"), (T0 + timedelta(days=365 * 30), "expired")],
    ids=["not-yet-valid", "expired"],
)
@pytest.mark.parametrize("user", [BRIGHT, SRP], ids=["the-supplier", "the-srp"])
def test_an_out_of_date_ds_vouches_for_nobody(
    world: World, at: datetime, why: str, user: bytes
) -> None:
    """Not revoked, but outside its validity: refused even on the SolrContingency path."""
    world.dcc.ofgem_notification(BRIGHT, T0 - timedelta(days=1))
    world.dcc.ofgem_instruction(BRIGHT, SRP, T0 - timedelta(days=1))
    record = _ds_record(world, BRIGHT)
    assert not record.not_before <= at <= record.not_after
    rejection = _stage(world, user, at, _pre_command(world))
    assert rejection.code is ResponseCode.E1000
    assert f"{record.serial:#x} {why}" in rejection.reason


def test_a_valid_ds_vouches_for_its_supplier(world: World) -> None:
    assert _stage(world, BRIGHT, NOW, _pre_command(world)) is None


def test_a_signature_no_certificate_verifies_is_refused(world: World) -> None:
    ready = world.solr_ready(NOW)
    rejection = _stage(world, SRP, ready, _pre_command(world, signer=STEADY))
    assert rejection.code is ResponseCode.E1000
    assert "does not verify with any Supplier DS certificate" in rejection.reason
