"""GBCS cryptographic primitives, through ``cryptography`` and OpenSSL (spec/gbcs.md §2).

ECDSA P-256/SHA-256 with raw r||s signatures, static-static ECDH, the NIST SP800-56A
single-step KDF with GBCS OtherInfo (its one SHA-256 through ``hashlib``), and AES-128-GCM (as
GMAC for message MACs).
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import GbcsCryptoError, GbcsKeyError

CURVE = ec.SECP256R1()
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
# AlgorithmID of the KDF OtherInfo (GBCS 4.3.3.3; spec/gbcs.md §2.3).
KDF_ALGORITHM_ID = bytes.fromhex("60857406080300")
_KDF_FIRST_BLOCK = (1).to_bytes(4, "big")  # the KDF's counter: 128 bits take one hash
# What precedes the general-signing block in the MAC's additional authenticated data (§2.4).
MAC_AAD_PREFIX = bytes.fromhex("110000000000")
GMAC_TAG_LENGTH = 12
_GCM_TAG_BYTES = 16  # the whole tag, before GBCS cuts it
_ECDSA = ec.ECDSA(hashes.SHA256())
# RFC 6979 nonces: the same key and message give the same signature, so a seeded run replays.
_ECDSA_DETERMINISTIC = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)


def public_key_from_xy(xy: bytes) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from its 64-byte X||Y form, as GBCS carries keys."""
    if len(xy) != 64:
        raise GbcsKeyError(f"a P-256 public key is 64 bytes X||Y, got {len(xy)}")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(CURVE, b"\x04" + xy)
    except ValueError as exc:
        raise GbcsKeyError(f"not a point on P-256: {exc}") from None


def public_key_xy(key: ec.EllipticCurvePublicKey) -> bytes:
    numbers = key.public_numbers()
    return numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big")


def private_key_from_scalar(d: bytes) -> ec.EllipticCurvePrivateKey:
    if len(d) != 32:
        raise GbcsKeyError(f"a P-256 private scalar is 32 bytes, got {len(d)}")
    try:
        return ec.derive_private_key(int.from_bytes(d, "big"), CURVE)
    except ValueError as exc:
        raise GbcsKeyError(f"not a P-256 private scalar: {exc}") from None


def ecdsa_sign(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """A deterministic (RFC 6979) ECDSA P-256/SHA-256 signature as 64 raw bytes r||s."""
    r, s = decode_dss_signature(private_key.sign(data, _ECDSA_DETERMINISTIC))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def ecdsa_verify(public_key: ec.EllipticCurvePublicKey, data: bytes, signature: bytes) -> bool:
    if len(signature) != 64:
        return False
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public_key.verify(der, data, _ECDSA)
    except InvalidSignature:
        return False
    return True


def ecdh(private_key: ec.EllipticCurvePrivateKey, public_key: ec.EllipticCurvePublicKey) -> bytes:
    """Static-static ECDH: the shared secret Z, the 32-byte x-coordinate."""
    return private_key.exchange(ec.ECDH(), public_key)


def kdf_other_info(originator: bytes, transaction_id: bytes, recipient: bytes) -> bytes:
    """AlgorithmID || originator title || 09 CRA counter || recipient title (33 bytes)."""
    return KDF_ALGORITHM_ID + originator + b"\x09" + transaction_id + recipient


def kdf(shared_secret: bytes, other_info: bytes) -> bytes:
    """SP800-56A single-step KDF, SHA-256, keeping the 128 bits AES needs: one block,
    SHA-256(counter 00000001 || Z || OtherInfo), cut to 16 bytes. Hashed directly (OpenSSL's
    SHA-256 through hashlib): a ``ConcatKDFHash`` object per message costs several hashes."""
    return hashlib.sha256(_KDF_FIRST_BLOCK + shared_secret + other_info).digest()[:16]


def gcm_iv(originator: bytes) -> bytes:
    """The GBCS GCM IV: the originator system title and four zero bytes (GBCS 4.3.3.4)."""
    return originator + b"\x00\x00\x00\x00"


def gcm_encrypt(
    key: bytes, iv: bytes, plaintext: bytes, aad: bytes, tag_length: int = GMAC_TAG_LENGTH
) -> tuple[bytes, bytes]:
    """AES-GCM; returns the ciphertext and the tag cut to ``tag_length`` bytes. One AEAD call
    (the tag is the last 16 bytes it returns) costs a fifth of a streaming encryptor."""
    sealed = AESGCM(key).encrypt(iv, plaintext, aad)
    return sealed[:-_GCM_TAG_BYTES], sealed[-_GCM_TAG_BYTES:][:tag_length]


def gcm_decrypt(key: bytes, iv: bytes, ciphertext: bytes, aad: bytes, tag: bytes) -> bytes:
    """AES-GCM decryption with a (possibly cut) tag; a wrong tag raises GbcsCryptoError.

    Through ``Cipher``: ``AESGCM`` checks only whole 16-byte tags, and GBCS cuts them to 12.
    """
    try:
        decryptor = Cipher(
            algorithms.AES(key), modes.GCM(iv, tag, min_tag_length=len(tag))
        ).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(ciphertext) + decryptor.finalize()
    except (InvalidTag, ValueError) as exc:
        raise GbcsCryptoError(f"authentication failure (tag mismatch): {exc!r}") from None


def gmac(key: bytes, iv: bytes, aad: bytes, tag_length: int = GMAC_TAG_LENGTH) -> bytes:
    """GCM with no plaintext: a MAC over ``aad``."""
    return gcm_encrypt(key, iv, b"", aad, tag_length)[1]


def tags_equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


def private_key_from_seed(seed: bytes, label: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 key fixed by a seed and a label (e.g. an EUI-64 and a usage), so that a
    scenario replays byte for byte. Test use only: the key is as secret as the seed.

    Hand-written: ``cryptography`` derives keys only from random or given scalars."""
    counter = 0
    while True:
        digest = hashlib.sha256(seed + label.encode() + counter.to_bytes(4, "big")).digest()
        scalar = int.from_bytes(digest, "big")
        if 0 < scalar < _P256_ORDER:
            return ec.derive_private_key(scalar, CURVE)
        counter += 1
