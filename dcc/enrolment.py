"""Enrolling a device: its Device certificates in SMKI and its record in the DCC inventory.

Every meter of a world comes in through :func:`enrol_device`: a rehearsal's lazy fleet, the
testbed's meters, the DCC Boxed devices and a physical meter added later. It is given the public
keys the meter really uses and records a Device certificate for each in the SMKI repository (a
certificate the device already has, when one certifies that key, else one the world's Device CA
issues); the inventory record then carries the public keys read back from those certificates.
So the keys the DCC checks device messages with and the keys anyone finds in SMKI are one and
the same, and a device's GBCS signature verifies from SMKI alone. (A rehearsal's fleet makes a
meter's inventory record from the meter's keys when the DCC first looks it up, and enrols it here
only when SMKI is first asked for it: the same keys, and no certificate nobody asks for.)

Issuance is deterministic (the authority's seed, the device, the key, the enrolment time), so
enrolling a device first or last, now or in a rerun, records byte-identical certificates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.inventory import DeviceKind, DeviceRecord, InventoryError
from dcc.smki.errors import SmkiProfileError
from dcc.smki.names import eui64_text
from dcc.smki.profile import DeviceCertificateInfo, read_device_certificate
from dcc.smki.repository import CertificateRecord, CertificateStatus, SmkiRepository
from devices.gbcs.keystore import KeyUsage

_DS, _KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT
# The keys each kind of device uses: a SMETS2+ meter signs with its DS key and agrees MAC keys
# with its KA key; a SMETS1 meter only signs its responses and alerts (devices/smets1.py).
DEVICE_KEY_USAGES: dict[DeviceKind, tuple[KeyUsage, ...]] = {
    DeviceKind.ESME: (_DS, _KA),
    DeviceKind.GSME: (_DS, _KA),
    DeviceKind.SMETS1: (_DS,),
}


class EnrolmentError(InventoryError):
    """A device that cannot be enrolled as given, with the reason."""


def enrol_device(
    smki: SmkiRepository,
    device_id: bytes,
    kind: DeviceKind,
    registered_supplier: bytes,
    public_keys: Mapping[KeyUsage, ec.EllipticCurvePublicKey],
    at: datetime,
    *,
    certificates: Iterable[x509.Certificate] = (),
) -> DeviceRecord:
    """Record ``device_id``'s Device certificates in ``smki`` and return its inventory record.

    ``public_keys`` are the keys the meter uses, one per usage its kind needs. For each, a
    certificate in ``certificates`` (e.g. published with the device) is used when it certifies
    that very key; a certificate ``smki`` already holds for it is kept; otherwise the world's
    Device CA issues one valid from ``at``. A certificate of a key the meter does not use is not
    recorded: a relying party would check the device's signatures against the wrong key.
    """
    offered = _offered(device_id, certificates)
    keys: dict[KeyUsage, ec.EllipticCurvePublicKey] = {}
    for usage in DEVICE_KEY_USAGES[kind]:
        key = public_keys.get(usage)
        if key is None:
            raise EnrolmentError(f"{eui64_text(device_id)}: a {kind} needs its {usage.code} key")
        record = _certify(smki, device_id, usage, key, offered, at)
        keys[usage] = _ec_key(record.certificate)
    return DeviceRecord(device_id, kind, registered_supplier, keys.get(_KA), keys.get(_DS))


def _certify(
    smki: SmkiRepository,
    device_id: bytes,
    usage: KeyUsage,
    key: ec.EllipticCurvePublicKey,
    offered: list[tuple[x509.Certificate, DeviceCertificateInfo]],
    at: datetime,
) -> CertificateRecord:
    held = [
        record
        for record in smki.history(device_id)
        if record.role is None and record.key_usage is usage and _ec_key(record.certificate) == key
    ]
    if held:
        return held[-1]
    certificate = next(
        (
            certificate
            for certificate, info in offered
            if info.key_usage is usage and certificate.public_key() == key
        ),
        None,
    )
    if certificate is None:
        return smki.issue_device_certificate(device_id, usage, key, at)
    return smki.add(certificate, at=at, status=CertificateStatus.IN_USE)


def _offered(
    device_id: bytes, certificates: Iterable[x509.Certificate]
) -> list[tuple[x509.Certificate, DeviceCertificateInfo]]:
    """The certificates offered, each checked to be a Device certificate of ``device_id``."""
    offered = []
    for certificate in certificates:
        try:
            info = read_device_certificate(certificate)
        except SmkiProfileError as exc:
            raise EnrolmentError(
                f"{eui64_text(device_id)}: certificate serial {certificate.serial_number:#x} is "
                f"not a Device certificate: {exc.reason}"
            ) from None
        if info.eui64 != device_id:
            raise EnrolmentError(
                f"{eui64_text(device_id)}: certificate serial {certificate.serial_number:#x} "
                f"names device {eui64_text(info.eui64)}"
            )
        offered.append((certificate, info))
    return offered


def _ec_key(certificate: x509.Certificate) -> ec.EllipticCurvePublicKey:
    key = certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)  # the SMKI profile admits P-256 only
    return key
