"""Device public keys held as their 65-byte points, with the last few thousand loaded.

An EC key object costs about two kilobytes of OpenSSL memory; its point costs 65 bytes. The DCC
holds two public keys per SMETS2+ device it has dealt with, millions in a national rehearsal,
but uses them seldom: the KA key once (the ECDH secret is kept), the DS key to check each of the
device's responses and alerts. So a record keeps points, and the keys last loaded are kept by
point, a bounded number of them: a key is a value of its point, so the one kept is always
right, whatever record asks for it. Which keys stay loaded is a matter of cost alone: they are
dropped in the order they were loaded, so a look-up that finds its key reads a dict and takes
no lock (a dict read is atomic in CPython).
"""

from __future__ import annotations

import threading

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

LOADED = 1024  # keys kept loaded, the last loaded: at most 2 MiB

_loaded: dict[bytes, ec.EllipticCurvePublicKey] = {}  # in the order loaded
_lock = threading.Lock()  # a web server's threads may share a DCC


def point_of(key: ec.EllipticCurvePublicKey) -> bytes:
    """The key's uncompressed point (X9.62), kept loaded: it was just in use."""
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise TypeError("a device key is a P-256 public key")
    point = key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    _keep(point, key)
    return point


def key_of(point: bytes) -> ec.EllipticCurvePublicKey:
    """The P-256 public key of ``point``: the one kept, or loaded now."""
    key = _loaded.get(point)
    if key is not None:
        return key
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    _keep(point, key)
    return key


def _keep(point: bytes, key: ec.EllipticCurvePublicKey) -> None:
    with _lock:
        if point in _loaded:
            return
        _loaded[point] = key
        while len(_loaded) > LOADED:
            del _loaded[next(iter(_loaded))]
