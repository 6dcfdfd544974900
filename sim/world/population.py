"""The cast and the fleet of a rehearsal, made from its scenario and seed.

The cast is built at once, a few dozen keys: the SMKI and the DCC's identity, each supplier as an
Import Supplier with xmlSign and Supplier DS/KA certificates, the SRP in the SolrContingency role
with its xmlSign certificate, the failed supplier's DS key (MP134B 2.1.2) and its ARO.

The fleet is not: a million meters must cost bytes, not keys (a key takes ~40 µs to derive). A
meter is an index; its device ID follows from it, and its type, registered supplier and payment
mode are drawn from the seed into three byte arrays. Its meter object, its DCC inventory record
and its Device certificates are made the first time anything asks for them (the DCC, or SMKI for
its certificates), its keys derived once, by the meter; the ones never asked for cost three
bytes. A switched meter costs about 4 KiB: the DCC keeps its public keys as their points, and
the meter keeps its ECDH secret, not its private keys, once it has answered (they are derived
again should it sign once more).

Physical meters (the scenario's ``physical_meters``) join the fleet besides the drawn ones:
enrolled through the same hooks for the public keys they hold (:mod:`sim.world.physical`),
switched by the SRP like the others, and reached through the serial links
:meth:`Population.connect` gives.
They take no scripted fault or alert burst: those are acted out on the bench.
"""

from __future__ import annotations

import random
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.config import ConfigSource
from dcc.dcc import Dcc
from dcc.enrolment import DEVICE_KEY_USAGES, enrol_device
from dcc.identity import DccIdentity
from dcc.inventory import DeviceKind, DeviceRecord, Inventory
from dcc.smki.authority import SmkiAuthority
from dcc.smki.repository import SmkiRepository
from dcc.smki.subscription import Subscriptions
from dcc.users import Officer, OfficerKind, UserRole, Users
from devices.credentials import RemoteParty, TrustAnchors
from devices.fleet import Fleet
from devices.gbcs.crypto import private_key_from_seed
from devices.gbcs.keystore import KeyUsage
from devices.gbcs.payment_mode import PaymentMode
from devices.meter import DEFAULT_ACCOUNT, Account
from devices.smets1 import Smets1Meter
from devices.smets2 import Smets2Meter
from sim.scenario.model import DEVICE_CLASSES, FLEET_BASE, DeviceClass, Scenario
from sim.scenario.model import Supplier as SupplierModel
from sim.world.cast import Party, assemble_dcc, enrol, grant_supplier_keys
from sim.world.physical import PhysicalLink, PhysicalMeterError, physical_meter_keys

# Device IDs are this plus the meter's index: deterministic, and far from the testbed's.
DEVICE_BASE = FLEET_BASE
PREPAYMENT_ACCOUNT = Account(PaymentMode.PREPAYMENT, meter_balance=1500, emergency_credit=500)
ARO_ID = "srp-aro"
_KINDS = {"esme": DeviceKind.ESME, "gsme": DeviceKind.GSME, "smets1": DeviceKind.SMETS1}
# Certificates are valid from a day before the run starts, so nothing is "not yet valid".
_ENROLMENT_LEAD = timedelta(days=1)
_DRAW_BLOCK = 1 << 20

Meter = Smets2Meter | Smets1Meter | PhysicalLink


def seed_bytes(seed: int) -> bytes:
    """What every key of a run is derived from."""
    return f"solrsim/rehearsal/{seed}".encode()


@dataclass(frozen=True)
class Cast:
    """The parties and the DCC of a run."""

    smki: SmkiRepository
    identity: DccIdentity
    suppliers: tuple[Party, ...]  # in the scenario's order
    srp: Party
    officer_key: ec.EllipticCurvePrivateKey
    anchors: TrustAnchors
    dcc: Dcc


class Population:
    """The cast and the fleet (see the module docstring). Meter lookups by device ID."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.seed = seed_bytes(scenario.seed)
        self.size = scenario.fleet.meters
        rng = random.Random(f"{scenario.seed}/fleet")
        mix = scenario.fleet.mix
        self._classes = _draw(rng, [mix.esme, mix.gsme, mix.smets1], self.size)
        self._suppliers = _draw(rng, [s.share for s in scenario.suppliers], self.size)
        share = scenario.fleet.prepayment_share
        self._prepayment = bytes(rng.random() < share for _ in range(self.size))
        self._failing = scenario.suppliers.index(scenario.failing_supplier)
        self.inventory = Inventory(self._record)
        self.cast = self._enrol()
        self._fleets: dict[tuple[int, bool], Fleet] = {}
        self._smets1: dict[bytes, Smets1Meter] = {}
        self._appeared: set[bytes] = set()
        self.physical = {meter.eui64: meter for meter in scenario.physical_meters}
        self._physical_keys = {
            eui: physical_meter_keys(meter, _KINDS[meter.device_class], self.seed)
            for eui, meter in self.physical.items()
        }
        self._links: dict[bytes, PhysicalLink] = {}

    # --- the cast ------------------------------------------------------------------------------

    def _enrol(self) -> Cast:
        at = self.enrolled_at
        smki = SmkiRepository(SmkiAuthority.from_seed(self.seed))
        smki.set_device_enroller(self._certify)
        identity = self._identity(smki, at)
        users = Users()
        subscriptions = Subscriptions(smki, users)
        anchors = TrustAnchors(identity.acb_ka_private.public_key(), {})
        suppliers = []
        for supplier in self.scenario.suppliers:
            party, anchor = self._enrol_supplier(users, subscriptions, supplier, at)
            anchors = anchors.with_party(supplier.eui, anchor)
            suppliers.append(party)
        srp_model = self.scenario.srp
        srp = enrol(
            users,
            subscriptions,
            self.seed,
            srp_model.eui,
            srp_model.name,
            UserRole.SOLR_CONTINGENCY,
            at,
        )
        srp.supplier_ds = suppliers[self._failing].supplier_ds
        officer_key = private_key_from_seed(self.seed, ARO_ID)
        users.add_officer(
            Officer(ARO_ID, srp_model.name, OfficerKind.AUTHORISED, officer_key.public_key())
        )
        dcc = assemble_dcc(identity, smki, users, self.inventory, ConfigSource())
        for supplier in self.scenario.suppliers:
            if supplier.srp_eui is not None:
                dcc.arrange_srp(supplier.eui, supplier.srp_eui, at)
        return Cast(smki, identity, tuple(suppliers), srp, officer_key, anchors, dcc)

    def _identity(self, smki: SmkiRepository, at: datetime) -> DccIdentity:
        """The DCC's keys and certificates, recorded in ``smki``."""
        return DccIdentity.issue(smki, self.seed, at)

    def _enrol_supplier(
        self, users: Users, subscriptions: Subscriptions, supplier: SupplierModel, at: datetime
    ) -> tuple[Party, RemoteParty]:
        """The supplier registered as an Import Supplier; the anchor its meters hold."""
        role = UserRole.IMPORT_SUPPLIER
        party = enrol(users, subscriptions, self.seed, supplier.eui, supplier.name, role, at)
        return party, grant_supplier_keys(subscriptions, self.seed, party, role, at)

    @property
    def dcc(self) -> Dcc:
        return self.cast.dcc

    @property
    def enrolled_at(self) -> datetime:
        """When the cast and every meter were enrolled, whenever a meter is first asked for:
        so its certificates do not depend on when that was."""
        return self.scenario.start - _ENROLMENT_LEAD

    # --- the fleet -----------------------------------------------------------------------------

    def device_id(self, index: int) -> bytes:
        return (DEVICE_BASE + index).to_bytes(8, "big")

    def index(self, device_id: bytes) -> int | None:
        """The meter's index, or None for a device not in this fleet."""
        index = int.from_bytes(device_id, "big") - DEVICE_BASE
        return index if 0 <= index < self.size and len(device_id) == 8 else None

    def device_class(self, device_id: bytes) -> DeviceClass:
        physical = self.physical.get(device_id)
        if physical is not None:
            return physical.device_class
        return DEVICE_CLASSES[self._classes[self._known(device_id)]]

    def failed_supplier_device(self, device: str) -> bool:
        """Whether ``device``, as the log names it, is a meter of the failed supplier."""
        device_id = bytes.fromhex(device.replace("-", ""))
        physical = self.physical.get(device_id)
        if physical is not None:
            return physical.supplier == self.scenario.failing_supplier.user_id
        index = self.index(device_id)
        return index is not None and self._suppliers[index] == self._failing

    def supplier_of(self, device_id: bytes) -> bytes:
        """The meter's registered supplier's User ID."""
        physical = self.physical.get(device_id)
        if physical is not None:
            return physical.supplier_eui
        return self.scenario.suppliers[self._suppliers[self._known(device_id)]].eui

    def failed_supplier_meters(
        self,
        *,
        prepayment_only: bool = False,
        classes: Sequence[DeviceClass] = DEVICE_CLASSES,
    ) -> list[bytes]:
        """The failed supplier's meters in index order: all, or those in prepayment, of the
        device classes given."""
        indices = self.failed_supplier_indices(prepayment_only=prepayment_only, classes=classes)
        return [self.device_id(index) for index in indices]

    def failed_supplier_indices(
        self,
        *,
        prepayment_only: bool = False,
        classes: Sequence[DeviceClass] = DEVICE_CLASSES,
    ) -> array[int]:
        """The indices of :meth:`failed_supplier_meters`, found in the draws' bytes by C code
        (a national fleet is 30 million meters: a Python loop over them takes seconds), eight
        bytes each rather than a device ID object each."""
        wanted = {DEVICE_CLASSES.index(name) for name in classes}
        mask = _flags(self._suppliers, {self._failing}) & _flags(self._classes, wanted)
        if prepayment_only:
            mask &= int.from_bytes(self._prepayment, "little")
        found = re.finditer(b"\x01", mask.to_bytes(self.size, "little"))
        return array("q", map(re.Match.start, found))

    def switch_targets(self) -> list[bytes]:
        """What the SRP switches: the failed supplier's prepayment meters, the fleet's in index
        order, then the physical ones in the scenario's order."""
        failing = self.scenario.failing_supplier.user_id
        physical = [
            meter.eui64
            for meter in self.scenario.physical_meters
            if meter.supplier == failing and meter.payment_mode == "prepayment"
        ]
        return self.failed_supplier_meters(prepayment_only=True) + physical

    def connect(self, links: dict[bytes, PhysicalLink]) -> None:
        """The serial links through which the physical meters are reached from now on."""
        self._links = links

    def counts_by_class(self) -> dict[str, int]:
        return {name: self._classes.count(i) for i, name in enumerate(DEVICE_CLASSES)}

    def meter(self, device_id: bytes) -> Meter:
        """The meter, made on first use with its payment mode from the draw; a physical meter
        behind its link."""
        if device_id in self.physical:
            link = self._links.get(device_id)
            if link is None:
                raise PhysicalMeterError(f"physical meter {device_id.hex().upper()} has no link")
            self._appeared.add(device_id)
            return link
        index = self._known(device_id)
        cls = DEVICE_CLASSES[self._classes[index]]
        if cls == "smets1":
            meter = self._smets1.get(device_id)
            if meter is None:
                dcc_key = self.cast.identity.xml_sign_private.public_key()
                meter = Smets1Meter(device_id, dcc_key, self.seed, account=self._account(index))
                self._smets1[device_id] = meter
                self._appeared.add(device_id)
            return meter
        fleet = self._fleet(index)
        if device_id not in fleet:
            self._appeared.add(device_id)
        return fleet.esme(device_id) if cls == "esme" else fleet.gsme(device_id)

    def appeared(self) -> list[bytes]:
        """The devices that took part so far, in ID order: the meters made and the devices the
        DCC looked up (whose frames may all have been lost on the WAN)."""
        return sorted({*self._appeared, *(record.device_id for record in self.inventory)})

    def _fleet(self, index: int) -> Fleet:
        key = (self._suppliers[index], bool(self._prepayment[index]))
        fleet = self._fleets.get(key)
        if fleet is None:
            supplier = self.scenario.suppliers[key[0]].eui
            account = self._account(index)
            fleet = self._fleets[key] = Fleet(
                self.seed, self.cast.anchors, supplier, account=account
            )
        return fleet

    def _account(self, index: int) -> Account:
        return PREPAYMENT_ACCOUNT if self._prepayment[index] else DEFAULT_ACCOUNT

    def _record(self, device_id: bytes) -> DeviceRecord | None:
        """The DCC inventory's source: the device's record, with the public halves of the keys
        its meter holds (made now if need be), so that each key is derived once."""
        kind = self._kind(device_id)
        if kind is None:
            return None
        keys = self._meter_keys(device_id, kind)
        ka, ds = keys.get(KeyUsage.KEY_AGREEMENT), keys[KeyUsage.DIGITAL_SIGNING]
        return DeviceRecord(device_id, kind, self.supplier_of(device_id), ka, ds)

    def _certify(self, device_id: bytes) -> None:
        """SMKI's source for a device it holds nothing of: the Device certificates of the keys
        the meter holds, the ones the inventory holds too. Issued when first asked for, not
        when the meter joins: the DCC checks device messages with its inventory, and a
        rehearsal of a million meters must not pay for certificates nobody looks up."""
        kind = self._kind(device_id)
        if kind is None:
            return
        enrol_device(
            self.cast.smki,
            device_id,
            kind,
            self.supplier_of(device_id),
            self._meter_keys(device_id, kind),
            self.enrolled_at,
            certificates=self._certificates_offered(device_id),
        )

    def _kind(self, device_id: bytes) -> DeviceKind | None:
        physical = self.physical.get(device_id)
        if physical is not None:
            return _KINDS[physical.device_class]
        index = self.index(device_id)
        return None if index is None else _KINDS[DEVICE_CLASSES[self._classes[index]]]

    def _certificates_offered(self, device_id: bytes) -> Sequence[x509.Certificate]:
        """Device certificates published with the device, if any (see :func:`enrol_device`)."""
        return ()

    def _meter_keys(
        self, device_id: bytes, kind: DeviceKind
    ) -> dict[KeyUsage, ec.EllipticCurvePublicKey]:
        physical = self._physical_keys.get(device_id)
        if physical is not None:
            return physical
        meter = self.meter(device_id)
        if isinstance(meter, Smets1Meter):
            return {KeyUsage.DIGITAL_SIGNING: meter.public_key}
        if isinstance(meter, PhysicalLink):  # its keys come from the lab's recipe, above
            raise PhysicalMeterError(f"physical meter {device_id.hex().upper()} has no keys")
        return {usage: meter.credentials.public_key(usage) for usage in DEVICE_KEY_USAGES[kind]}

    def _known(self, device_id: bytes) -> int:
        index = self.index(device_id)
        if index is None:
            raise KeyError(f"{device_id.hex().upper()} is not a meter of this fleet")
        return index


def _flags(drawn: bytes, values: set[int]) -> int:
    """One byte a meter, 1 where its draw is one of ``values``, 0 elsewhere, as one integer
    (little-endian: meter 0 in the lowest byte), so that flags combine with ``&``."""
    table = bytes(1 if byte in values else 0 for byte in range(256))
    return int.from_bytes(drawn.translate(table), "little")


def _draw(rng: random.Random, weights: list[float], count: int) -> bytes:
    """``count`` choices of an index by weight, one byte each. Drawn a block at a time, which
    takes the same draws from ``rng`` as one call would, without a list of ``count`` ints (a
    national fleet's would take a quarter of a gigabyte)."""
    cumulative = list(accumulate(weights))
    indices = range(len(weights))
    drawn = bytearray()
    for start in range(0, count, _DRAW_BLOCK):
        block = min(_DRAW_BLOCK, count - start)
        drawn += bytes(rng.choices(indices, cum_weights=cumulative, k=block))
    return bytes(drawn)
