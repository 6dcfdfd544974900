"""Key folders: the files load_keystore reads, and a typed error naming each one it cannot use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from devices.gbcs.errors import GbcsKeyError
from devices.gbcs.keystore import KeyUsage, load_keystore

EUI = bytes.fromhex("00DB1234567890A0")
PRIVATE = f"{EUI.hex()}-ds.key"
PUBLIC = f"{EUI.hex()}-ds.pem"


def private_pem(
    key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey,
    encryption: serialization.KeySerializationEncryption | None = None,
) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        encryption or serialization.NoEncryption(),
    )


def public_pem(key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def certificate_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def folder_with(tmp_path: Path, name: str, data: bytes) -> Path:
    (tmp_path / name).write_bytes(data)
    return tmp_path


def test_a_private_key_a_public_key_and_a_certificate_load(tmp_path: Path) -> None:
    ds, ka, acb = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    folder_with(tmp_path, PRIVATE, private_pem(ds))
    folder_with(tmp_path, f"{EUI.hex()}-ka.pem", public_pem(ka))
    folder_with(tmp_path, "90b3d51f30000002-ka.pem", certificate_pem(acb))
    store = load_keystore(tmp_path)
    assert store.private(EUI, KeyUsage.DIGITAL_SIGNING).private_numbers() == ds.private_numbers()
    assert store.public(EUI, KeyUsage.KEY_AGREEMENT) == ka.public_key()
    assert store.public(bytes.fromhex("90B3D51F30000002"), KeyUsage.KEY_AGREEMENT) == (
        acb.public_key()
    )


P256 = ec.generate_private_key(ec.SECP256R1())
P384 = ec.generate_private_key(ec.SECP384R1())
ED25519 = ed25519.Ed25519PrivateKey.generate()
BAD_FILES = {
    "junk .pem": (PUBLIC, b"not a pem\n", "not a PEM certificate or public key"),
    "empty .pem": (PUBLIC, b"", "not a PEM certificate or public key"),
    "private key as .pem": (PUBLIC, private_pem(P256), "not a PEM certificate or public key"),
    "broken certificate": (
        PUBLIC,
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        "not a PEM certificate or public key",
    ),
    "junk .key": (PRIVATE, b"\x00\xff binary", "not a PEM private key"),
    "public key as .key": (PRIVATE, public_pem(P256), "not a PEM private key"),
    "encrypted .key": (
        PRIVATE,
        private_pem(P256, serialization.BestAvailableEncryption(b"secret")),
        "an encrypted private key; use unencrypted PKCS#8",
    ),
    "Ed25519 .key": (PRIVATE, private_pem(ED25519), "not an EC private key"),
    "Ed25519 .pem": (PUBLIC, public_pem(ED25519), "not an EC public key"),
    "P-384 .key": (PRIVATE, private_pem(P384), "a secp384r1 key, not P-256 (secp256r1)"),
    "P-384 .pem": (PUBLIC, public_pem(P384), "a secp384r1 key, not P-256 (secp256r1)"),
    "P-384 certificate": (PUBLIC, certificate_pem(P384), "a secp384r1 key, not P-256"),
}


@pytest.mark.parametrize(("name", "data", "why"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_file_that_holds_no_usable_key_is_a_key_error_naming_it(
    tmp_path: Path, name: str, data: bytes, why: str
) -> None:
    folder_with(tmp_path, name, data)
    with pytest.raises(GbcsKeyError) as raised:
        load_keystore(tmp_path)
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / name}: {why}")
    assert "cryptography.io" not in message  # the library's FAQ pointer is no reason


def test_files_not_named_as_keys_are_not_read(tmp_path: Path) -> None:
    folder_with(tmp_path, "README.pem", b"not a pem\n")
    folder_with(tmp_path, f"{EUI.hex()}-xx.key", b"not a key\n")
    assert len(load_keystore(tmp_path)) == 0


def test_a_folder_that_cannot_be_read_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_keystore(tmp_path / "absent")
