"""The parties of a simulated DCC world, and how they are enrolled.

Every party is a DCC User with an xmlSign certificate to sign DUIS; a supplier also holds Supplier
DS and KA certificates, which its meters trust. The simulation plays the parties, so it keeps
their private keys. The testbed and a rehearsal's population enrol parties through here, so a
rule the DCC tests pin holds in a rehearsal too. Keys follow the seed, certificates the world's
SMKI: a run replays byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.anomaly import AnomalyDetection
from dcc.audit import AuditTrail
from dcc.config import ConfigSource
from dcc.dcc import Dcc
from dcc.identity import DccIdentity
from dcc.inventory import Inventory
from dcc.pipeline import Services
from dcc.smki.authority import org_key_from_seed
from dcc.smki.repository import SmkiRepository
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.smki.subscription import Subscriptions
from dcc.solr_register import SolrRegister
from dcc.users import User, UserRole, Users
from devices.credentials import RemoteParty, Role

_DS, _KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT


@dataclass
class Party:
    """A DCC User as the simulation plays it: its User ID and the private keys it signs with."""

    user_id: bytes
    xml_key: ec.EllipticCurvePrivateKey
    xml_certificate: x509.Certificate
    supplier_ds: ec.EllipticCurvePrivateKey | None = None
    supplier_ka: ec.EllipticCurvePrivateKey | None = None

    def pre_command_key(self) -> ec.EllipticCurvePrivateKey:
        """The Supplier DS key the party signs GBCS pre-commands with."""
        if self.supplier_ds is None:
            raise MissingKeyError(f"{self.user_id.hex().upper()} holds no Supplier DS key")
        return self.supplier_ds


class MissingKeyError(Exception):
    """A party was asked to sign with a key it does not hold."""


def enrol(
    users: Users,
    subscriptions: Subscriptions,
    seed: bytes,
    user_id: bytes,
    party: str,
    role: UserRole,
    at: datetime,
) -> Party:
    """Register ``user_id`` in ``role`` and issue its xmlSign certificate, valid from ``at``.
    ``subscriptions`` must read ``users``: SMKI issues in the role the DCC registered."""
    users.register(User(user_id, party, role))
    key = org_key_from_seed(seed, user_id, RemotePartyRole.XML_SIGN, _DS)
    record = subscriptions.subscribe(
        party, role, user_id, RemotePartyRole.XML_SIGN, _DS, key.public_key(), at
    )
    return Party(user_id, key, record.certificate)


def grant_supplier_keys(
    subscriptions: Subscriptions, seed: bytes, party: Party, role: UserRole, at: datetime
) -> RemoteParty:
    """Issue the party's Supplier DS and KA certificates, asked for in ``role``, the supplier
    role it is registered in (SMKI refuses any other); returns the anchor its meters hold."""
    ds = org_key_from_seed(seed, party.user_id, RemotePartyRole.SUPPLIER, _DS)
    ka = org_key_from_seed(seed, party.user_id, RemotePartyRole.SUPPLIER, _KA)
    for usage, key in ((_DS, ds), (_KA, ka)):
        subscriptions.subscribe(
            None, role, party.user_id, RemotePartyRole.SUPPLIER, usage, key.public_key(), at
        )
    party.supplier_ds, party.supplier_ka = ds, ka
    return RemoteParty(Role.SUPPLIER, ds.public_key(), ka.public_key())


def assemble_dcc(
    identity: DccIdentity,
    smki: SmkiRepository,
    users: Users,
    inventory: Inventory,
    config: ConfigSource,
    audit: AuditTrail | None = None,
) -> Dcc:
    """A DCC over these registers, with an empty SoLR register and anomaly detection."""
    register = SolrRegister()
    anomaly = AnomalyDetection(users, register, config.current)
    services = Services(config, users, inventory, smki, register, anomaly)
    return Dcc(identity, services, audit)
