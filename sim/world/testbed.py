"""A small SoLR testbed: one DCC, two suppliers, an SRP and real meters, the named cast.

The DCC rule tests and the pipeline benchmark drive it directly, with no simulated time or WAN
in between (:class:`World`'s helpers carry frames at once). The Gherkin world
(:mod:`sim.gherkin.world`) puts the same cast on the simpy world of ``solrsim run`` instead:
its clock, WAN, DCC host and meter host.

Bright Energy (``BRIGHT``) is the supplier that fails; Steady Power (``STEADY``) stays healthy;
``SRP`` is the Shared Resource Provider in the SolrContingency role. Every party signs DUIS
with its own xmlSign certificate from the world's SMKI; suppliers sign GBCS pre-commands with
their Supplier DS keys, which the SRP also holds for the failed supplier (MP134B 2.1.2). Every
meter is enrolled with its Device certificates in that SMKI.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from dcc.adt import AdtFile, AdtThreshold, sign_adt
from dcc.audit import AuditTrail
from dcc.config import ConfigError, ConfigSource
from dcc.dcc import AlertHeld, AlertOutcome, Dcc
from dcc.duis.request import (
    CommandVariant,
    Credit,
    Prepayment,
    Request,
    SignedPreCommand,
    UpdatePaymentMode,
)
from dcc.enrolment import enrol_device
from dcc.identity import DccIdentity
from dcc.inventory import DeviceKind, Inventory
from dcc.outcome import Outcome, UserDelivery
from dcc.smki.authority import SmkiAuthority, org_key_from_seed
from dcc.smki.repository import SmkiRepository
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.smki.subscription import Subscriptions
from dcc.users import Officer, OfficerKind, UserRole, Users
from devices.credentials import DeviceSecurityCredentials, TrustAnchors
from devices.esme import Esme
from devices.gbcs.crypto import private_key_from_seed
from devices.gbcs.frame import GbcsMessage
from devices.gbcs.payment_mode import PaymentMode
from devices.gsme import Gsme
from devices.meter import Account
from devices.smets1 import Smets1Meter
from sim.world import duis_client
from sim.world.cast import Party, assemble_dcc, enrol, grant_supplier_keys

SEED = b"solrsim/testbed"
T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
BRIGHT = bytes.fromhex("90B3D51F30010000")
STEADY = bytes.fromhex("90B3D51F30030000")
SRP = bytes.fromhex("90B3D51F300A0000")
ROGUE_SRP = bytes.fromhex("90B3D51F300C0000")
NEVER = bytes.fromhex("90B3D51F300B0000")
ESME_ID = bytes.fromhex("00DB1234567890A0")
GSME_ID = bytes.fromhex("00DB1234567890A1")
SMETS1_ID = bytes.fromhex("00DB1234567890B0")
STEADY_ESME_ID = bytes.fromhex("00DB1234567890C0")
NEVER_ESME_ID = bytes.fromhex("00DB1234567890D0")
PREPAYMENT = Account(PaymentMode.PREPAYMENT, meter_balance=1500, emergency_credit=500)
_DS, _KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT


@dataclass
class World:
    dcc: Dcc
    smki: SmkiRepository
    parties: dict[bytes, Party]
    meters: dict[bytes, Esme | Gsme | Smets1Meter]
    officer_key: ec.EllipticCurvePrivateKey
    audit: AuditTrail
    config: ConfigSource
    counters: dict[bytes, int] = field(default_factory=dict)
    received: list[UserDelivery] = field(default_factory=list)
    held: list[AlertHeld] = field(default_factory=list)

    @property
    def subscriptions(self) -> Subscriptions:
        """SMKI subscription over this world's repository and the DCC's register of Users."""
        return Subscriptions(self.smki, self.dcc.services.users)

    # --- building requests ---------------------------------------------------------------------

    def next_counter(self, user: bytes) -> int:
        self.counters[user] = self.counters.get(user, 1000) + 1
        return self.counters[user]

    def signed(self, request: Request, by: bytes | None = None) -> bytes:
        return duis_client.signed(self.parties[by or request.header.request_id.originator], request)

    def request(
        self,
        user: bytes,
        device: bytes,
        body: UpdatePaymentMode | SignedPreCommand,
        variant: CommandVariant,
        counter: int | None = None,
        srv: str = "1.6",
    ) -> Request:
        counter = self.next_counter(user) if counter is None else counter
        return duis_client.service_request(user, device, body, variant, counter, srv)

    # --- what users do ------------------------------------------------------------------------

    def transform(
        self, user: bytes, device: bytes, mode: Credit | Prepayment, now: datetime
    ) -> tuple[Request, Outcome]:
        request = self.request(user, device, UpdatePaymentMode(mode), CommandVariant.TRANSFORM)
        return request, self.dcc.submit(self.signed(request), now)

    def pre_command(self, outcome: Outcome) -> GbcsMessage:
        """The GBCS pre-command a transform's response carries, as the DCC issued it."""
        return duis_client.pre_command(outcome.response)

    def sign_pre_command(self, outcome: Outcome | GbcsMessage, supplier: bytes) -> bytes:
        """What the User does with a transform's PreCommand (or a message made from one): sign
        it with the supplier DS key."""
        message = outcome if isinstance(outcome, GbcsMessage) else self.pre_command(outcome)
        return duis_client.sign_pre_command(message, self.parties[supplier].pre_command_key())

    def send_signed(self, transform: Request, signed: bytes, now: datetime) -> Outcome:
        return self.dcc.submit(self.signed(duis_client.signed_send(transform, signed)), now)

    def switch(
        self, user: bytes, device: bytes, now: datetime, mode: Credit | Prepayment | None = None
    ) -> Outcome:
        """The whole SMETS2+ flow: transform, sign with the supplier acted for, send, deliver."""
        record = self.dcc.services.inventory.get(device)
        supplier = (
            user if user in (BRIGHT, STEADY) or record is None else record.registered_supplier
        )
        transform, outcome = self.transform(user, device, mode or Credit(), now)
        if not outcome.accepted:
            return outcome
        outcome = self.send_signed(transform, self.sign_pre_command(outcome, supplier), now)
        self.deliver(outcome, now)
        return outcome

    def send_smets1(self, user: bytes, mode: Credit | Prepayment, now: datetime) -> Outcome:
        body = UpdatePaymentMode(mode)
        request = self.request(user, SMETS1_ID, body, CommandVariant.SEND_COMMAND)
        outcome = self.dcc.submit(self.signed(request), now)
        self.deliver(outcome, now)
        return outcome

    def deliver(self, outcome: Outcome, now: datetime) -> None:
        """Carry the DCC's device frames to the meters and their answers back to the DCC."""
        self.received.extend(outcome.to_users)
        for delivery in outcome.to_devices:
            for answer in self.meters[delivery.device_id].receive(delivery.frame, now):
                self.take(self.dcc.on_device_message(delivery.device_id, answer, now))

    def alert(self, device: bytes, alert_code: int, now: datetime) -> list[AlertOutcome]:
        """A physical event on a meter: its alert frames through the DCC, and where they went
        (delivered to a User, or held by the DCC for Ofgem's SRP)."""
        outcomes = [
            outcome
            for frame in self.meters[device].trigger(alert_code, now)
            for outcome in self.dcc.on_device_message(device, frame, now)
        ]
        self.take(outcomes)
        return outcomes

    def take(self, outcomes: Iterable[AlertOutcome]) -> None:
        """What the DCC did with device messages: deliveries to Users, alerts it holds."""
        for outcome in outcomes:
            if isinstance(outcome, AlertHeld):
                self.held.append(outcome)
            else:
                self.received.append(outcome)

    def instruct(self, supplier: bytes, srp: bytes, now: datetime) -> list[UserDelivery]:
        """Ofgem instructs ``srp`` to act for ``supplier``; returns the held alerts it released."""
        released = self.dcc.ofgem_instruction(supplier, srp, now)
        self.received.extend(released)
        return released

    def states(self) -> dict[bytes, object]:
        """Every meter's state: compare two snapshots to see whether anything changed."""
        return {device: meter.state for device, meter in self.meters.items()}

    def configure(self, toml: str) -> None:
        """Edit the deployment's dcc.toml while the DCC runs. The file's time moves on by a
        second, as for an edit made by hand, so the change is seen even where the file system's
        clock is coarser than two writes in one test."""
        path = self.config.path
        if path is None:
            raise ConfigError("this DCC reads no configuration file to edit")
        before = path.stat().st_mtime_ns
        path.write_text(toml)
        later = max(path.stat().st_mtime_ns, before + 1_000_000_000)
        os.utime(path, ns=(later, later))

    # --- SMKI ---------------------------------------------------------------------------------

    def unsubscribed_xml_sign(
        self, user_id: bytes, party: str, at: datetime, seed: bytes = SEED
    ) -> None:
        """An xmlSign certificate for ``user_id`` (its key from ``seed``) put in SMKI's
        repository without subscription, as certificates from outside are (the DCC Boxed set):
        how a User ID the DCC never registered, or a suspended one, comes to hold a valid one,
        since subscription would refuse it. The party then signs DUIS with it (keeping any
        Supplier keys it has), for the DCC to refuse all the same."""
        key = org_key_from_seed(seed, user_id, RemotePartyRole.XML_SIGN, _DS)
        certificate = self.smki.authority.issue_organisation_certificate(
            user_id,
            RemotePartyRole.XML_SIGN,
            _DS,
            key.public_key(),
            common_name=party,
            not_before=at,
        )
        self.smki.add(certificate, at=at, party=party)
        held = self.parties.get(user_id)
        supplier_ds, supplier_ka = (
            (None, None) if held is None else (held.supplier_ds, held.supplier_ka)
        )
        self.parties[user_id] = Party(user_id, key, certificate, supplier_ds, supplier_ka)

    # --- Ofgem and officers --------------------------------------------------------------------

    def fail(self, supplier: bytes, now: datetime) -> None:
        """The supplier fails: SoLR notification, then Ofgem's revocation (every certificate of
        the supplier revoked, its User suspended)."""
        self.dcc.ofgem_notification(supplier, now)
        self.dcc.ofgem_revocation(supplier, now)

    def adt(
        self,
        count: int,
        supplier: bytes,
        now: datetime,
        key: ec.EllipticCurvePrivateKey | None = None,
    ) -> AdtFile:
        thresholds = (AdtThreshold("1.6", count, supplier),)
        signed = sign_adt(AdtFile(SRP, thresholds, now), "srp-aro", key or self.officer_key)
        return self.dcc.submit_adt(signed, now)

    def solr_ready(self, now: datetime, count: int = 100) -> datetime:
        """Bright fails, Ofgem instructs the SRP, the SRP's ARO submits an ADT; returns when."""
        self.fail(BRIGHT, now)
        self.instruct(BRIGHT, SRP, now + timedelta(minutes=1))
        self.adt(count, BRIGHT, now + timedelta(minutes=2))
        return now + timedelta(minutes=3)


def build_world(tmp_path: Path) -> World:
    smki = SmkiRepository(SmkiAuthority.from_seed(SEED))
    identity = DccIdentity.issue(smki, SEED, T0)
    users, inventory = Users(), Inventory()
    subscriptions = Subscriptions(smki, users)
    parties = {
        user_id: enrol(users, subscriptions, SEED, user_id, party, role, T0)
        for user_id, party, role in (
            (BRIGHT, "Bright Energy", UserRole.IMPORT_SUPPLIER),
            (STEADY, "Steady Power", UserRole.IMPORT_SUPPLIER),
            (SRP, "Shared Resource Provider", UserRole.SOLR_CONTINGENCY),
            (ROGUE_SRP, "Rogue Resources", UserRole.SOLR_CONTINGENCY),
            (NEVER, "Never Supplied", UserRole.OTHER_USER),
        )
    }
    anchors = TrustAnchors(identity.acb_ka_private.public_key(), {})
    for supplier in (BRIGHT, STEADY):
        anchor = grant_supplier_keys(
            subscriptions, SEED, parties[supplier], UserRole.IMPORT_SUPPLIER, T0
        )
        anchors = anchors.with_party(supplier, anchor)
    meters: dict[bytes, Esme | Gsme | Smets1Meter] = {}
    for device_id, kind, supplier in (
        (ESME_ID, Esme, BRIGHT),
        (GSME_ID, Gsme, BRIGHT),
        (STEADY_ESME_ID, Esme, STEADY),
        (NEVER_ESME_ID, Esme, NEVER),
    ):
        credentials = DeviceSecurityCredentials(device_id, anchors, seed=SEED)
        meters[device_id] = kind(credentials, supplier, account=PREPAYMENT)
        keys = {usage: credentials.public_key(usage) for usage in (_DS, _KA)}
        device_kind = DeviceKind.ESME if kind is Esme else DeviceKind.GSME
        inventory.add(enrol_device(smki, device_id, device_kind, supplier, keys, T0))
    smets1 = Smets1Meter(
        SMETS1_ID, identity.xml_sign_private.public_key(), SEED, account=PREPAYMENT
    )
    meters[SMETS1_ID] = smets1
    smets1_keys = {_DS: smets1.public_key}
    inventory.add(enrol_device(smki, SMETS1_ID, DeviceKind.SMETS1, BRIGHT, smets1_keys, T0))
    officer_key = private_key_from_seed(SEED, "srp-aro")
    users.add_officer(
        Officer(
            "srp-aro", "Shared Resource Provider", OfficerKind.AUTHORISED, officer_key.public_key()
        )
    )
    config_file = tmp_path / "dcc.toml"
    config_file.write_text("# the deployment's overrides of dcc/defaults.toml\n")
    config = ConfigSource(config_file)
    audit = AuditTrail(tmp_path / "audit.sqlite")
    dcc = assemble_dcc(identity, smki, users, inventory, config, audit)
    return World(dcc, smki, parties, meters, officer_key, audit, config)
