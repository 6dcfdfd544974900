"""Subscription rules: MP134B R2.1 (SolrContingency may hold xmlSign) and R2.2 (and nothing
else: refused with a clear reason, nothing issued or stored), in the User Role the DCC has
registered for the subscriber, whatever role the request names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography import x509

from dcc.smki.authority import SmkiAuthority, org_key_from_seed
from dcc.smki.errors import SmkiInputError, SubscriptionRefused
from dcc.smki.profile import read_org_certificate
from dcc.smki.repository import CertificateStatus, SmkiRepository
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.smki.subscription import (
    ACTIVE,
    SOLR_CONTINGENCY,
    SUBSCRIPTION_RULES,
    RoleRule,
    Subscriptions,
)
from dcc.users import User, UserRole, Users, UserStatus

SRP = bytes.fromhex("90B3D51F30050000")
SUPPLIER = bytes.fromhex("90B3D51F30010000")
UNREGISTERED = bytes.fromhex("90B3D51F300D0000")
T0 = datetime(2026, 1, 1, tzinfo=UTC)
R = RemotePartyRole
DS, KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT
OTHER_ROLES = ["IS", "ES", "GS", "RSA", "ED", "GT", "OU"]
CRITICAL = [
    (R.SUPPLIER, DS),
    (R.SUPPLIER, KA),
    (R.NETWORK_OPERATOR, DS),
    (R.NETWORK_OPERATOR, KA),
    (R.OTHER, DS),
    (R.OTHER, KA),
]


@pytest.fixture
def users() -> Users:
    register = Users()
    register.register(User(SRP, "SRP Ltd", UserRole.SOLR_CONTINGENCY))
    register.register(User(SUPPLIER, "Supplier A", UserRole.IMPORT_SUPPLIER))
    return register


@pytest.fixture
def subscriptions(repository: SmkiRepository, users: Users) -> Subscriptions:
    return Subscriptions(repository, users)


@pytest.fixture
def ca_must_not_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_issue(*args: object, **kwargs: object) -> x509.Certificate:
        raise AssertionError("a refused request must not reach the CA")

    monkeypatch.setattr(SmkiAuthority, "issue_organisation_certificate", must_not_issue)


def _subscribe(
    subscriptions: Subscriptions,
    user_role: str,
    role: RemotePartyRole,
    usage: KeyUsage,
    eui64: bytes = SRP,
):
    key = org_key_from_seed(b"subscription", eui64, role, usage)
    return subscriptions.subscribe("SRP Ltd", user_role, eui64, role, usage, key.public_key(), T0)


def _register(users: Users, user_role: str) -> bytes:
    """A User ID registered in ``user_role``, one per role."""
    eui64 = bytes.fromhex("90B3D51F3020") + OTHER_ROLES.index(user_role).to_bytes(2, "big")
    users.register(User(eui64, f"{user_role} Ltd", UserRole(user_role)))
    return eui64


def test_r2_1_solr_contingency_may_subscribe_for_xml_sign(
    repository: SmkiRepository, subscriptions: Subscriptions
) -> None:
    record = _subscribe(subscriptions, SOLR_CONTINGENCY, R.XML_SIGN, DS)
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
    ("role", "usage"), [*CRITICAL, (R.XML_SIGN, KA), (R.DSP_XML_SIGN, DS), (R.ROOT, DS)]
)
@pytest.mark.usefixtures("ca_must_not_issue")
def test_r2_2_solr_contingency_may_hold_nothing_else(
    repository: SmkiRepository,
    subscriptions: Subscriptions,
    role: RemotePartyRole,
    usage: KeyUsage,
) -> None:
    with pytest.raises(SubscriptionRefused) as refused:
        _subscribe(subscriptions, SOLR_CONTINGENCY, role, usage)
    assert refused.value.reason.startswith(
        f"User Role SolrContingency may not hold Remote Party Role {role.label} "
        f"{usage.extension_name} certificates: MP134B R2.2"
    )
    assert repository.records == ()


def test_r2_2_refusal_reason_reads_as_the_requirement(subscriptions: Subscriptions) -> None:
    with pytest.raises(SubscriptionRefused) as refused:
        _subscribe(subscriptions, SOLR_CONTINGENCY, R.SUPPLIER, DS)
    assert str(refused.value) == (
        "User Role SolrContingency may not hold Remote Party Role supplier (02) "
        "digitalSignature certificates: MP134B R2.2 (it may hold: xmlSign (87) digitalSignature)"
    )


@pytest.mark.parametrize("declared", OTHER_ROLES)
@pytest.mark.parametrize(("role", "usage"), [*CRITICAL, (R.XML_SIGN, DS)])
@pytest.mark.usefixtures("ca_must_not_issue")
def test_r2_2_the_srp_asking_in_another_user_role_is_refused_as_a_disguise(
    repository: SmkiRepository,
    subscriptions: Subscriptions,
    declared: str,
    role: RemotePartyRole,
    usage: KeyUsage,
) -> None:
    with pytest.raises(SubscriptionRefused) as refused:
        _subscribe(subscriptions, declared, role, usage)
    assert str(refused.value) == (
        f"90-B3-D5-1F-30-05-00-00 asks in User Role {declared} but the DCC registers it in "
        "User Role SolrContingency: a User subscribes in its registered role only"
    )
    assert repository.records == ()


@pytest.mark.usefixtures("ca_must_not_issue")
def test_a_supplier_asking_as_solr_contingency_is_refused_as_a_disguise(
    repository: SmkiRepository, subscriptions: Subscriptions
) -> None:
    with pytest.raises(SubscriptionRefused, match="asks in User Role SolrContingency but the DCC"):
        _subscribe(subscriptions, SOLR_CONTINGENCY, R.XML_SIGN, DS, eui64=SUPPLIER)
    assert repository.records == ()


def test_a_supplier_gets_supplier_ds_and_ka_in_its_registered_role(
    repository: SmkiRepository, subscriptions: Subscriptions
) -> None:
    issued = [_subscribe(subscriptions, "IS", R.SUPPLIER, usage, SUPPLIER) for usage in (DS, KA)]
    assert repository.records == tuple(issued)
    assert [(r.eui64, r.role, r.key_usage, r.user_role) for r in issued] == [
        (SUPPLIER, R.SUPPLIER, DS, "IS"),
        (SUPPLIER, R.SUPPLIER, KA, "IS"),
    ]


@pytest.mark.parametrize("declared", [SOLR_CONTINGENCY, "IS"])
@pytest.mark.usefixtures("ca_must_not_issue")
def test_an_unregistered_eui_64_is_refused(
    repository: SmkiRepository, subscriptions: Subscriptions, declared: str
) -> None:
    with pytest.raises(SubscriptionRefused) as refused:
        _subscribe(subscriptions, declared, R.XML_SIGN, DS, eui64=UNREGISTERED)
    assert str(refused.value) == (
        "90-B3-D5-1F-30-0D-00-00 is not a registered DCC User: SMKI issues Organisation "
        "certificates to DCC Users only"
    )
    assert repository.records == ()


@pytest.mark.parametrize(
    ("eui64", "declared", "role"),
    [
        (SRP, SOLR_CONTINGENCY, R.XML_SIGN),
        (SUPPLIER, "IS", R.SUPPLIER),
        (SUPPLIER, "IS", R.XML_SIGN),
    ],
)
@pytest.mark.usefixtures("ca_must_not_issue")
def test_a_suspended_user_gets_no_new_certificate(
    repository: SmkiRepository,
    users: Users,
    subscriptions: Subscriptions,
    eui64: bytes,
    declared: str,
    role: RemotePartyRole,
) -> None:
    users.set_status(eui64, UserStatus.SUSPENDED)
    with pytest.raises(SubscriptionRefused, match="is suspended: a User that is not active"):
        _subscribe(subscriptions, declared, role, DS, eui64=eui64)
    assert repository.records == ()


def test_the_register_is_read_at_each_request(
    repository: SmkiRepository, users: Users, subscriptions: Subscriptions
) -> None:
    """Suspension takes effect at once, and so does reinstatement."""
    _subscribe(subscriptions, "IS", R.SUPPLIER, DS, SUPPLIER)
    users.set_status(SUPPLIER, UserStatus.SUSPENDED)
    with pytest.raises(SubscriptionRefused, match="suspended"):
        _subscribe(subscriptions, "IS", R.SUPPLIER, KA, SUPPLIER)
    users.set_status(SUPPLIER, UserStatus.ACTIVE)
    _subscribe(subscriptions, "IS", R.SUPPLIER, KA, SUPPLIER)
    assert len(repository.records) == 2


def test_active_is_the_dcc_registers_active_status() -> None:
    assert UserStatus.ACTIVE == ACTIVE


def test_a_malformed_eui_64_is_bad_input(subscriptions: Subscriptions) -> None:
    with pytest.raises(SmkiInputError, match="an EUI-64 is 8 bytes"):
        _subscribe(subscriptions, SOLR_CONTINGENCY, R.XML_SIGN, DS, eui64=SRP[:7])


@pytest.mark.parametrize("user_role", ["IS", "ES", "GS"])
def test_suppliers_hold_supplier_and_xml_sign_certificates(
    users: Users, subscriptions: Subscriptions, user_role: str
) -> None:
    eui64 = _register(users, user_role)
    for role, usage in ((R.SUPPLIER, DS), (R.SUPPLIER, KA), (R.XML_SIGN, DS)):
        subscriptions.check(eui64, user_role, role, usage)
    with pytest.raises(SubscriptionRefused, match="networkOperator"):
        subscriptions.check(eui64, user_role, R.NETWORK_OPERATOR, DS)


@pytest.mark.parametrize(
    ("user_role", "role"),
    [("ED", R.NETWORK_OPERATOR), ("GT", R.NETWORK_OPERATOR), ("OU", R.OTHER), ("RSA", R.OTHER)],
)
def test_other_roles(
    users: Users, subscriptions: Subscriptions, user_role: str, role: RemotePartyRole
) -> None:
    eui64 = _register(users, user_role)
    subscriptions.check(eui64, user_role, role, DS)
    subscriptions.check(eui64, user_role, role, KA)
    subscriptions.check(eui64, user_role, R.XML_SIGN, DS)
    with pytest.raises(SubscriptionRefused, match=f"User Role {user_role} may not hold"):
        subscriptions.check(eui64, user_role, R.SUPPLIER, DS)


def test_every_user_role_may_hold_xml_sign_and_none_may_hold_ca_roles() -> None:
    assert set(SUBSCRIPTION_RULES) == {"IS", "ES", "GS", "RSA", "ED", "GT", "OU", SOLR_CONTINGENCY}
    assert set(SUBSCRIPTION_RULES) == set(UserRole)
    for rule in SUBSCRIPTION_RULES.values():
        assert (R.XML_SIGN, DS) in rule.allowed
        assert (R.XML_SIGN, KA) not in rule.allowed
        assert not {role for role, _ in rule.allowed} & {R.ROOT, R.ISSUING_AUTHORITY, R.RECOVERY}


def test_a_registered_role_without_a_rule_is_refused(
    repository: SmkiRepository, users: Users
) -> None:
    subscriptions = Subscriptions(repository, users, {"IS": SUBSCRIPTION_RULES["IS"]})
    with pytest.raises(SubscriptionRefused, match="unknown User Role 'SolrContingency'; known: IS"):
        _subscribe(subscriptions, SOLR_CONTINGENCY, R.XML_SIGN, DS)
    assert repository.records == ()


def test_rules_are_data_and_can_be_replaced(repository: SmkiRepository, users: Users) -> None:
    rules = {SOLR_CONTINGENCY: RoleRule(frozenset({(R.SUPPLIER, DS)}), "changed by configuration")}
    subscriptions = Subscriptions(repository, users, rules)
    record = _subscribe(subscriptions, SOLR_CONTINGENCY, R.SUPPLIER, DS)
    assert record.role is R.SUPPLIER
    with pytest.raises(SubscriptionRefused, match="changed by configuration"):
        subscriptions.check(SRP, SOLR_CONTINGENCY, R.XML_SIGN, DS)
