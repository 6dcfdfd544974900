"""Ofgem's revocation puts the failed supplier out (R6.3-R6.5): every Organisation certificate it
holds is revoked and its DCC User suspended, audited; its own requests are refused at the
``signature`` stage (revoked xmlSign, E1) or, should it sign with a valid xmlSign certificate
again, at the ``user`` stage (suspended, E3), and never reach a meter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dcc.audit import Verdict
from dcc.duis.codes import ResponseCode
from dcc.duis.request import CommandVariant, Credit, UpdatePaymentMode
from dcc.smki.repository import CertificateStatus
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.users import UserStatus
from sim.world.testbed import (
    BRIGHT,
    ESME_ID,
    SMETS1_ID,
    SRP,
    STEADY,
    T0,
    World,
)
from tests.dcc.rule_checks import NOW, assert_refused

LATER = NOW + timedelta(minutes=5)
_DS = KeyUsage.DIGITAL_SIGNING
OUTSIDER = bytes.fromhex("90B3D51F300E0000")


def _status(world: World, party: bytes) -> dict[tuple[RemotePartyRole, KeyUsage], bool]:
    """Whether each of the party's Organisation certificates is revoked, as its CRL says."""
    return {
        (record.role, record.key_usage): world.smki.is_revoked(record.certificate, LATER)
        for record in world.smki.history(party)
    }


def _reissue_xml_sign(world: World, party: bytes) -> None:
    """A new, valid xmlSign certificate of the party reaches SMKI's repository (subscription
    itself refuses a suspended User), and the party signs its DUIS with it."""
    world.unsubscribed_xml_sign(party, "Bright Energy", LATER, seed=b"issued again")


def test_every_organisation_certificate_of_the_failed_supplier_is_revoked(world: World) -> None:
    revocation = world.dcc.ofgem_revocation(BRIGHT, NOW)
    assert _status(world, BRIGHT) == {
        (RemotePartyRole.XML_SIGN, _DS): True,
        (RemotePartyRole.SUPPLIER, _DS): True,
        (RemotePartyRole.SUPPLIER, KeyUsage.KEY_AGREEMENT): True,
    }
    assert {record.status_at(NOW) for record in revocation.revoked} == {CertificateStatus.REVOKED}
    assert len(revocation.revoked) == 3
    assert not any(_status(world, STEADY).values())
    assert not any(_status(world, SRP).values())


def test_the_failed_suppliers_user_is_suspended_and_no_other(world: World) -> None:
    revocation = world.dcc.ofgem_revocation(BRIGHT, NOW)
    users = world.dcc.services.users
    assert revocation.suspended == users.get(BRIGHT)
    statuses = {user.user_id: user.status for user in users.users()}
    assert statuses.pop(BRIGHT) is UserStatus.SUSPENDED
    assert set(statuses.values()) == {UserStatus.ACTIVE}


def test_the_revocation_is_audited(world: World) -> None:
    revocation = world.dcc.ofgem_revocation(BRIGHT, NOW)
    (audited,) = world.audit.ofgem_revocations()
    assert (audited.failed_supplier, audited.user_status, audited.at) == (
        BRIGHT,
        "suspended",
        NOW,
    )
    assert audited.certificates == tuple(record.describe() for record in revocation.revoked)
    assert any("xmlSign (87)" in text for text in audited.certificates)


def test_revoking_again_revokes_nothing_more_and_is_audited_too(world: World) -> None:
    world.dcc.ofgem_revocation(BRIGHT, NOW)
    again = world.dcc.ofgem_revocation(BRIGHT, LATER)
    assert again.revoked == ()
    assert again.suspended.status is UserStatus.SUSPENDED
    first, second = world.audit.ofgem_revocations()
    assert (len(first.certificates), second.certificates, second.at) == (3, (), LATER)


def test_a_party_that_is_no_dcc_user_has_its_certificates_revoked_and_nobody_suspended(
    world: World,
) -> None:
    world.unsubscribed_xml_sign(OUTSIDER, "Outsider", T0, seed=b"outsider")
    revocation = world.dcc.ofgem_revocation(OUTSIDER, NOW)
    assert (len(revocation.revoked), revocation.suspended) == (1, None)
    assert world.audit.ofgem_revocations()[0].user_status is None


# --- the failed supplier's own requests -------------------------------------------------------


def _decided(world: World, stage: str) -> list[str]:
    return [d.reason for d in world.audit.decisions(stage=stage, verdict=Verdict.REJECT)]


def test_before_the_revocation_the_supplier_still_switches_its_own_meter(world: World) -> None:
    """The reference for the refusals below: the same request, a moment earlier, is actioned."""
    outcome = world.switch(BRIGHT, ESME_ID, NOW)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)


@pytest.mark.parametrize("device", [ESME_ID, SMETS1_ID], ids=["smets2", "smets1"])
def test_the_failed_supplier_signing_with_its_revoked_xml_sign_is_refused_at_signature(
    world: World, device: bytes
) -> None:
    world.fail(BRIGHT, NOW)
    before = world.states()
    variant = CommandVariant.SEND_COMMAND if device == SMETS1_ID else CommandVariant.TRANSFORM
    request = world.request(BRIGHT, device, UpdatePaymentMode(Credit()), variant)
    outcome = world.dcc.submit(world.signed(request), LATER)
    assert_refused(outcome, ResponseCode.E1, "signature")
    assert "revoked" in outcome.reason
    assert _decided(world, "signature") == [outcome.reason]
    assert world.states() == before


def test_the_failed_supplier_with_a_new_xml_sign_certificate_is_refused_at_user(
    world: World,
) -> None:
    """SMKI issues the failed supplier a fresh xmlSign certificate after the revocation: its
    DUIS signature verifies, and its suspended User still stops it (E3)."""
    world.fail(BRIGHT, NOW)
    _reissue_xml_sign(world, BRIGHT)
    before = world.states()
    _, transform = world.transform(BRIGHT, ESME_ID, Credit(), LATER)
    assert_refused(transform, ResponseCode.E3, "user")
    outcome = world.send_smets1(BRIGHT, Credit(), LATER)
    assert_refused(outcome, ResponseCode.E3, "user")
    assert _decided(world, "user") == ["User status is suspended"] * 2
    assert world.states() == before


def test_the_srp_still_acts_for_the_failed_supplier(world: World) -> None:
    ready = world.solr_ready(NOW)
    for outcome in (world.switch(SRP, ESME_ID, ready), world.send_smets1(SRP, Credit(), ready)):
        assert outcome.accepted, (outcome.decided_by, outcome.reason)
