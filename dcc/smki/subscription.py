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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ec

from .errors import SubscriptionRefused
from .repository import CertificateRecord, CertificateStatus, SmkiRepository
from .roles import KeyUsage, RemotePartyRole

SOLR_CONTINGENCY = "SolrContingency"

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


class Subscriptions:
    """SMKI subscription: check the request against the rules, then issue and record."""

    def __init__(
        self, repository: SmkiRepository, rules: Mapping[str, RoleRule] = SUBSCRIPTION_RULES
    ) -> None:
        self._repository = repository
        self._rules = rules

    def check(self, user_role: str, role: RemotePartyRole, key_usage: KeyUsage) -> None:
        """Raise SubscriptionRefused unless ``user_role`` may hold ``role`` / ``key_usage``."""
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
        self.check(user_role, role, key_usage)
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
