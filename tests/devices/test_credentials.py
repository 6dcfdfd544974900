"""Device security credentials: keys fixed by seed and EUI-64, or given; cached ECDH secrets that
match the remote side's; anchors that only an update replaces."""

from __future__ import annotations

import pytest

from devices.credentials import (
    DeviceSecurityCredentials,
    RemoteParty,
    Role,
    TrustAnchors,
    device_key,
)
from devices.gbcs.crypto import ecdh, public_key_xy
from devices.gbcs.keystore import KeyUsage
from tests.devices.support import (
    ACB,
    ESME_ID,
    GSME_ID,
    OTHER_SUPPLIER,
    SEED,
    STRANGER,
    SUPPLIER,
    anchors,
)

KA, DS = KeyUsage.KEY_AGREEMENT, KeyUsage.DIGITAL_SIGNING


def _xy(credentials: DeviceSecurityCredentials, usage: KeyUsage) -> bytes:
    return public_key_xy(credentials.public_key(usage))


def test_seeded_keys_are_fixed_by_seed_and_eui() -> None:
    one = DeviceSecurityCredentials(ESME_ID, anchors(), seed=SEED)
    again = DeviceSecurityCredentials(ESME_ID, anchors(), seed=SEED)
    other_meter = DeviceSecurityCredentials(GSME_ID, anchors(), seed=SEED)
    other_run = DeviceSecurityCredentials(ESME_ID, anchors(), seed=b"another run")
    for usage in (KA, DS):
        assert _xy(one, usage) == _xy(again, usage)
        assert _xy(one, usage) not in (_xy(other_meter, usage), _xy(other_run, usage))
    assert _xy(one, KA) != _xy(one, DS)


def test_the_dcc_side_derives_the_same_public_keys() -> None:
    credentials = DeviceSecurityCredentials(ESME_ID, anchors(), seed=SEED)
    for usage in (KA, DS):
        derived = device_key(SEED, ESME_ID, usage).public_key()
        assert public_key_xy(derived) == _xy(credentials, usage)


def test_explicit_keys_are_used() -> None:
    credentials = DeviceSecurityCredentials(
        ESME_ID, anchors(), ka_private=STRANGER.ka, ds_private=STRANGER.ds
    )
    assert credentials.ka_private is STRANGER.ka and credentials.ds_private is STRANGER.ds


@pytest.mark.parametrize(
    "keys",
    [
        {},
        {"ka_private": STRANGER.ka},
        {"seed": SEED, "ds_private": STRANGER.ds},
        {"seed": SEED, "ka_private": STRANGER.ka, "ds_private": STRANGER.ds},
    ],
    ids=["nothing", "one key", "seed and a key", "seed and keys"],
)
def test_seed_or_both_keys(keys: dict) -> None:
    with pytest.raises(ValueError, match="seed"):
        DeviceSecurityCredentials(ESME_ID, anchors(), **keys)


def test_secrets_match_what_the_acb_and_the_supplier_compute() -> None:
    credentials = DeviceSecurityCredentials(ESME_ID, anchors(), seed=SEED)
    device_ka = credentials.public_key(KA)
    assert credentials.acb_secret() == ecdh(ACB.ka, device_ka)
    assert credentials.acb_secret() is credentials.acb_secret()
    assert credentials.party_secret(SUPPLIER.eui64) == ecdh(SUPPLIER.ka, device_ka)
    assert credentials.party_secret(STRANGER.eui64) is None


def test_new_anchors_replace_the_cached_secrets() -> None:
    credentials = DeviceSecurityCredentials(ESME_ID, anchors(), seed=SEED)
    old = credentials.acb_secret()
    credentials.anchors = anchors(acb=STRANGER).with_party(
        STRANGER.eui64, STRANGER.anchor(Role.SUPPLIER)
    )
    assert credentials.acb_secret() != old
    assert credentials.party_secret(STRANGER.eui64) == ecdh(STRANGER.ka, credentials.public_key(KA))


def test_anchors_are_immutable_values() -> None:
    base = TrustAnchors(ACB.ka.public_key(), {SUPPLIER.eui64: SUPPLIER.anchor(Role.SUPPLIER)})
    grown = base.with_party(
        OTHER_SUPPLIER.eui64, RemoteParty(Role.SUPPLIER, OTHER_SUPPLIER.ds.public_key())
    )
    assert base.party(OTHER_SUPPLIER.eui64) is None
    assert grown.party(OTHER_SUPPLIER.eui64) is not None
    with pytest.raises(TypeError):
        base.parties[STRANGER.eui64] = STRANGER.anchor(Role.SUPPLIER)  # type: ignore[index]


def test_forgotten_seeded_keys_come_back_the_same_and_the_secrets_stay() -> None:
    credentials = DeviceSecurityCredentials(ESME_ID, anchors(), seed=SEED)
    keys = {usage: _xy(credentials, usage) for usage in (KA, DS)}
    secret = credentials.acb_secret()
    credentials.forget_private_keys()
    assert credentials.acb_secret() is secret  # kept, not computed again
    assert {usage: _xy(credentials, usage) for usage in (KA, DS)} == keys


def test_new_anchors_after_forgetting_give_secrets_of_the_same_key() -> None:
    """The secrets go with the old anchors; the next one is made with the key derived again,
    which must be the meter's own."""
    credentials = DeviceSecurityCredentials(ESME_ID, anchors(), seed=SEED)
    expected = ecdh(device_key(SEED, ESME_ID, KA), anchors().acb_ka)
    credentials.acb_secret()
    credentials.forget_private_keys()
    credentials.anchors = anchors()
    assert credentials.acb_secret() == expected


def test_given_keys_are_never_forgotten() -> None:
    ka, ds = device_key(SEED, ESME_ID, KA), device_key(SEED, ESME_ID, DS)
    credentials = DeviceSecurityCredentials(ESME_ID, anchors(), ka_private=ka, ds_private=ds)
    credentials.forget_private_keys()
    assert credentials.ka_private is ka and credentials.ds_private is ds
