"""docs/serial.md's worked example, recomputed from its stated inputs with `cryptography` alone,
so the page cannot drift from what a served meter accepts."""

from __future__ import annotations

import hashlib
import re
from itertools import count
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from devices.esme import Esme
from devices.gbcs.frame import Cra, decode
from devices.gbcs.verify import DEFAULT_ACB
from devices.meter_keys import seeded_credentials
from sim.cli.demo import ESME, SUPPLIER
from tests.devices.support import NOW

DOC = Path(__file__).resolve().parents[2] / "docs" / "serial.md"
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def example() -> dict[str, bytes]:
    """The ``name: hex`` lines of the worked example block, continuation lines joined."""
    text = DOC.read_text()
    heading = text.index("### Worked example")
    block = text[text.index("```text\n", heading) + 8 :]
    block = block[: block.index("```")]
    values: dict[str, str] = {}
    name = ""
    for line in block.splitlines():
        match = re.match(r"([a-z-]+):\s+(.*)", line)
        if match:
            name = match[1]
            values[name] = match[2]
        else:
            values[name] += line
    return {key: bytes.fromhex(value.replace(" ", "")) for key, value in values.items()}


def seeded_scalar(seed: bytes, label: str) -> int:
    """The documented seed rule: the first SHA-256(seed || label || i) below the group order."""
    for i in count():
        digest = hashlib.sha256(seed + label.encode() + i.to_bytes(4, "big")).digest()
        if 0 < (d := int.from_bytes(digest, "big")) < _P256_ORDER:
            return d
    raise AssertionError("unreachable")


def private(d: bytes) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1())


def test_the_example_inputs_are_the_seeded_keys() -> None:
    doc = example()
    assert doc["supplier-ds-d"] == seeded_scalar(b"solrsim", "90b3d51f30010000-ds").to_bytes(32)
    assert doc["acb-ka-d"] == seeded_scalar(b"solrsim", "90b3d51f30000002-ka").to_bytes(32)
    meter_ka = ec.derive_private_key(
        seeded_scalar(b"solrsim", "00db1234567890a0-ka"), ec.SECP256R1()
    )
    numbers = meter_ka.public_key().public_numbers()
    assert doc["meter-ka-xy"] == numbers.x.to_bytes(32) + numbers.y.to_bytes(32)


def test_every_line_of_the_example_follows_from_the_inputs() -> None:
    doc = example()
    counter, content = doc["counter"], doc["content"]
    header = (
        b"\xdf\x09\x01" + counter + b"\x08" + SUPPLIER + b"\x08" + ESME + b"\x00"
        + b"\x02\x00\x1a" + bytes((len(content),)) + content
    )  # fmt: skip
    assert doc["header"] == header

    signer = private(doc["supplier-ds-d"])
    der = signer.sign(header[1:], ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    r, s = decode_dss_signature(der)
    assert doc["signature"] == r.to_bytes(32) + s.to_bytes(32)

    meter_ka = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), b"\x04" + doc["meter-ka-xy"]
    )
    z = private(doc["acb-ka-d"]).exchange(ec.ECDH(), meter_ka)
    assert doc["z"] == z
    other_info = bytes.fromhex("60857406080300") + SUPPLIER + b"\x09\x01" + counter + ESME
    assert doc["other-info"] == other_info
    key = hashlib.sha256(b"\x00\x00\x00\x01" + z + other_info).digest()[:16]
    assert doc["mac-key"] == key
    assert doc["iv"] == SUPPLIER + bytes(4)
    signed = header + b"\x40" + doc["signature"]
    tag = AESGCM(key).encrypt(doc["iv"], b"", bytes.fromhex("110000000000") + signed)
    assert doc["mac"] == tag[:12]
    length = 5 + len(signed) + 12
    assert doc["command"] == (
        bytes.fromhex("DD000000000000") + b"\x81" + bytes((length,)) + bytes.fromhex("1100000000")
        + signed + tag[:12]
    )  # fmt: skip


def test_the_default_served_meter_accepts_the_example_command() -> None:
    credentials = seeded_credentials(b"solrsim", ESME, acb=DEFAULT_ACB, suppliers=[SUPPLIER])
    [response] = Esme(credentials, SUPPLIER).receive(example()["command"], NOW)
    assert decode(response).header.cra is Cra.RESPONSE
