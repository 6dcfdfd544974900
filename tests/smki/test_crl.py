"""CRLs a relying party can trust: signed by the right CA, refused when tampered with or
signed by anyone else; indirect CRLs for certificates of an external issuer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from dcc.smki.authority import SmkiAuthority, org_key_from_seed
from dcc.smki.crl import CRL_LIFETIME, RevokedEntry, issue_crl, revocation_time
from dcc.smki.errors import CrlError, SmkiInputError
from dcc.smki.roles import KeyUsage, RemotePartyRole
from devices.gbcs.crypto import private_key_from_seed

SUPPLIER = bytes.fromhex("90B3D51F30010000")
T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 2, 1, tzinfo=UTC)
Z1 = x509.Name.from_rfc4514_string("CN=Z1,OU=07")


def _supplier_cert(authority: SmkiAuthority, usage: KeyUsage) -> x509.Certificate:
    key = org_key_from_seed(b"crl", SUPPLIER, RemotePartyRole.SUPPLIER, usage)
    return authority.issue_organisation_certificate(
        SUPPLIER, RemotePartyRole.SUPPLIER, usage, key.public_key(), not_before=T0
    )


def _external_cert(serial: int) -> x509.Certificate:
    """A certificate issued by someone named CN=Z1, OU=07 whose key we do not hold."""
    key = private_key_from_seed(b"crl", "z1")
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")]))
        .issuer_name(Z1)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(T0)
        .not_valid_after(T0 + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def test_direct_crl_lists_revocation(authority: SmkiAuthority) -> None:
    certificate = _supplier_cert(authority, KeyUsage.DIGITAL_SIGNING)
    other = _supplier_cert(authority, KeyUsage.KEY_AGREEMENT)
    ca = authority.organisation_ca
    entry = RevokedEntry(certificate.serial_number, T1, x509.ReasonFlags.cessation_of_operation)
    crl = issue_crl(ca, ca.name, [entry], T1)
    assert crl.is_signature_valid(ca.private_key.public_key())
    assert crl.issuer == ca.name
    assert crl.last_update_utc == T1 and crl.next_update_utc == T1 + CRL_LIFETIME
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 1
    revoked = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
    assert revoked is not None
    reason = revoked.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason is x509.ReasonFlags.cessation_of_operation
    assert revocation_time(crl, certificate, ca.certificate) == T1
    assert revocation_time(crl, other, ca.certificate) is None


def test_unspecified_reason_is_left_out(authority: SmkiAuthority) -> None:
    ca = authority.organisation_ca
    crl = issue_crl(ca, ca.name, [RevokedEntry(7, T1, x509.ReasonFlags.unspecified)], T1)
    revoked = crl.get_revoked_certificate_by_serial_number(7)
    assert revoked is not None and len(revoked.extensions) == 0


def test_remove_from_crl_is_refused(authority: SmkiAuthority) -> None:
    ca = authority.organisation_ca
    with pytest.raises(SmkiInputError, match="removeFromCRL"):
        issue_crl(ca, ca.name, [RevokedEntry(7, T1, x509.ReasonFlags.remove_from_crl)], T1)


def test_same_inputs_give_the_same_crl(authority: SmkiAuthority) -> None:
    ca = authority.organisation_ca
    entries = [RevokedEntry(7, T1, x509.ReasonFlags.key_compromise)]
    first = issue_crl(ca, ca.name, entries, T1).public_bytes(serialization.Encoding.DER)
    second = issue_crl(ca, ca.name, entries, T1).public_bytes(serialization.Encoding.DER)
    assert first == second


def test_tampered_crl_is_not_trusted(authority: SmkiAuthority) -> None:
    certificate = _supplier_cert(authority, KeyUsage.DIGITAL_SIGNING)
    ca = authority.organisation_ca
    entry = RevokedEntry(certificate.serial_number, T1, x509.ReasonFlags.key_compromise)
    der = bytearray(issue_crl(ca, ca.name, [entry], T1).public_bytes(serialization.Encoding.DER))
    # Move the revocation date a year: one byte of the UTCTime "260201000000Z".
    position = der.index(b"260201000000Z")
    der[position + 1] = ord("7")
    tampered = x509.load_der_x509_crl(bytes(der))
    with pytest.raises(CrlError, match="signature does not verify"):
        revocation_time(tampered, certificate, ca.certificate)


def test_crl_signed_by_an_impostor_with_the_same_name_is_not_trusted(
    authority: SmkiAuthority,
) -> None:
    certificate = _supplier_cert(authority, KeyUsage.DIGITAL_SIGNING)
    impostor = SmkiAuthority.from_seed(b"impostor").organisation_ca  # also CN=S1, OU=07
    entry = RevokedEntry(certificate.serial_number, T1, x509.ReasonFlags.key_compromise)
    crl = issue_crl(impostor, impostor.name, [entry], T1)
    with pytest.raises(CrlError, match="signature does not verify"):
        revocation_time(crl, certificate, authority.organisation_ca.certificate)


def test_crl_of_another_issuer_is_not_trusted(authority: SmkiAuthority) -> None:
    certificate = _supplier_cert(authority, KeyUsage.DIGITAL_SIGNING)
    dca = authority.device_ca
    entry = RevokedEntry(certificate.serial_number, T1, x509.ReasonFlags.key_compromise)
    crl = issue_crl(dca, dca.name, [entry], T1)
    with pytest.raises(CrlError, match="expected CN=S1,OU=07"):
        revocation_time(crl, certificate, authority.organisation_ca.certificate)
    # Even with the device CA as the expected signer, its direct CRL does not cover the OCA's.
    with pytest.raises(CrlError, match="does not cover certificates issued by CN=S1,OU=07"):
        revocation_time(crl, certificate, dca.certificate)


def test_indirect_crl_for_an_external_issuer(authority: SmkiAuthority) -> None:
    certificate = _external_cert(1234)
    ca = authority.organisation_ca
    entry = RevokedEntry(1234, T1, x509.ReasonFlags.cessation_of_operation)
    crl = issue_crl(ca, Z1, [entry], T1)
    point = crl.extensions.get_extension_for_class(x509.IssuingDistributionPoint)
    assert point.critical and point.value.indirect_crl
    revoked = crl.get_revoked_certificate_by_serial_number(1234)
    assert revoked is not None
    issuer = revoked.extensions.get_extension_for_class(x509.CertificateIssuer)
    assert issuer.critical
    assert issuer.value.get_values_for_type(x509.DirectoryName) == [Z1]
    assert revocation_time(crl, certificate, ca.certificate) == T1


def test_indirect_crl_entry_for_another_issuer_does_not_revoke(authority: SmkiAuthority) -> None:
    """The OCA's own certificate with a serial that the Z1 CRL lists is not revoked by it."""
    ours = _supplier_cert(authority, KeyUsage.DIGITAL_SIGNING)
    ca = authority.organisation_ca
    entry = RevokedEntry(ours.serial_number, T1, x509.ReasonFlags.key_compromise)
    crl = issue_crl(ca, Z1, [entry], T1)
    assert revocation_time(crl, ours, ca.certificate) is None
    assert revocation_time(crl, _external_cert(ours.serial_number), ca.certificate) == T1
