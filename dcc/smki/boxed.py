"""The DCC Boxed test key set (ZAZ1): the industry's published test identities, loaded into a
repository so that scenarios can sign as the test supplier, network operator or DCC.

Folder layout (spec duis-smki §4.3): ``<stem>.pem`` certificates with PKCS#8 private keys in
``<stem>.key`` (DER) or ``<stem>.key.pem`` (PEM), e.g. ``Z1-supplier-ds.pem`` /
``Z1-supplier-ds.key``; a ``<stem>.cert.pem`` pairs with ``<stem>.key`` the same way. They were
issued by ``CN=Z1, OU=07`` whose CA certificate is not published, so the repository records them
as externally issued; they are still found by issuer and serial. Many expired in 2025 and 2026:
they load regardless, and the caller's ``at`` decides which are in use.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .errors import BoxedKeyError, SmkiError, SmkiProfileError
from .profile import OrgCertificateInfo, read_org_certificate
from .repository import CertificateRecord, CertificateStatus, SmkiRepository, newest
from .roles import KeyUsage, RemotePartyRole

BoxedIdentity = tuple[bytes, RemotePartyRole, KeyUsage]


def load_boxed_key_set(
    folder: Path, repository: SmkiRepository, at: datetime
) -> dict[BoxedIdentity, ec.EllipticCurvePrivateKey]:
    """Record every certificate in ``folder`` (IN_USE, recorded at ``at``) and return the
    private key for each (EUI-64, role, usage).

    Where several certificates share an identity (``Z1-`` and ``Z1b-supplier-ds``), the key is
    that of the newest one in use at ``at``, or of the newest one when none is (the rule of
    :meth:`SmkiRepository.current`, so the key matches the certificate a lookup returns).
    Certificates without a key file are recorded but have no entry.
    """
    files = [path for path in sorted(folder.glob("*.pem")) if not path.name.endswith(".key.pem")]
    if not files:
        raise BoxedKeyError(f"no certificates (*.pem) in {folder}")
    # Read and check everything before recording anything: a bad folder changes nothing.
    files_read = [(path, *_read_certificate(path)) for path in files]
    for path, certificate, _ in files_read:
        if repository.by_issuer_serial(certificate.issuer, certificate.serial_number):
            raise BoxedKeyError(f"{path.name}: already in the repository")
    keyed = [(path, cert, info, _read_key(path, cert)) for path, cert, info in files_read]
    loaded: dict[BoxedIdentity, list[tuple[CertificateRecord, ec.EllipticCurvePrivateKey]]] = {}
    for path, certificate, info, key in keyed:
        try:
            record = repository.add(certificate, at=at, status=CertificateStatus.IN_USE)
        except SmkiError as exc:
            raise BoxedKeyError(f"{path.name}: {exc.reason}") from None
        if key is not None:
            loaded.setdefault((info.eui64, info.role, info.key_usage), []).append((record, key))
    keys = {}
    for identity, candidates in loaded.items():
        records = [record for record, _ in candidates]
        in_use = [record for record in records if record.status_at(at) is CertificateStatus.IN_USE]
        chosen = newest(in_use) or newest(records)
        keys[identity] = next(key for record, key in candidates if record is chosen)
    return keys


def _read_certificate(path: Path) -> tuple[x509.Certificate, OrgCertificateInfo]:
    """A certificate in the Organisation profile, or BoxedKeyError naming the file."""
    try:
        certificate = x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise BoxedKeyError(f"{path.name}: not a PEM certificate ({exc})") from None
    try:
        return certificate, read_org_certificate(certificate)
    except SmkiProfileError as exc:
        raise BoxedKeyError(f"{path.name}: {exc.reason}") from None


def _read_key(path: Path, certificate: x509.Certificate) -> ec.EllipticCurvePrivateKey | None:
    """The key paired with ``path`` by stem, checked against the certificate."""
    stem = path.name.removesuffix(".pem").removesuffix(".cert")
    candidates = {
        key_path: loader
        for key_path, loader in (
            (path.with_name(f"{stem}.key"), serialization.load_der_private_key),
            (path.with_name(f"{stem}.key.pem"), serialization.load_pem_private_key),
        )
        if key_path.exists()
    }
    keys = []
    for key_path, loader in candidates.items():
        try:
            key = loader(key_path.read_bytes(), None)
        except (OSError, ValueError, TypeError) as exc:
            raise BoxedKeyError(f"{key_path.name}: not a PKCS#8 private key ({exc})") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != (
            certificate.public_key()
        ):
            raise BoxedKeyError(f"{key_path.name} is not the private key of {path.name}")
        keys.append(key)
    return keys[0] if keys else None
