"""X.509 CRLs: how the SMKI publishes revocations and how a relying party reads them.

A relying party believes a revocation only from a CRL whose signature verifies with the key of
the CA expected to sign it; a CRL with the wrong issuer or a broken signature is refused, never
read as "not revoked". Certificates we did not issue (DCC Boxed's ``CN=Z1, OU=07``) are covered
by an indirect CRL (RFC 5280 §5.2.5, §5.3.3): signed by our Organisation CA, marked indirect in
its critical IssuingDistributionPoint, each entry naming the certificate's issuer in a critical
CertificateIssuer extension.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from .authority import CertificateAuthority
from .errors import CrlError, SmkiInputError
from .names import NameKey, issuer_key, name_key, same_name
from .times import to_seconds

# Our repository re-issues a CRL on every revocation, so nextUpdate is only advisory.
CRL_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class RevokedEntry:
    serial: int
    revoked_at: datetime
    reason: x509.ReasonFlags


def issue_crl(
    signer: CertificateAuthority,
    certificate_issuer: x509.Name,
    entries: Iterable[RevokedEntry],
    this_update: datetime,
) -> x509.CertificateRevocationList:
    """The CRL for ``certificate_issuer``'s certificates; indirect when the signer is another CA.

    CRLNumber is the entry count: entries are only ever added, one per re-issue.
    """
    entries = sorted(entries, key=lambda entry: (entry.revoked_at, entry.serial))
    indirect = not same_name(signer.name, certificate_issuer)
    this_update = to_seconds(this_update)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(signer.name)
        .last_update(this_update)
        .next_update(this_update + CRL_LIFETIME)
        .add_extension(x509.CRLNumber(len(entries)), critical=False)
        .add_extension(signer.authority_key_identifier(), critical=False)
    )
    if indirect:
        builder = builder.add_extension(
            x509.IssuingDistributionPoint(
                full_name=None,
                relative_name=None,
                only_contains_user_certs=False,
                only_contains_ca_certs=False,
                only_some_reasons=None,
                indirect_crl=True,
                only_contains_attribute_certs=False,
            ),
            critical=True,
        )
    for entry in entries:
        builder = builder.add_revoked_certificate(_revoked(entry, certificate_issuer, indirect))
    return builder.sign(signer.private_key, hashes.SHA256(), ecdsa_deterministic=True)


def check_crl(crl: x509.CertificateRevocationList, signer: x509.Certificate) -> None:
    """Raise CrlError unless ``crl`` was issued and signed by ``signer``."""
    if not same_name(crl.issuer, signer.subject):
        raise CrlError(
            f"CRL issued by {crl.issuer.rfc4514_string()}, expected "
            f"{signer.subject.rfc4514_string()}"
        )
    public_key = signer.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not crl.is_signature_valid(
        public_key
    ):
        signer_name = signer.subject.rfc4514_string()
        raise CrlError(f"CRL signature does not verify with {signer_name}'s key")


def revocation_time(
    crl: x509.CertificateRevocationList,
    certificate: x509.Certificate,
    signer: x509.Certificate | None = None,
) -> datetime | None:
    """When ``crl`` says ``certificate`` was revoked, or None if it lists no such revocation.

    With ``signer``, the CRL is first checked (:func:`check_crl`); without, the caller has
    checked it. Raises CrlError for a direct CRL of another CA.
    """
    if signer is not None:
        check_crl(crl, signer)
    return Revocations(crl).time_of(certificate)


class Revocations:
    """A CRL's entries by certificate issuer and serial: read once, then every look-up is a
    dictionary's. The CRL must already be checked; a re-issued CRL needs a new instance."""

    def __init__(self, crl: x509.CertificateRevocationList) -> None:
        self.crl = crl
        self._issuer = name_key(crl.issuer)
        self._indirect = _is_indirect(crl)
        self._times: dict[tuple[NameKey, int], datetime] = {}
        for entry in crl:
            issuer = name_key(_entry_issuer(entry, crl)) if self._indirect else self._issuer
            self._times.setdefault((issuer, entry.serial_number), entry.revocation_date_utc)

    def time_of(self, certificate: x509.Certificate) -> datetime | None:
        """When the CRL says ``certificate`` was revoked, or None; CrlError for a direct CRL of
        another CA."""
        return self.time_for(certificate, issuer_key(certificate), certificate.serial_number)

    def time_for(
        self, certificate: x509.Certificate, issuer: NameKey, serial: int
    ) -> datetime | None:
        """:meth:`time_of`, given the key of the certificate's issuer and its serial."""
        if not self._indirect and issuer != self._issuer:
            raise CrlError(
                f"CRL of {self.crl.issuer.rfc4514_string()} does not cover certificates issued "
                f"by {certificate.issuer.rfc4514_string()}"
            )
        return self._times.get((issuer, serial))


def _revoked(
    entry: RevokedEntry, certificate_issuer: x509.Name, indirect: bool
) -> x509.RevokedCertificate:
    if entry.reason is x509.ReasonFlags.remove_from_crl:
        raise SmkiInputError("removeFromCRL is for delta CRLs; a revocation here is final")
    builder = (
        x509.RevokedCertificateBuilder()
        .serial_number(entry.serial)
        .revocation_date(to_seconds(entry.revoked_at))
    )
    # RFC 5280 §5.3.1: the reason code SHOULD be absent rather than "unspecified".
    if entry.reason is not x509.ReasonFlags.unspecified:
        builder = builder.add_extension(x509.CRLReason(entry.reason), critical=False)
    if indirect:
        builder = builder.add_extension(
            x509.CertificateIssuer([x509.DirectoryName(certificate_issuer)]), critical=True
        )
    return builder.build()


def _is_indirect(crl: x509.CertificateRevocationList) -> bool:
    try:
        point = crl.extensions.get_extension_for_class(x509.IssuingDistributionPoint)
    except x509.ExtensionNotFound:
        return False
    return point.value.indirect_crl


def _entry_issuer(entry: x509.RevokedCertificate, crl: x509.CertificateRevocationList) -> x509.Name:
    """The entry's CertificateIssuer, or the CRL issuer when absent (we write it on every entry
    of an indirect CRL, so no inheritance from earlier entries is needed)."""
    try:
        names = entry.extensions.get_extension_for_class(x509.CertificateIssuer).value
    except x509.ExtensionNotFound:
        return crl.issuer
    directory_names = names.get_values_for_type(x509.DirectoryName)
    if len(directory_names) != 1:
        raise CrlError("CertificateIssuer of a CRL entry must name exactly one directory name")
    return directory_names[0]
