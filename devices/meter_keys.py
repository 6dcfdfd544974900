"""A meter's keys from an RTDS-layout key folder or from a seed, and the folder a lab needs.

A SMETS2+ meter holds its own DS and KA private keys and, as trust anchors, the public keys of
the parties it takes commands from: the ACB's KA key (every command's MAC) and each supplier's
DS key (critical command signatures) and KA key (MACs on what the meter sends it).
:func:`keystore_credentials` takes them from a :class:`~devices.gbcs.keystore.KeyStore` read by
``load_keystore`` (the layout ``solrsim run --export-keys`` writes and ``solrsim gbcs decode
--keystore`` reads); :func:`seeded_credentials` derives them as every seeded run does.
:func:`lab_key_files` is the other side: what a tester holds to talk to a seeded meter.
"""

from __future__ import annotations

from collections.abc import Iterable

from cryptography.hazmat.primitives.asymmetric import ec

from devices.credentials import (
    DeviceSecurityCredentials,
    RemoteParty,
    Role,
    TrustAnchors,
    device_key,
)
from devices.gbcs.errors import GbcsKeyError
from devices.gbcs.keystore import KeyFile, KeyStore, KeyUsage

_DS, _KA = KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT


def keystore_credentials(
    store: KeyStore, meter: bytes, *, acb: bytes, suppliers: Iterable[bytes]
) -> DeviceSecurityCredentials:
    """The credentials of ``meter``: its private keys, the ACB's KA key, each supplier's keys.

    :class:`GbcsKeyError` names every key file missing (a supplier's KA key is optional: without
    it the meter sends that supplier no non-critical alert).
    """
    missing: list[str] = []

    def private(eui: bytes, usage: KeyUsage) -> ec.EllipticCurvePrivateKey | None:
        key = store.private(eui, usage)
        if key is None:
            missing.append(f"{eui.hex()}-{usage.value}.key")
        return key

    def public(eui: bytes, usage: KeyUsage) -> ec.EllipticCurvePublicKey | None:
        key = store.public(eui, usage)
        if key is None:
            missing.append(f"{eui.hex()}-{usage.value}.pem")
        return key

    ds, ka, acb_ka = private(meter, _DS), private(meter, _KA), public(acb, _KA)
    parties = {}
    for supplier in suppliers:
        supplier_ds = public(supplier, _DS)
        if supplier_ds is not None:
            parties[supplier] = RemoteParty(Role.SUPPLIER, supplier_ds, store.public(supplier, _KA))
    if missing:
        raise GbcsKeyError(f"key folder lacks {', '.join(missing)}")
    assert acb_ka is not None and ds is not None and ka is not None  # else missing is not empty
    return DeviceSecurityCredentials(
        meter, TrustAnchors(acb_ka, parties), ka_private=ka, ds_private=ds
    )


def seeded_anchors(seed: bytes, *, acb: bytes, suppliers: Iterable[bytes]) -> TrustAnchors:
    """The ACB and suppliers of a seeded run, as its meters trust them."""
    parties = {
        supplier: RemoteParty(
            Role.SUPPLIER,
            device_key(seed, supplier, _DS).public_key(),
            device_key(seed, supplier, _KA).public_key(),
        )
        for supplier in suppliers
    }
    return TrustAnchors(device_key(seed, acb, _KA).public_key(), parties)


def seeded_credentials(
    seed: bytes, meter: bytes, *, acb: bytes, suppliers: Iterable[bytes]
) -> DeviceSecurityCredentials:
    """The credentials of ``meter`` in a run seeded with ``seed`` (keys derived on first use)."""
    return DeviceSecurityCredentials(
        meter, seeded_anchors(seed, acb=acb, suppliers=suppliers), seed=seed
    )


def lab_key_files(seed: bytes, meter: bytes, *, acb: bytes, supplier: bytes) -> list[KeyFile]:
    """What a tester needs to talk to ``meter`` of a seeded run: the meter's public keys, and the
    private keys of the parties it trusts (the supplier's DS and KA, the ACB's KA)."""
    files = [KeyFile(meter, u, device_key(seed, meter, u).public_key()) for u in (_DS, _KA)]
    for eui, usage in ((supplier, _DS), (supplier, _KA), (acb, _KA)):
        key = device_key(seed, eui, usage)
        files.append(KeyFile(eui, usage, key.public_key(), key))
    return files
