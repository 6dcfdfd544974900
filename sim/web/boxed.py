"""A population whose DCC and test supplier are the DCC Boxed test identities, so a client built
for DCC Boxed (its signing tool, its templates) talks to ``solrsim serve`` unchanged.

From the conformance corpus (never copied into the repository):

- the SMKI repository also holds every certificate of ``duis/boxed-keys`` (externally issued,
  found by issuer and serial);
- the DCC signs with the Boxed DSP xmlSign key (``dsp-xml-sign-90B3D51F30000002-ds``, role 137)
  and MACs commands with the RTDS ACB KA key (``rtds/keystore/90b3d51f30000002-ka.key``);
- the test supplier 90-B3-D5-1F-30-01-00-00 is an Import Supplier signing with its Boxed
  xmlSign key; its meters trust its ``Z1-supplier-ds`` DS and RTDS KA public keys. The scenario
  must name that supplier (every shipped scenario makes it the failing one); it is played with
  these keys, and the rest of the scenario's SoLR cast (other suppliers, SRP, Ofgem) is kept.
- the ESME 00-DB-12-34-56-78-90-A0 and the GSME ...-A1 join the fleet, in prepayment, registered
  to the test supplier. RTDS publishes only their certificates, not their private keys, so the
  meters hold keys seeded under those EUIs. They are enrolled like every meter
  (:func:`dcc.enrolment.enrol_device`), offered the RTDS certificates
  (``rtds/keystore/00db1234567890a0-ds.pem`` ...): an RTDS certificate would be used for a key
  the meter really holds, and since none is, the world's Device CA issues their DS and KA
  certificates for the seeded keys. SMKI, the DCC's inventory and the meters agree; the RTDS
  certificates are not in SMKI.

The Boxed certificates expired in 2025, so the run starts at :data:`BOXED_START`, inside their
validity, whatever the scenario's start.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.identity import DCC_ID, DccIdentity
from dcc.inventory import DeviceKind
from dcc.smki.boxed import BoxedIdentity, load_boxed_key_set
from dcc.smki.errors import BoxedKeyError
from dcc.smki.repository import SmkiRepository
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.smki.subscription import Subscriptions
from dcc.users import User, UserRole, Users
from devices.credentials import RemoteParty, Role
from devices.fleet import Fleet
from sim.scenario.model import DeviceClass, Scenario
from sim.scenario.model import Supplier as SupplierModel
from sim.world.cast import Party
from sim.world.population import PREPAYMENT_ACCOUNT, Meter, Population

BOXED_START = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
BOXED_SUPPLIER = bytes.fromhex("90B3D51F30010000")
BOXED_ESME = bytes.fromhex("00DB1234567890A0")
BOXED_GSME = bytes.fromhex("00DB1234567890A1")
BOXED_METERS: dict[bytes, DeviceClass] = {BOXED_ESME: "esme", BOXED_GSME: "gsme"}
_DS = KeyUsage.DIGITAL_SIGNING


class BoxedPopulation(Population):
    """The scenario's population with the DCC Boxed identities (see the module docstring);
    ``corpus`` is the conformance folder holding ``duis/boxed-keys`` and ``rtds/keystore``."""

    # Set while the base class enrols the cast, from _identity, before any supplier.
    _keys: dict[BoxedIdentity, ec.EllipticCurvePrivateKey]
    _smki: SmkiRepository

    def __init__(self, scenario: Scenario, corpus: Path) -> None:
        self._boxed_keys = corpus / "duis" / "boxed-keys"
        self._keystore = corpus / "rtds" / "keystore"
        self._boxed_fleet: Fleet | None = None
        self._rtds_certificates = {
            device: _rtds_certificates(self._keystore, device) for device in BOXED_METERS
        }
        if all(supplier.eui != BOXED_SUPPLIER for supplier in scenario.suppliers):
            raise ValueError(f"scenario {scenario.name!r} has no supplier 90-B3-D5-1F-30-01-00-00")
        super().__init__(scenario.model_copy(update={"start": BOXED_START}))

    def _identity(self, smki: SmkiRepository, at: datetime) -> DccIdentity:
        self._keys = load_boxed_key_set(self._boxed_keys, smki, at)
        self._smki = smki
        signing = self._key(DCC_ID, RemotePartyRole.DSP_XML_SIGN)
        certificate = _certificate_of(smki, DCC_ID, RemotePartyRole.DSP_XML_SIGN, signing)
        acb_ka = _pem_key(self._keystore / "90b3d51f30000002-ka.key")
        return DccIdentity(DCC_ID, acb_ka, signing, certificate)

    def _enrol_supplier(
        self, users: Users, subscriptions: Subscriptions, supplier: SupplierModel, at: datetime
    ) -> tuple[Party, RemoteParty]:
        """The test supplier with its Boxed keys; any other supplier as the scenario has it."""
        if supplier.eui != BOXED_SUPPLIER:
            return super()._enrol_supplier(users, subscriptions, supplier, at)
        users.register(User(BOXED_SUPPLIER, supplier.name, UserRole.IMPORT_SUPPLIER))
        xml_key = self._key(BOXED_SUPPLIER, RemotePartyRole.XML_SIGN)
        xml_certificate = _certificate_of(
            self._smki, BOXED_SUPPLIER, RemotePartyRole.XML_SIGN, xml_key
        )
        ds = _der_key(self._boxed_keys / "Z1-supplier-ds.key")
        ka = _pem_key(self._keystore / "90b3d51f30010000-ka.key")
        party = Party(BOXED_SUPPLIER, xml_key, xml_certificate, ds, ka)
        return party, RemoteParty(Role.SUPPLIER, ds.public_key(), ka.public_key())

    def _key(self, eui64: bytes, role: RemotePartyRole) -> ec.EllipticCurvePrivateKey:
        key = self._keys.get((eui64, role, _DS))
        if key is None:
            named = f"{role.name} key of {eui64.hex().upper()}"
            raise BoxedKeyError(f"no {named} in {self._boxed_keys}")
        return key

    # --- the two Boxed meters, besides the scenario's fleet ------------------------------------

    def device_class(self, device_id: bytes) -> DeviceClass:
        boxed = BOXED_METERS.get(device_id)
        return boxed if boxed is not None else super().device_class(device_id)

    def supplier_of(self, device_id: bytes) -> bytes:
        return BOXED_SUPPLIER if device_id in BOXED_METERS else super().supplier_of(device_id)

    def meter(self, device_id: bytes) -> Meter:
        cls = BOXED_METERS.get(device_id)
        if cls is None:
            return super().meter(device_id)
        if self._boxed_fleet is None:
            self._boxed_fleet = Fleet(
                self.seed, self.cast.anchors, BOXED_SUPPLIER, account=PREPAYMENT_ACCOUNT
            )
        fleet = self._boxed_fleet
        return fleet.esme(device_id) if cls == "esme" else fleet.gsme(device_id)

    def _kind(self, device_id: bytes) -> DeviceKind | None:
        cls = BOXED_METERS.get(device_id)
        if cls is None:
            return super()._kind(device_id)
        return DeviceKind.ESME if cls == "esme" else DeviceKind.GSME

    def _certificates_offered(self, device_id: bytes) -> Sequence[x509.Certificate]:
        return self._rtds_certificates.get(device_id, ())


def _rtds_certificates(keystore: Path, device_id: bytes) -> list[x509.Certificate]:
    """The RTDS keystore's Device certificates of ``device_id``, read up front so that an
    unreadable one is refused before the run."""
    paths = [keystore / f"{device_id.hex()}-{usage}.pem" for usage in ("ds", "ka")]
    return [x509.load_pem_x509_certificate(path.read_bytes()) for path in paths if path.exists()]


def _certificate_of(
    smki: SmkiRepository, eui64: bytes, role: RemotePartyRole, key: ec.EllipticCurvePrivateKey
) -> x509.Certificate:
    """The certificate of ``key`` among the repository's for ``eui64`` in ``role``."""
    return next(
        record.certificate
        for record in smki.find(eui64, role, _DS)
        if record.certificate.public_key() == key.public_key()
    )


def _der_key(path: Path) -> ec.EllipticCurvePrivateKey:
    return _ec(serialization.load_der_private_key(path.read_bytes(), None), path)


def _pem_key(path: Path) -> ec.EllipticCurvePrivateKey:
    return _ec(serialization.load_pem_private_key(path.read_bytes(), None), path)


def _ec(key: object, path: Path) -> ec.EllipticCurvePrivateKey:
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path.name} is not an EC private key")
    return key
