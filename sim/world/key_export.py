"""A rehearsal's keys in the RTDS keystore layout, so its captured frames can be checked offline.

``<eui lower hex>-ds.pem`` / ``-ka.pem`` hold the certificate (a meter's are its Device
certificates in the run's SMKI); ``-ds.key`` / ``-ka.key`` the PKCS#8 private key. Written:
the ACB's key agreement key and the DSP's XML signing key under the DCC's ID (90b3d51f30000002),
each supplier's Supplier DS and KA keys (the ones GBCS frames are signed and MACed with; their
xmlSign keys would take the same file names and are left out), the SRP's xmlSign key, and both
keys of every meter that took part in the run (of a physical meter with a key folder, its
certificates only: its private keys are the lab's). ``devices.gbcs.keystore.load_keystore`` and
``solrsim gbcs decode --keystore DIR`` read the folder.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.smki.repository import newest
from dcc.smki.roles import KeyUsage, RemotePartyRole
from devices.credentials import device_key
from devices.gbcs.keystore import KeyFile, write_key_files
from sim.scenario.model import PhysicalMeter
from sim.world.population import Population

_DS, _KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT
PublicPart = x509.Certificate | ec.EllipticCurvePublicKey


def export_keys(population: Population, folder: Path) -> int:
    """Write the keys (see the module docstring) into ``folder``; returns the files written."""
    cast = population.cast
    identity, smki = cast.identity, cast.smki
    entries: list[tuple[bytes, KeyUsage, PublicPart, ec.EllipticCurvePrivateKey | None]] = []
    acb = newest(smki.find(identity.dcc_id, RemotePartyRole.ACCESS_CONTROL_BROKER, _KA))
    acb_public = identity.acb_ka_private.public_key() if acb is None else acb.certificate
    entries.append((identity.dcc_id, _KA, acb_public, identity.acb_ka_private))
    entries.append((identity.dcc_id, _DS, identity.xml_sign_certificate, identity.xml_sign_private))
    for supplier in cast.suppliers:
        for usage, key in ((_DS, supplier.supplier_ds), (_KA, supplier.supplier_ka)):
            if key is None:
                continue
            record = newest(smki.find(supplier.user_id, RemotePartyRole.SUPPLIER, usage))
            public = key.public_key() if record is None else record.certificate
            entries.append((supplier.user_id, usage, public, key))
    entries.append((cast.srp.user_id, _DS, cast.srp.xml_certificate, cast.srp.xml_key))
    for device_id in population.appeared():
        physical = population.physical.get(device_id)
        seeded = physical is None or physical.keys == "seed"  # else the lab holds its keys
        for record in smki.devices(device_id):
            key = device_key(population.seed, device_id, record.key_usage) if seeded else None
            entries.append((device_id, record.key_usage, record.certificate, key))
    files = [KeyFile(eui64, usage, public, private) for eui64, usage, public, private in entries]
    return len(write_key_files(folder, files))


def physical_meter_key_files(population: Population, meter: PhysicalMeter) -> list[KeyFile]:
    """What ``meter`` must hold to take part in ``population``'s world: the world's ACB KA key
    and its supplier's DS and KA keys as trust anchors, and, with ``keys: seed``, its own private
    keys as the world derives them (``solrsim meter serve --keystore`` reads the folder)."""
    anchors = population.cast.anchors
    supplier = anchors.party(meter.supplier_eui)
    assert supplier is not None  # the scenario names one of its suppliers
    files = [
        KeyFile(population.cast.identity.dcc_id, _KA, anchors.acb_ka),
        KeyFile(meter.supplier_eui, _DS, supplier.ds),
    ]
    if supplier.ka is not None:
        files.append(KeyFile(meter.supplier_eui, _KA, supplier.ka))
    if meter.keys == "seed":
        for usage in (_DS, _KA):
            key = device_key(population.seed, meter.eui64, usage)
            files.append(KeyFile(meter.eui64, usage, key.public_key(), key))
    return files
