"""Subscription rules: MP134B R2.1 (SolrContingency may hold xmlSign) and R2.2 (and nothing
else: refused with a clear reason, nothing issued or stored)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography import x509

from dcc.smki.authority import SmkiAuthority, org_key_from_seed
from dcc.smki.errors import SubscriptionRefused
from dcc.smki.profile import read_org_certificate
from dcc.smki.repository import CertificateStatus, SmkiRepository
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.smki.subscription import SOLR_CONTINGENCY, SUBSCRIPTION_RULES, RoleRule, Subscriptions

SRP = bytes.fromhex("90B3D51F30050000")
T0 = datetime(2026, 1, 1, tzinfo=UTC)
R = RemotePartyRole
DS, KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT


def _subscribe(
    subscriptions: Subscriptions, user_role: str, role: RemotePartyRole, usage: KeyUsage
):
    key = org_key_from_seed(b"subscription", SRP, role, usage)
    return subscriptions.subscribe("SRP Ltd", user_role, SRP, role, usage, key.public_key(), T0)


def test_r2_1_solr_contingency_may_subscribe_for_xml_sign(repository: SmkiRepository) -> None:
    record = _subscribe(Subscriptions(repository), SOLR_CONTINGENCY, R.XML_SIGN, DS)
    assert record.user_role == SOLR_CONTINGENCY and record.party == "SRP Ltd"
    assert record.status_at(T0) is CertificateStatus.IN_USE
    info = read_org_certificate(record.certificate)
    assert (info.eui64, info.role, info.key_usage, info.common_name) == (
        SRP,
        R.XML_SIGN,
        DS,
        "SRP Ltd",
    )
    assert record.certificate.not_valid_before_utc == T0
    assert repository.records == (record,)


@pytest.mark.parametrize(
    ("role", "usage"),
    [
        (R.SUPPLIER, DS),
        (R.SUPPLIER, KA),
        (R.XML_SIGN, KA),
        (R.NETWORK_OPERATOR, DS),
        (R.OTHER, DS),
        (R.DSP_XML_SIGN, DS),
        (R.ACCESS_CONTROL_BROKER, DS),
    ],
)
def test_r2_2_solr_contingency_may_hold_nothing_else(
    repository: SmkiRepository,
    monkeypatch: pytest.MonkeyPatch,
    role: RemotePartyRole,
    usage: KeyUsage,
) -> None:
    def must_not_issue(*args: object, **kwargs: object) -> x509.Certificate:
        raise AssertionError("a refused request must not reach the CA")

    monkeypatch.setattr(SmkiAuthority, "issue_organisation_certificate", must_not_issue)
    with pytest.raises(SubscriptionRefused) as refused:
        _subscribe(Subscriptions(repository), SOLR_CONTINGENCY, role, usage)
    assert refused.value.reason.startswith(
        f"User Role SolrContingency may not hold Remote Party Role {role.label} "
        f"{usage.extension_name} certificates: MP134B R2.2"
    )
    assert repository.records == ()


def test_r2_2_refusal_reason_reads_as_the_requirement(repository: SmkiRepository) -> None:
    with pytest.raises(SubscriptionRefused) as refused:
        _subscribe(Subscriptions(repository), SOLR_CONTINGENCY, R.SUPPLIER, DS)
    assert str(refused.value) == (
        "User Role SolrContingency may not hold Remote Party Role supplier (02) "
        "digitalSignature certificates: MP134B R2.2 (it may hold: xmlSign (87) digitalSignature)"
    )


@pytest.mark.parametrize("user_role", ["IS", "ES", "GS"])
def test_suppliers_hold_supplier_and_xml_sign_certificates(
    repository: SmkiRepository, user_role: str
) -> None:
    subscriptions = Subscriptions(repository)
    for role, usage in ((R.SUPPLIER, DS), (R.SUPPLIER, KA), (R.XML_SIGN, DS)):
        subscriptions.check(user_role, role, usage)
    with pytest.raises(SubscriptionRefused, match="networkOperator"):
        subscriptions.check(user_role, R.NETWORK_OPERATOR, DS)


@pytest.mark.parametrize(
    ("user_role", "role"),
    [("ED", R.NETWORK_OPERATOR), ("GT", R.NETWORK_OPERATOR), ("OU", R.OTHER), ("RSA", R.OTHER)],
)
def test_other_roles(repository: SmkiRepository, user_role: str, role: RemotePartyRole) -> None:
    subscriptions = Subscriptions(repository)
    subscriptions.check(user_role, role, DS)
    subscriptions.check(user_role, role, KA)
    subscriptions.check(user_role, R.XML_SIGN, DS)
    with pytest.raises(SubscriptionRefused, match=f"User Role {user_role} may not hold"):
        subscriptions.check(user_role, R.SUPPLIER, DS)


def test_every_user_role_may_hold_xml_sign_and_none_may_hold_ca_roles() -> None:
    assert set(SUBSCRIPTION_RULES) == {"IS", "ES", "GS", "RSA", "ED", "GT", "OU", SOLR_CONTINGENCY}
    for rule in SUBSCRIPTION_RULES.values():
        assert (R.XML_SIGN, DS) in rule.allowed
        assert (R.XML_SIGN, KA) not in rule.allowed
        assert not {role for role, _ in rule.allowed} & {R.ROOT, R.ISSUING_AUTHORITY, R.RECOVERY}


def test_unknown_user_role_is_refused(repository: SmkiRepository) -> None:
    with pytest.raises(SubscriptionRefused, match="unknown User Role 'XX'"):
        _subscribe(Subscriptions(repository), "XX", R.XML_SIGN, DS)
    assert repository.records == ()


def test_rules_are_data_and_can_be_replaced(repository: SmkiRepository) -> None:
    rules = {SOLR_CONTINGENCY: RoleRule(frozenset({(R.SUPPLIER, DS)}), "changed by configuration")}
    record = _subscribe(Subscriptions(repository, rules), SOLR_CONTINGENCY, R.SUPPLIER, DS)
    assert record.role is R.SUPPLIER
    with pytest.raises(SubscriptionRefused, match="changed by configuration"):
        Subscriptions(repository, rules).check(SOLR_CONTINGENCY, R.XML_SIGN, DS)
