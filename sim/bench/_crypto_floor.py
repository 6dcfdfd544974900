"""The cryptographic floor of a SoLR switch: the CPU time of the public-key and AES operations one
meter's switch cannot do without, measured on this machine with the calls the code makes.

A SMETS2+ switch (transform, signed pre-command, device response) needs 6 ECDSA signs (SRP's
transform and send, the pre-command under the supplier's DS key, the DCC's pre-command response,
the meter's response, the DCC's response to the SRP), 5 verifies (the DCC checks both requests,
the pre-command and the meter's response; the meter checks the pre-command), 2 ECDH (ACB and
meter each agree the MAC key once per device) and 2 AES-GCM MACs (the ACB adds it, the meter
checks it). A SMETS1 switch needs 4 signs (SRP, DCC countersignature, meter, DCC response) and
3 verifies (the DCC checks the request and the meter's response, the meter the countersignature).
Hashing, the KDF and key derivation from the seed are left out: a real deployment has its keys.
The floor of a run weights the two paths by the meters it switched of each.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from devices.gbcs import crypto

# Operations per switched meter, by path.
SMETS2_OPERATIONS = {"sign": 6, "verify": 5, "ecdh": 2, "gcm": 2}
SMETS1_OPERATIONS = {"sign": 4, "verify": 3, "ecdh": 0, "gcm": 0}
_MESSAGE = bytes(range(256)) * 2  # about the size of a SignedInfo or a GBCS signed block
_ROUNDS = 200
_REPEATS = 15


@dataclass(frozen=True)
class CryptoFloor:
    """CPU seconds per operation, measured here."""

    sign: float
    verify: float
    ecdh: float
    gcm: float

    def per_switch(self, switched: Mapping[str, int]) -> float:
        """CPU seconds of cryptography per switched meter, weighted by ``switched`` (meters
        switched by device class: "smets1" takes the SMETS1 path, the rest SMETS2+)."""
        total = sum(switched.values())
        if not total:
            return 0.0
        smets1 = switched.get("smets1", 0)
        cost = (total - smets1) * self._cost(SMETS2_OPERATIONS) + smets1 * self._cost(
            SMETS1_OPERATIONS
        )
        return cost / total

    def _cost(self, operations: Mapping[str, int]) -> float:
        seconds = {"sign": self.sign, "verify": self.verify, "ecdh": self.ecdh, "gcm": self.gcm}
        return sum(seconds[name] * count for name, count in operations.items())


def measure_floor() -> CryptoFloor:
    """Each operation timed in process CPU over ``_ROUNDS`` calls, best of ``_REPEATS``: the
    machine's cost of the operation, not of whatever else shares the core."""
    signer = crypto.private_key_from_seed(b"solrsim/floor", "signer")
    other = crypto.private_key_from_seed(b"solrsim/floor", "other")
    public, peer = signer.public_key(), other.public_key()
    signature = crypto.ecdsa_sign(signer, _MESSAGE)
    key = crypto.kdf(crypto.ecdh(signer, peer), b"")
    iv = crypto.gcm_iv(bytes(8))
    return CryptoFloor(
        sign=_cpu_per_call(lambda: crypto.ecdsa_sign(signer, _MESSAGE)),
        verify=_cpu_per_call(lambda: _verified(public, signature)),
        ecdh=_cpu_per_call(lambda: crypto.ecdh(signer, peer)),
        gcm=_cpu_per_call(lambda: crypto.gmac(key, iv, _MESSAGE)),
    )


def _verified(public: ec.EllipticCurvePublicKey, signature: bytes) -> None:
    if not crypto.ecdsa_verify(public, _MESSAGE, signature):
        raise RuntimeError("the floor's own signature does not verify")


def _cpu_per_call(operation: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(_REPEATS):
        start = time.process_time()
        for _ in range(_ROUNDS):
            operation()
        best = min(best, (time.process_time() - start) / _ROUNDS)
    return best
