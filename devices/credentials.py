"""The Device Security Credentials of a SMETS2+ meter: its own private keys and its trust anchors.

A device trusts a remote party because it holds that party's public keys (put there at
installation or by Update Security Credentials), not because of the SMKI repository: it never
sees a revocation. A failed supplier's anchors therefore stay on its meters after Ofgem revokes
its certificates, which is why MP134B makes the DCC gate what reaches them.

Keys follow a run's seed (``device_key``: label ``<eui hex>-<ds|ka>``, as ``sim/cli/demo.py``), so a
simulated DCC can derive a device's public keys without asking the meter. A meter built from a
seed derives its keys and ECDH secrets on first use only: an idle meter in a fleet of 100,000
holds references, not keys; and once it has answered it keeps its secrets, not its keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from types import MappingProxyType

from cryptography.hazmat.primitives.asymmetric import ec

from devices.gbcs.crypto import ecdh, private_key_from_seed
from devices.gbcs.keystore import KeyUsage, parse_eui64


class Role(Enum):
    """The remote-party roles a meter holds anchors for (besides the ACB, kept apart)."""

    SUPPLIER = "supplier"
    NETWORK_OPERATOR = "network operator"


@dataclass(frozen=True, slots=True)
class RemoteParty:
    """A trusted remote party: its role, its digital signing key and, for MACing responses and
    non-critical alerts to it, its key agreement key."""

    role: Role
    ds: ec.EllipticCurvePublicKey
    ka: ec.EllipticCurvePublicKey | None = None


@dataclass(frozen=True, slots=True)
class TrustAnchors:
    """The remote parties one device trusts, by EUI-64, and the ACB key agreement key that MACs
    every command. Immutable: meters with the same anchors share one instance."""

    acb_ka: ec.EllipticCurvePublicKey
    parties: Mapping[bytes, RemoteParty] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "parties", MappingProxyType(dict(self.parties)))

    def party(self, eui64: bytes) -> RemoteParty | None:
        return self.parties.get(eui64)

    def with_party(self, eui64: bytes, party: RemoteParty) -> TrustAnchors:
        """These anchors with ``eui64`` added or replaced (a Change of Supplier's new anchor)."""
        return replace(self, parties={**self.parties, parse_eui64(eui64): party})


def device_key(seed: bytes, eui64: bytes, usage: KeyUsage) -> ec.EllipticCurvePrivateKey:
    """A device's private key as every layer of a seeded run derives it."""
    return private_key_from_seed(seed, f"{eui64.hex()}-{_LABELS[usage]}")


_LABELS = {usage: usage.value for usage in KeyUsage}  # an enum's value is slow to read


class DeviceSecurityCredentials:
    """One device's private keys and trust anchors, with the ECDH secrets it caches.

    Give either ``seed`` (keys derived on first use) or both private keys.
    """

    __slots__ = ("_acb_secret", "_anchors", "_ds", "_eui64", "_ka", "_party_secrets", "_seed")

    def __init__(
        self,
        eui64: bytes,
        anchors: TrustAnchors,
        *,
        seed: bytes | None = None,
        ka_private: ec.EllipticCurvePrivateKey | None = None,
        ds_private: ec.EllipticCurvePrivateKey | None = None,
    ) -> None:
        keys_given = sum(key is not None for key in (ka_private, ds_private))
        if keys_given != (0 if seed is not None else 2):
            raise ValueError("give a seed, or both the KA and the DS private key")
        self._eui64 = parse_eui64(eui64)
        self._anchors = anchors
        self._seed = seed
        self._ka = ka_private
        self._ds = ds_private
        self._acb_secret: bytes | None = None
        self._party_secrets: dict[bytes, bytes] | None = None

    @property
    def eui64(self) -> bytes:
        return self._eui64

    @property
    def anchors(self) -> TrustAnchors:
        return self._anchors

    @anchors.setter
    def anchors(self, anchors: TrustAnchors) -> None:
        """New anchors (Update Security Credentials); the cached secrets go with the old ones."""
        self._anchors = anchors
        self._acb_secret = None
        self._party_secrets = None

    @property
    def ka_private(self) -> ec.EllipticCurvePrivateKey:
        if self._ka is None:
            self._ka = device_key(self._seed_bytes(), self._eui64, KeyUsage.KEY_AGREEMENT)
        return self._ka

    @property
    def ds_private(self) -> ec.EllipticCurvePrivateKey:
        if self._ds is None:
            self._ds = device_key(self._seed_bytes(), self._eui64, KeyUsage.DIGITAL_SIGNING)
        return self._ds

    def public_key(self, usage: KeyUsage) -> ec.EllipticCurvePublicKey:
        """The public key a remote party or the ACB would find in this device's certificate."""
        if usage is KeyUsage.KEY_AGREEMENT:
            return self.ka_private.public_key()
        return self.ds_private.public_key()

    def acb_secret(self) -> bytes:
        """ECDH(own KA, ACB KA): the secret behind every command MAC, computed once."""
        if self._acb_secret is None:
            self._acb_secret = ecdh(self.ka_private, self._anchors.acb_ka)
        return self._acb_secret

    def party_secret(self, eui64: bytes) -> bytes | None:
        """ECDH(own KA, the party's KA), to MAC what the device sends that party; None when the
        device holds no key agreement key for it."""
        if self._party_secrets is None:
            self._party_secrets = {}
        secret = self._party_secrets.get(eui64)
        if secret is None:
            party = self._anchors.party(eui64)
            if party is None or party.ka is None:
                return None
            secret = self._party_secrets[eui64] = ecdh(self.ka_private, party.ka)
        return secret

    def forget_private_keys(self) -> None:
        """Let go of private keys derived from the seed; they are derived again when next
        needed. The ECDH secrets stay. A meter does this when it has answered: an EC key
        object costs two kilobytes of OpenSSL memory, a switched meter seldom signs again, and a
        national fleet has a million of them. Keys given, not derived, are kept."""
        if self._seed is not None:
            self._ka = None
            self._ds = None

    def _seed_bytes(self) -> bytes:
        assert self._seed is not None  # __init__ takes a seed whenever a key is missing
        return self._seed
