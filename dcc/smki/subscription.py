"""Which Organisation certificates each DUIS User Role may subscribe for (MP134B R2.1, R2.2).

The table is data so that it can come from configuration. What is not in it is refused before
anything is issued. Choices where no source was at hand (spec duis-smki §5 lists the roles, not
their certificates): suppliers (IS, ES, GS) hold Supplier (02) certificates; Electricity
Distributors and Gas Transporters hold Network Operator (03) certificates, the GBCS Network
Operator trust anchor being the distributor on an ESME and the transporter on a GSME; Registered
Supplier Agents and Other Users hold Other (127) certificates, as the DCC Boxed "mdr" and
"otherUser" identities do. Every role may hold an xmlSign (87) certificate to sign DUIS XML.
The SolrContingency role may hold that and nothing else: its key must never sign a critical
GBCS command (MP134B requirement 2).

Which rule applies is the DCC's to say, not the subscriber's: the role is the one the DCC's
register of Users holds for the subscriber's User ID, and only an active User subscribes. A
request still names the User Role it is made in, and one naming another role than the
registered one is refused, naming both, rather than quietly re-labelled: a Shared Resource
Provider asking as a supplier is in disguise or misconfigured, and either way the refusal and
its reason are what it and an assurance team need to see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric import ec

from .errors import SubscriptionRefused
from .names import check_eui64, eui64_text
from .repository import CertificateRecord, CertificateStatus, SmkiRepository
from .roles import KeyUsage, RemotePartyRole

SOLR_CONTINGENCY = "SolrContingency"
ACTIVE = "active"  # the status of a User that may subscribe (dcc.users.UserStatus.ACTIVE)

_DS = KeyUsage.DIGITAL_SIGNING
_KA = KeyUsage.KEY_AGREEMENT
_XML_SIGN = (RemotePartyRole.XML_SIGN, _DS)


@dataclass(frozen=True)
class RoleRule:
    """The certificates one User Role may hold, and the rule's source for refusal reasons."""

    allowed: frozenset[tuple[RemotePartyRole, KeyUsage]]
    basis: str


def _rule(role: RemotePartyRole, basis: str = "SMKI subscription rules") -> RoleRule:
    return RoleRule(frozenset({(role, _DS), (role, _KA), _XML_SIGN}), basis)


SUBSCRIPTION_RULES: dict[str, RoleRule] = {
    "IS": _rule(RemotePartyRole.SUPPLIER),
    "ES": _rule(RemotePartyRole.SUPPLIER),
    "GS": _rule(RemotePartyRole.SUPPLIER),
    "RSA": _rule(RemotePartyRole.OTHER),
    "ED": _rule(RemotePartyRole.NETWORK_OPERATOR),
    "GT": _rule(RemotePartyRole.NETWORK_OPERATOR),
    "OU": _rule(RemotePartyRole.OTHER),
    SOLR_CONTINGENCY: RoleRule(frozenset({_XML_SIGN}), "MP134B R2.2"),
}


class RegisteredUser(Protocol):
    """A DCC User as SMKI sees it: its User Role and whether it is active."""

    @property
    def role(self) -> str: ...

    @property
    def status(self) -> str: ...


class UserRegister(Protocol):
    """The DCC's register of Users (``dcc.users.Users``), read by User ID. A protocol, so that
    SMKI and the DCC share one register while SMKI imports nothing above it."""

    def get(self, user_id: bytes, /) -> RegisteredUser | None: ...


class Subscriptions:
    """SMKI subscription: check the request against the DCC's register of Users and the rules,
    then issue and record."""

    def __init__(
        self,
        repository: SmkiRepository,
        users: UserRegister,
        rules: Mapping[str, RoleRule] = SUBSCRIPTION_RULES,
    ) -> None:
        self._repository = repository
        self._users = users
        self._rules = rules

    def check(
        self, eui64: bytes, user_role: str, role: RemotePartyRole, key_usage: KeyUsage
    ) -> None:
        """Raise SubscriptionRefused unless ``eui64`` is an active DCC User registered in
        ``user_role``, and that role may hold ``role`` / ``key_usage``."""
        subscriber = eui64_text(check_eui64(eui64))
        user = self._users.get(eui64)
        if user is None:
            raise SubscriptionRefused(
                f"{subscriber} is not a registered DCC User: SMKI issues Organisation "
                "certificates to DCC Users only"
            )
        if user.role != user_role:
            raise SubscriptionRefused(
                f"{subscriber} asks in User Role {user_role} but the DCC registers it in "
                f"User Role {user.role}: a User subscribes in its registered role only"
            )
        if user.status != ACTIVE:
            raise SubscriptionRefused(
                f"{subscriber} is {user.status}: a User that is not active gets no new certificates"
            )
        rule = self._rules.get(user_role)
        if rule is None:
            known = ", ".join(self._rules)
            raise SubscriptionRefused(f"unknown User Role {user_role!r}; known: {known}")
        if (role, key_usage) not in rule.allowed:
            allowed = "; ".join(
                f"{held.label} {usage.extension_name}"
                for held, usage in sorted(rule.allowed, key=lambda pair: (pair[0], pair[1].value))
            )
            raise SubscriptionRefused(
                f"User Role {user_role} may not hold Remote Party Role {role.label} "
                f"{key_usage.extension_name} certificates: {rule.basis} "
                f"(it may hold: {allowed})"
            )

    def subscribe(
        self,
        party: str | None,
        user_role: str,
        eui64: bytes,
        role: RemotePartyRole,
        key_usage: KeyUsage,
        public_key: ec.EllipticCurvePublicKey,
        now: datetime,
    ) -> CertificateRecord:
        """Issue an Organisation certificate for ``public_key`` (CN = ``party`` when given),
        valid from ``now``, and record it IN_USE. A refused request issues and stores nothing."""
        self.check(eui64, user_role, role, key_usage)
        certificate = self._repository.authority.issue_organisation_certificate(
            eui64, role, key_usage, public_key, common_name=party, not_before=now
        )
        return self._repository.add(
            certificate,
            at=now,
            user_role=user_role,
            party=party,
            status=CertificateStatus.IN_USE,
        )
