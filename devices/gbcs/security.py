"""Signing and MACing whole GBCS messages, from either side (spec/gbcs.md §1.2, §2).

A remote party signs a pre-command (everything after the ``DF`` tag through the content);
the DCC's Access Control Broker then wraps the signed block in a MAC header. The MAC key comes
from static-static ECDH between the ACB (or remote party) and the device, so both ends derive
the same key; callers pass the ECDH shared secret, which a key store can cache per key pair.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec

from . import crypto
from .frame import GbcsMessage, GroupingHeader, sealed, signature_block, signed_block


def sign(message: GbcsMessage, private_key: ec.EllipticCurvePrivateKey) -> GbcsMessage:
    """The message signed by the grouping-header originator's digital signing key."""
    signature = crypto.ecdsa_sign(private_key, signed_block(message)[1:])
    return sealed(message, signature, None)


def signature_valid(message: GbcsMessage, public_key: ec.EllipticCurvePublicKey) -> bool:
    if not message.signature:
        return False
    return crypto.ecdsa_verify(public_key, signed_block(message)[1:], message.signature)


def mac_key(shared_secret: bytes, header: GroupingHeader) -> bytes:
    """The per-message AES key: the KDF over the grouping header's transaction."""
    info = crypto.kdf_other_info(header.originator, header.transaction_id, header.recipient)
    return crypto.kdf(shared_secret, info)


def compute_mac(message: GbcsMessage, shared_secret: bytes) -> bytes:
    """The 12-byte GMAC over the signed block, its signature-length byte and signature."""
    if message.signature is None:
        message = sealed(message, b"", message.mac)
    aad = crypto.MAC_AAD_PREFIX + signed_block(message) + signature_block(message)
    header = message.header
    return crypto.gmac(mac_key(shared_secret, header), crypto.gcm_iv(header.originator), aad)


def add_mac(message: GbcsMessage, shared_secret: bytes) -> GbcsMessage:
    """Wrap the message in a MAC header, as the ACB does to a signed pre-command."""
    if message.signature is None:
        message = sealed(message, b"", None)
    return sealed(message, message.signature, compute_mac(message, shared_secret))


def mac_valid(message: GbcsMessage, shared_secret: bytes) -> bool:
    if message.mac is None:
        return False
    return crypto.tags_equal(compute_mac(message, shared_secret), message.mac)
