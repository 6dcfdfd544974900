"""R1-R3 through the DCC: the SolrContingency role, its certificates and its eligible SRVs; and
what the audit trail keeps of a refusal.

Every negative asserts the refusal (response code and deciding stage) and that no meter changed.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from cryptography.x509.oid import NameOID

from dcc.audit import Verdict
from dcc.duis.codes import ResponseCode
from dcc.duis.elements import SR
from dcc.duis.request import CommandVariant, Credit, UpdatePaymentMode, build_request
from dcc.duis.xmldsig import sign_document
from dcc.smki.authority import org_key_from_seed
from dcc.smki.errors import SubscriptionRefused
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.users import RegistrationError, User, UserRole, UserStatus
from devices.gbcs.payment_mode import PaymentMode
from sim.world.testbed import (
    BRIGHT,
    ESME_ID,
    ROGUE_SRP,
    SEED,
    SRP,
    T0,
    Party,
    World,
)
from tests.dcc.rule_checks import NOW, assert_refused

SRP_PARTY = "Shared Resource Provider"
UNREGISTERED = bytes.fromhex("90B3D51F300D0000")
_DS, _KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT


def _request_for_srv(world: World, user: bytes, srv: str) -> bytes:
    """A signed request from ``user`` naming ``srv`` (with a 1.6 body: the SRV decides first)."""
    request = world.request(user, ESME_ID, UpdatePaymentMode(Credit()), CommandVariant.TRANSFORM)
    element = build_request(request)
    header = element.find(f"{{{SR}}}Header")
    header.find(f"{{{SR}}}ServiceReference").text = ".".join(srv.split(".")[:2])
    header.find(f"{{{SR}}}ServiceReferenceVariant").text = srv
    party = world.parties[user]
    return sign_document(element, party.xml_key, party.xml_certificate)


def _credit_switch_refused(
    world: World, user: bytes, code: ResponseCode, stage: str, now: datetime
) -> None:
    before = world.states()
    _, outcome = world.transform(user, ESME_ID, Credit(), now)
    assert_refused(outcome, code, stage)
    assert world.states() == before


# --- R1.1 the SolrContingency User Role -------------------------------------------------------


def test_r1_1_solr_contingency_is_a_user_role_beside_the_duis_roles() -> None:
    roles = {role.value for role in UserRole}
    assert roles == {"IS", "ES", "GS", "RSA", "ED", "GT", "OU", "SolrContingency"}
    assert UserRole("SolrContingency") is UserRole.SOLR_CONTINGENCY


def test_r1_1_a_user_id_registered_in_the_role_identifies_the_srp(world: World) -> None:
    users = world.dcc.services.users
    assert users.get(SRP).role is UserRole.SOLR_CONTINGENCY
    ready = world.solr_ready(NOW)
    outcome = world.switch(SRP, ESME_ID, ready)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)
    assert outcome.request_id.originator == SRP
    assert world.meters[ESME_ID].state.account.payment_mode is PaymentMode.CREDIT
    received = world.audit.history(outcome.request_id).requests  # the transform and the send
    assert [r.originator for r in received] == [SRP, SRP]


def test_r1_1_a_user_id_is_an_eui_64(world: World) -> None:
    users = world.dcc.services.users
    with pytest.raises(RegistrationError, match="8-byte EUI-64"):
        users.register(User(SRP[:6], "Short Ltd", UserRole.SOLR_CONTINGENCY))
    with pytest.raises(RegistrationError, match="names no User"):
        users.register(User(bytes(8), "Zero Ltd", UserRole.IMPORT_SUPPLIER))
    assert users.get(bytes(8)) is None
    with pytest.raises(RegistrationError, match="already registered"):
        users.register(User(SRP, "Rogue Resources", UserRole.SOLR_CONTINGENCY))
    assert users.get(SRP).party == SRP_PARTY


def test_r1_1_the_role_belongs_to_the_user_id_not_to_the_party_kind(world: World) -> None:
    """ROGUE_SRP is a SolrContingency User too, but Ofgem named SRP's User ID."""
    ready = world.solr_ready(NOW)
    _credit_switch_refused(world, ROGUE_SRP, ResponseCode.E4, "solr-instruction", ready)


def test_r1_1_an_unregistered_user_id_is_refused_even_with_an_xml_sign_certificate(
    world: World,
) -> None:
    world.unsubscribed_xml_sign(UNREGISTERED, "Unknown", T0)
    ready = world.solr_ready(NOW)
    _credit_switch_refused(world, UNREGISTERED, ResponseCode.E1, "user", ready)


def test_r1_1_a_suspended_srp_is_refused(world: World) -> None:
    ready = world.solr_ready(NOW)
    world.dcc.services.users.set_status(SRP, UserStatus.SUSPENDED)
    _credit_switch_refused(world, SRP, ResponseCode.E3, "user", ready)


def test_r1_1_the_srp_cannot_send_under_another_user_id(world: World) -> None:
    """A request naming BRIGHT as originator but signed with the SRP's certificate."""
    ready = world.solr_ready(NOW)
    before = world.states()
    request = world.request(BRIGHT, ESME_ID, UpdatePaymentMode(Credit()), CommandVariant.TRANSFORM)
    outcome = world.dcc.submit(world.signed(request, by=SRP), ready)
    assert_refused(outcome, ResponseCode.E1, "signature")
    assert "the signer must be" in outcome.reason
    assert world.states() == before


# --- R2 certificates --------------------------------------------------------------------------


def test_r2_1_solr_contingency_may_subscribe_for_an_xml_sign_certificate(world: World) -> None:
    key = org_key_from_seed(b"another xmlSign key", SRP, RemotePartyRole.XML_SIGN, _DS)
    record = world.subscriptions.subscribe(
        SRP_PARTY, "SolrContingency", SRP, RemotePartyRole.XML_SIGN, _DS, key.public_key(), NOW
    )
    assert (record.role, record.key_usage, record.user_role) == (
        RemotePartyRole.XML_SIGN,
        _DS,
        "SolrContingency",
    )
    (ou,) = record.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    assert ou.value == "87"
    # the new certificate signs the SRP's DUIS: the request gets past the signature check
    world.parties[SRP] = Party(SRP, key, record.certificate)
    _, outcome = world.transform(SRP, ESME_ID, Credit(), NOW)
    assert outcome.decided_by == "solr-instruction", outcome.reason


@pytest.mark.parametrize(
    ("role", "usage"),
    [
        (RemotePartyRole.SUPPLIER, _DS),
        (RemotePartyRole.SUPPLIER, _KA),
        (RemotePartyRole.NETWORK_OPERATOR, _DS),
        (RemotePartyRole.OTHER, _DS),
        (RemotePartyRole.XML_SIGN, _KA),
    ],
)
def test_r2_2_solr_contingency_may_not_subscribe_for_other_certificates(
    world: World, role: RemotePartyRole, usage: KeyUsage
) -> None:
    key = org_key_from_seed(SEED, SRP, role, usage)
    records = world.smki.records
    with pytest.raises(SubscriptionRefused, match=r"User Role SolrContingency may not hold.*R2\.2"):
        world.subscriptions.subscribe(
            SRP_PARTY, "SolrContingency", SRP, role, usage, key.public_key(), NOW
        )
    assert world.smki.records == records
    assert world.smki.find(SRP, role, usage) == []


@pytest.mark.parametrize("declared", ["IS", "GS", "ES", "ED", "OU"])
def test_r2_2_the_srp_asking_in_another_user_role_is_refused(world: World, declared: str) -> None:
    key = org_key_from_seed(SEED, SRP, RemotePartyRole.SUPPLIER, _DS)
    records = world.smki.records
    with pytest.raises(SubscriptionRefused, match="registers it in User Role SolrContingency"):
        world.subscriptions.subscribe(
            SRP_PARTY, declared, SRP, RemotePartyRole.SUPPLIER, _DS, key.public_key(), NOW
        )
    assert world.smki.records == records


def test_r2_2_the_srp_holds_its_xml_sign_certificate_only(world: World) -> None:
    (record,) = [r for r in world.smki.records if r.eui64 == SRP]
    assert (record.role, record.key_usage) == (RemotePartyRole.XML_SIGN, _DS)


def test_smki_reads_the_dccs_register_of_users(world: World) -> None:
    """Suspended by the DCC, a supplier gets no new certificate from SMKI."""
    world.dcc.services.users.set_status(BRIGHT, UserStatus.SUSPENDED)
    key = org_key_from_seed(b"renewal", BRIGHT, RemotePartyRole.SUPPLIER, _DS)
    records = world.smki.records
    with pytest.raises(SubscriptionRefused, match="is suspended"):
        world.subscriptions.subscribe(
            None, "IS", BRIGHT, RemotePartyRole.SUPPLIER, _DS, key.public_key(), NOW
        )
    assert world.smki.records == records


# --- R3 eligible Service Requests -------------------------------------------------------------


def test_r3_1_the_role_is_eligible_for_sr_1_6_only(world: World) -> None:
    config = world.config.current()
    assert config.eligible_srvs["SolrContingency"] == frozenset({"1.6"})
    ready = world.solr_ready(NOW)
    outcome = world.switch(SRP, ESME_ID, ready)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)


@pytest.mark.parametrize("srv", ["1.5", "1.1.1", "1.7", "2.1", "8.2", "11.1"])
def test_r3_2_any_other_srv_from_the_srp_is_refused_e2(world: World, srv: str) -> None:
    ready = world.solr_ready(NOW)
    before = world.states()
    outcome = world.dcc.submit(_request_for_srv(world, SRP, srv), ready)
    assert_refused(outcome, ResponseCode.E2, "srv")
    assert world.states() == before


def test_r3_2_a_supplier_may_send_what_the_srp_may_not(world: World) -> None:
    """8.2 is refused for the SRP at "srv" but passes that stage for an import supplier."""
    outcome = world.dcc.submit(_request_for_srv(world, BRIGHT, "8.2"), NOW)
    assert outcome.decided_by != "srv"


def test_r3_3_adding_sr_1_5_takes_effect_while_running(world: World) -> None:
    ready = world.solr_ready(NOW)
    dcc, before = world.dcc, world.states()
    outcome = dcc.submit(_request_for_srv(world, SRP, "1.5"), ready)
    assert_refused(outcome, ResponseCode.E2, "srv")

    world.configure('[eligible_srvs]\nSolrContingency = ["1.6", "1.5"]\n')

    outcome = dcc.submit(_request_for_srv(world, SRP, "1.5"), ready)
    # past "srv"; the DCC does not offer SR 1.5, so the request is refused next, naming it
    assert_refused(outcome, ResponseCode.E2, "request")
    assert "the DCC does not offer SRV 1.5 (sr:UpdatePaymentMode)" in outcome.reason
    assert world.dcc is dcc
    assert world.states() == before


def test_r3_3_removing_sr_1_6_takes_effect_while_running(world: World) -> None:
    ready = world.solr_ready(NOW)
    world.configure('[eligible_srvs]\nSolrContingency = ["1.5"]\n')
    _credit_switch_refused(world, SRP, ResponseCode.E2, "srv", ready)

    world.configure('[eligible_srvs]\nSolrContingency = ["1.6"]\n')
    outcome = world.switch(SRP, ESME_ID, ready)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)


def test_r3_3_a_broken_edit_keeps_the_last_good_list(world: World) -> None:
    """A careless edit must neither open the role to other SRVs nor take the DCC down."""
    ready = world.solr_ready(NOW)
    world.configure('[eligible_srvs]\nSolrContingency = ["1.6", "1.5"\n')  # unclosed list
    before = world.states()
    outcome = world.dcc.submit(_request_for_srv(world, SRP, "1.5"), ready)
    assert_refused(outcome, ResponseCode.E2, "srv")
    assert world.states() == before
    assert world.config.last_error is not None
    outcome = world.switch(SRP, ESME_ID, ready)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)


# --- the audit trail of a refusal -------------------------------------------------------------


def test_audit_trail_shows_the_deciding_stage_and_code_of_a_refusal(world: World) -> None:
    ready = world.solr_ready(NOW)
    before = world.states()
    request, outcome = world.transform(ROGUE_SRP, ESME_ID, Credit(), ready)
    assert_refused(outcome, ResponseCode.E4, "solr-instruction")
    assert world.states() == before

    history = world.audit.history(outcome.request_id)
    (received,) = history.requests
    assert received.raw == world.signed(request)  # signing is deterministic
    *passed, decided = history.decisions
    assert all(d.verdict is Verdict.PASS for d in passed)
    assert [d.stage for d in passed][:3] == ["xml", "schema", "signature"]
    assert (decided.stage, decided.verdict, decided.response_code) == (
        "solr-instruction",
        Verdict.REJECT,
        "E4",
    )
    assert decided.reason == outcome.reason
    assert history.deliveries == ()


@pytest.mark.parametrize(
    "raw",
    [
        b"<sr:Request xmlns:sr='http://www.dccinterface.co.uk/ServiceUserGateway'><unclosed>",
        b"not XML at all \xff\xfe",
        b"",
    ],
)
def test_audit_trail_keeps_a_malformed_request_with_its_raw_bytes(world: World, raw: bytes) -> None:
    outcome = world.dcc.submit(raw, NOW)
    assert_refused(outcome, ResponseCode.E1000, "xml")
    assert outcome.response is None and outcome.request_id is None
    decision = world.audit.decisions(stage="xml", verdict=Verdict.REJECT)[-1]
    assert decision.response_code == "E1000"
    (received,) = world.audit.entry_history(decision.entry).requests
    assert received.raw == raw
    assert received.request_id is None
