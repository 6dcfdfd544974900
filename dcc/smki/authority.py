"""A test SMKI PKI: a root, an Organisation CA and a Device CA, all fixed by a seed.

Keys come from :func:`devices.gbcs.crypto.private_key_from_seed`; serial numbers are hashes of
the seed and the certificate's content; validity starts at a caller-given time (the simulated
clock) or the authority's epoch; signatures use RFC 6979 deterministic ECDSA. So one seed gives
byte-identical certificates, and a rehearsal replays. Certificates follow the profile written in
:mod:`dcc.smki.profile`, which reads them back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from devices.gbcs.crypto import private_key_from_seed

from .errors import SmkiInputError
from .names import check_eui64, same_name
from .profile import (
    DEVICE_POLICY,
    ORGANISATION_POLICY,
    device_subject_alt_name,
    key_usage_extension,
    org_subject,
)
from .roles import KeyUsage, RemotePartyRole
from .times import to_seconds

DEFAULT_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
ORGANISATION_LIFETIME_YEARS = 10  # as the DCC Boxed Remote Party certificates
CA_LIFETIME_YEARS = 100
# GBCS: Device certificates have no well-defined expiry.
DEVICE_NOT_AFTER = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


@dataclass(frozen=True)
class CertificateAuthority:
    """One CA: its certificate and the key that signs certificates and CRLs."""

    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey

    @property
    def name(self) -> x509.Name:
        return self.certificate.subject

    def authority_key_identifier(self) -> x509.AuthorityKeyIdentifier:
        """The AKI of whatever this CA signs: its own subject key identifier."""
        ski = self.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        return x509.AuthorityKeyIdentifier(ski.value.digest, None, None)


@dataclass(frozen=True)
class SmkiAuthority:
    """The simulator's SMKI: issues Organisation and Device certificates and signs CRLs."""

    seed: bytes
    name: str
    epoch: datetime
    root: CertificateAuthority
    organisation_ca: CertificateAuthority
    device_ca: CertificateAuthority

    @classmethod
    def from_seed(
        cls, seed: bytes, name: str = "S1", epoch: datetime = DEFAULT_EPOCH
    ) -> SmkiAuthority:
        """The PKI for ``seed``; its Organisation CA is ``CN=<name>, OU=07``, like Z1's."""
        epoch = to_seconds(epoch)
        root_key = private_key_from_seed(seed, f"smki/{name}/root")
        root_name = _ca_name(f"{name} Root", RemotePartyRole.ROOT)
        root = CertificateAuthority(
            _sign(
                _ca_builder(seed, root_name, root_key.public_key(), root_name, epoch, None),
                root_key,
            ),
            root_key,
        )
        return cls(
            seed=seed,
            name=name,
            epoch=epoch,
            root=root,
            organisation_ca=_sub_ca(seed, root, name, f"smki/{name}/oca", epoch),
            device_ca=_sub_ca(seed, root, f"{name} DCA", f"smki/{name}/dca", epoch),
        )

    def issue_organisation_certificate(
        self,
        eui64: bytes,
        role: RemotePartyRole,
        key_usage: KeyUsage,
        public_key: ec.EllipticCurvePublicKey,
        *,
        common_name: str | None = None,
        not_before: datetime | None = None,
    ) -> x509.Certificate:
        """An Organisation certificate in the SMKI profile, valid ten years less a second."""
        start = to_seconds(not_before or self.epoch)
        subject = org_subject(eui64, role, common_name)
        builder = (
            _base_builder(self.organisation_ca, subject, _check_key(public_key), start)
            .not_valid_after(_add_years(start, ORGANISATION_LIFETIME_YEARS))
            .serial_number(
                _serial(self.seed, subject.public_bytes(), _spki(public_key), key_usage, start)
            )
            .add_extension(key_usage_extension(key_usage), critical=True)
            .add_extension(_subject_key_id(public_key), critical=False)
            .add_extension(_policies(ORGANISATION_POLICY), critical=True)
            .add_extension(self.organisation_ca.authority_key_identifier(), critical=False)
        )
        return _sign(builder, self.organisation_ca.private_key)

    def issue_device_certificate(
        self,
        eui64: bytes,
        key_usage: KeyUsage,
        public_key: ec.EllipticCurvePublicKey,
        *,
        not_before: datetime | None = None,
    ) -> x509.Certificate:
        """A Device certificate: empty subject, EUI-64 in a critical subjectAltName."""
        start = to_seconds(not_before or self.epoch)
        builder = (
            _base_builder(self.device_ca, x509.Name([]), _check_key(public_key), start)
            .not_valid_after(DEVICE_NOT_AFTER)
            .serial_number(
                _serial(self.seed, check_eui64(eui64), _spki(public_key), key_usage, start)
            )
            .add_extension(key_usage_extension(key_usage), critical=True)
            .add_extension(_subject_key_id(public_key), critical=False)
            .add_extension(device_subject_alt_name(eui64), critical=True)
            .add_extension(_policies(DEVICE_POLICY), critical=True)
            .add_extension(self.device_ca.authority_key_identifier(), critical=False)
        )
        return _sign(builder, self.device_ca.private_key)

    def issuer_of(self, issuer: x509.Name) -> CertificateAuthority | None:
        """Our CA named ``issuer``, or None when the certificate was issued elsewhere."""
        for ca in (self.organisation_ca, self.device_ca):
            if same_name(ca.name, issuer):
                return ca
        return None

    def crl_signer(self, certificate_issuer: x509.Name) -> CertificateAuthority:
        """Who signs the CRL covering ``certificate_issuer``'s certificates: that CA itself, or,
        for an external issuer such as DCC Boxed's ``CN=Z1, OU=07`` whose key we do not hold, the
        Organisation CA as an indirect CRL issuer (RFC 5280 §5.2.5)."""
        return self.issuer_of(certificate_issuer) or self.organisation_ca


def org_key_from_seed(
    seed: bytes, eui64: bytes, role: RemotePartyRole, key_usage: KeyUsage
) -> ec.EllipticCurvePrivateKey:
    """A subscriber's key fixed by a seed and what it is for, so scenarios replay."""
    label = f"smki/org/{check_eui64(eui64).hex()}/{role.ou}/{key_usage.value}"
    return private_key_from_seed(seed, label)


def _ca_name(common_name: str, role: RemotePartyRole) -> x509.Name:
    # DER order OU then CN, so RFC 2253 prints "CN=<name>,OU=07" like the DCC Boxed issuer.
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, role.ou),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _sub_ca(
    seed: bytes, root: CertificateAuthority, common_name: str, label: str, epoch: datetime
) -> CertificateAuthority:
    key = private_key_from_seed(seed, label)
    name = _ca_name(common_name, RemotePartyRole.ISSUING_AUTHORITY)
    builder = _ca_builder(seed, name, key.public_key(), root.name, epoch, root)
    return CertificateAuthority(_sign(builder, root.private_key), key)


def _ca_builder(
    seed: bytes,
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    issuer: x509.Name,
    epoch: datetime,
    parent: CertificateAuthority | None,
) -> x509.CertificateBuilder:
    """A CA certificate: the root may certify one level of CA, the issuing CAs none."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(_serial(seed, subject.public_bytes(), epoch.isoformat()))
        .not_valid_before(epoch)
        .not_valid_after(_add_years(epoch, CA_LIFETIME_YEARS))
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=1 if parent is None else 0), critical=True
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(_subject_key_id(public_key), critical=False)
    )
    if parent is not None:
        builder = builder.add_extension(parent.authority_key_identifier(), critical=False)
    return builder


def _base_builder(
    issuer: CertificateAuthority,
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    start: datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.name)
        .public_key(public_key)
        .not_valid_before(start)
    )


def _sign(builder: x509.CertificateBuilder, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    """Sign with RFC 6979 nonces: the same inputs give the same DER bytes."""
    return builder.sign(key, hashes.SHA256(), ecdsa_deterministic=True)


def _check_key(public_key: ec.EllipticCurvePublicKey) -> ec.EllipticCurvePublicKey:
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(
        public_key.curve, ec.SECP256R1
    ):
        raise SmkiInputError("SMKI certificates certify EC P-256 public keys only")
    return public_key


def _spki(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _subject_key_id(public_key: ec.EllipticCurvePublicKey) -> x509.SubjectKeyIdentifier:
    """An 8-byte key identifier, the length the DCC Boxed certificates use: the first 64 bits of
    SHA-256 over the public point (RFC 7093 §2 method 1, cut to 64 bits)."""
    point = public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return x509.SubjectKeyIdentifier(hashlib.sha256(point).digest()[:8])


def _policies(policy: x509.ObjectIdentifier) -> x509.CertificatePolicies:
    return x509.CertificatePolicies([x509.PolicyInformation(policy, None)])


def _serial(seed: bytes, *parts: bytes | str | datetime) -> int:
    """A positive serial of at most 127 bits (16 DER bytes), fixed by the seed and ``parts``:
    what is certified, for what usage, from when."""
    digest = hashlib.sha256(b"smki/serial" + seed)
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode()
        digest.update(len(data).to_bytes(4, "big") + data)
    return int.from_bytes(digest.digest()[:16], "big") >> 1 or 1


def _add_years(start: datetime, years: int) -> datetime:
    """``years`` later less one second (``2015-10-30 00:00`` -> ``2025-10-29 23:59:59``)."""
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return end - timedelta(seconds=1)
