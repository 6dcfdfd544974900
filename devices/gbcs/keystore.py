"""Key material by EUI-64 and usage, and the ECDH secrets derived from it.

A remote party, the ACB and a device each see a different subset of the keys; the same
:class:`KeyStore` serves all three. ECDH secrets are static-static, so each key pair's secret
is computed once and cached: per-message MAC work is then a KDF and one GMAC.

:func:`load_keystore` reads the RTDS folder format: ``<eui>[-pp]-<ds|ka>.pem`` holds a
certificate or public key, ``.key`` an unencrypted PKCS#8 private key. Certificates are taken
for their public key only: expired test certificates must not stop verification. A file that
holds no usable P-256 key is a :class:`GbcsKeyError` naming it, whatever ``cryptography``
raised, so a caller handles one error type. :func:`write_key_files` writes the same layout, so
reader and writer cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from .crypto import CURVE, ecdh
from .errors import GbcsKeyError


class KeyUsage(StrEnum):
    """What a key is for; the one usage an SMKI certificate has. Values are the key file
    suffixes (``-ds``, ``-ka``); the SMKI repository writes them in capitals (DS, KA)."""

    DIGITAL_SIGNING = "ds"
    KEY_AGREEMENT = "ka"

    @property
    def extension_name(self) -> str:
        """The X.509 KeyUsage bit name: ``digitalSignature`` or ``keyAgreement``."""
        return "digitalSignature" if self is KeyUsage.DIGITAL_SIGNING else "keyAgreement"

    @property
    def code(self) -> str:
        """The SMKI repository code: DS or KA."""
        return self.value.upper()


_Slot = tuple[bytes, KeyUsage, bool]
PublicPart = x509.Certificate | ec.EllipticCurvePublicKey
_FILE_NAME = re.compile(r"^([0-9a-fA-F]{16})(-pp)?-(ds|ka)\.(pem|key)$")
# cryptography's pointer to its FAQ, which says nothing about the file at hand.
_FAQ = re.compile(r"\s*See https?://\S+ for more details\.")


def parse_eui64(text: str | bytes) -> bytes:
    """An EUI-64 from 8 bytes or 16 hex digits, with or without ``-``, ``:`` or spaces."""
    if isinstance(text, bytes):
        if len(text) != 8:
            raise GbcsKeyError(f"an EUI-64 is 8 bytes, got {len(text)}")
        return text
    digits = re.sub(r"[-:\s]", "", text)
    if not re.fullmatch(r"[0-9a-fA-F]{16}", digits):
        raise GbcsKeyError(f"not an EUI-64: {text!r}")
    return bytes.fromhex(digits)


class KeyStore:
    def __init__(self) -> None:
        self._public: dict[_Slot, ec.EllipticCurvePublicKey] = {}
        self._private: dict[_Slot, ec.EllipticCurvePrivateKey] = {}
        self._secrets: dict[tuple[bytes, bytes], bytes] = {}

    def __len__(self) -> int:
        return len(self._public.keys() | self._private.keys())

    def add_public(
        self,
        eui: bytes,
        usage: KeyUsage,
        key: ec.EllipticCurvePublicKey,
        *,
        prepayment: bool = False,
    ) -> None:
        self._public[(eui, usage, prepayment)] = key
        self._secrets.clear()

    def add_private(
        self,
        eui: bytes,
        usage: KeyUsage,
        key: ec.EllipticCurvePrivateKey,
        *,
        prepayment: bool = False,
    ) -> None:
        self._private[(eui, usage, prepayment)] = key
        self._public.setdefault((eui, usage, prepayment), key.public_key())
        self._secrets.clear()

    def public(
        self, eui: bytes, usage: KeyUsage, *, prepayment: bool = False
    ) -> ec.EllipticCurvePublicKey | None:
        return self._public.get((eui, usage, prepayment))

    def private(
        self, eui: bytes, usage: KeyUsage, *, prepayment: bool = False
    ) -> ec.EllipticCurvePrivateKey | None:
        return self._private.get((eui, usage, prepayment))

    def shared_secret(self, party: bytes, peer: bytes) -> bytes | None:
        """ECDH between two parties' key agreement keys, from whichever side's private key
        this store holds; ``None`` when it holds neither pairing."""
        pair = (party, peer) if party <= peer else (peer, party)
        secret = self._secrets.get(pair)
        if secret is None:
            secret = self._derive(party, peer) or self._derive(peer, party)
            if secret is None:
                return None
            self._secrets[pair] = secret
        return secret

    def _derive(self, private_eui: bytes, public_eui: bytes) -> bytes | None:
        private = self.private(private_eui, KeyUsage.KEY_AGREEMENT)
        public = self.public(public_eui, KeyUsage.KEY_AGREEMENT)
        if private is None or public is None:
            return None
        return ecdh(private, public)


def load_keystore(folder: Path) -> KeyStore:
    """Every key file of an RTDS-style key folder; other files are ignored.

    :class:`GbcsKeyError` for a key file that is not PEM, is encrypted, or holds no P-256 key;
    ``OSError`` for a folder or file that cannot be read.
    """
    store = KeyStore()
    for path in sorted(Path(folder).iterdir()):
        match = _FILE_NAME.match(path.name)
        if match is None:
            continue
        eui = bytes.fromhex(match[1])
        prepayment = match[2] is not None
        usage = KeyUsage(match[3])
        if match[4] == "key":
            store.add_private(eui, usage, _read_private(path), prepayment=prepayment)
        else:
            store.add_public(eui, usage, _read_public(path), prepayment=prepayment)
    return store


@dataclass(frozen=True, slots=True)
class KeyFile:
    """One key of a folder: its certificate or public key and, when it is held, its private key."""

    eui64: bytes
    usage: KeyUsage
    public: PublicPart
    private: ec.EllipticCurvePrivateKey | None = None

    def write(self, folder: Path) -> list[Path]:
        """``<eui>-<ds|ka>.pem``, and ``.key`` (PKCS#8, unencrypted) for a private key."""
        stem = f"{self.eui64.hex()}-{self.usage.value}"
        pem = folder / f"{stem}.pem"
        if isinstance(self.public, x509.Certificate):
            pem.write_bytes(self.public.public_bytes(serialization.Encoding.PEM))
        else:
            pem.write_bytes(
                self.public.public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            )
        if self.private is None:
            return [pem]
        key = folder / f"{stem}.key"
        key.write_bytes(
            self.private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return [pem, key]


def write_key_files(folder: Path, files: Iterable[KeyFile]) -> list[Path]:
    """Each key into ``folder`` (made if absent), in the layout :func:`load_keystore` reads."""
    folder.mkdir(parents=True, exist_ok=True)
    return [path for key_file in files for path in key_file.write(folder)]


def _read_private(path: Path) -> ec.EllipticCurvePrivateKey:
    data = path.read_bytes()
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:  # cryptography's way of saying "encrypted, and no password given"
        raise GbcsKeyError(f"{path}: an encrypted private key; use unencrypted PKCS#8") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise GbcsKeyError(f"{path}: not a PEM private key: {_why(exc)}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise GbcsKeyError(f"{path}: not an EC private key")
    _check_curve(path, key.curve)
    return key


def _read_public(path: Path) -> ec.EllipticCurvePublicKey:
    data = path.read_bytes()
    key: PublicKeyTypes
    try:
        if b"CERTIFICATE" in data:
            key = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise GbcsKeyError(f"{path}: not a PEM certificate or public key: {_why(exc)}") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise GbcsKeyError(f"{path}: not an EC public key")
    _check_curve(path, key.curve)
    return key


def _check_curve(path: Path, curve: ec.EllipticCurve) -> None:
    """GBCS keys are P-256; a key on another curve would fail later, in ECDH or a signature."""
    if curve.name != CURVE.name:
        raise GbcsKeyError(f"{path}: a {curve.name} key, not P-256 ({CURVE.name})")


def _why(exc: Exception) -> str:
    """cryptography's reason, short of its FAQ pointer."""
    return _FAQ.sub("", str(exc)) or type(exc).__name__
