"""The test PKI: certificates in the SMKI profiles, a verifiable chain, and byte-identical
output for the same seed."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID, NameOID

from dcc.smki.authority import DEVICE_NOT_AFTER, SmkiAuthority, org_key_from_seed
from dcc.smki.errors import SmkiInputError
from dcc.smki.names import same_name
from dcc.smki.profile import (
    DEVICE_POLICY,
    HARDWARE_MODULE_NAME,
    ORGANISATION_POLICY,
    DeviceCertificateInfo,
    OrgCertificateInfo,
    read_device_certificate,
    read_org_certificate,
)
from dcc.smki.roles import KeyUsage, RemotePartyRole

SRP = bytes.fromhex("90B3D51F30050000")
METER = bytes.fromhex("00DB1234567890A0")
T0 = datetime(2026, 3, 1, 12, 30, 15, 999, tzinfo=UTC)
DS = KeyUsage.DIGITAL_SIGNING
KA = KeyUsage.KEY_AGREEMENT


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _xml_sign(authority: SmkiAuthority, seed: bytes = b"srp") -> x509.Certificate:
    key = org_key_from_seed(seed, SRP, RemotePartyRole.XML_SIGN, DS)
    return authority.issue_organisation_certificate(
        SRP, RemotePartyRole.XML_SIGN, DS, key.public_key(), common_name="SRP", not_before=T0
    )


def test_organisation_ca_is_named_like_boxed_z1(authority: SmkiAuthority) -> None:
    assert authority.organisation_ca.name.rfc4514_string() == "CN=S1,OU=07"
    assert same_name(authority.organisation_ca.name, "CN=S1, OU=07")


def test_chain_verifies(authority: SmkiAuthority) -> None:
    root = authority.root.certificate
    root.verify_directly_issued_by(root)
    authority.organisation_ca.certificate.verify_directly_issued_by(root)
    authority.device_ca.certificate.verify_directly_issued_by(root)
    _xml_sign(authority).verify_directly_issued_by(authority.organisation_ca.certificate)


def test_ca_certificates_may_sign_certificates_and_crls_only(authority: SmkiAuthority) -> None:
    for ca, path_length in (
        (authority.root, 1),
        (authority.organisation_ca, 0),
        (authority.device_ca, 0),
    ):
        extensions = ca.certificate.extensions
        basic = extensions.get_extension_for_class(x509.BasicConstraints)
        usage = extensions.get_extension_for_class(x509.KeyUsage)
        assert basic.critical and basic.value.ca and basic.value.path_length == path_length
        assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
        assert not usage.value.digital_signature


def test_organisation_certificate_is_in_profile(authority: SmkiAuthority) -> None:
    certificate = _xml_sign(authority)
    assert read_org_certificate(certificate) == OrgCertificateInfo(
        SRP, RemotePartyRole.XML_SIGN, DS, "SRP"
    )
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "87"
    assert subject.public_bytes().endswith(bytes.fromhex("0309 00") + SRP)
    assert [attribute.oid for attribute in subject] == [
        NameOID.COMMON_NAME,
        NameOID.ORGANIZATIONAL_UNIT_NAME,
        NameOID.X500_UNIQUE_IDENTIFIER,
    ]
    assert certificate.issuer == authority.organisation_ca.name
    assert certificate.version is x509.Version.v3
    assert isinstance(certificate.signature_hash_algorithm, hashes.SHA256)
    assert certificate.signature_algorithm_oid.dotted_string == "1.2.840.10045.4.3.2"


def test_organisation_certificate_extensions(authority: SmkiAuthority) -> None:
    certificate = _xml_sign(authority)
    extensions = {extension.oid: extension for extension in certificate.extensions}
    assert list(extensions) == [
        ExtensionOID.KEY_USAGE,
        ExtensionOID.SUBJECT_KEY_IDENTIFIER,
        ExtensionOID.CERTIFICATE_POLICIES,
        ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
    ]
    usage = extensions[ExtensionOID.KEY_USAGE]
    assert usage.critical and usage.value.digital_signature and not usage.value.key_agreement
    policies = extensions[ExtensionOID.CERTIFICATE_POLICIES]
    assert policies.critical
    assert [p.policy_identifier for p in policies.value] == [ORGANISATION_POLICY]
    assert ORGANISATION_POLICY.dotted_string == "1.2.826.0.1.8641679.1.2.1.4"
    ski = extensions[ExtensionOID.SUBJECT_KEY_IDENTIFIER]
    aki = extensions[ExtensionOID.AUTHORITY_KEY_IDENTIFIER]
    assert not ski.critical and not aki.critical
    point = certificate.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert ski.value.digest == hashlib.sha256(point).digest()[:8]
    ca_ski = authority.organisation_ca.certificate.extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier
    )
    assert aki.value.key_identifier == ca_ski.value.digest


def test_key_agreement_certificate(authority: SmkiAuthority) -> None:
    key = org_key_from_seed(b"s", SRP, RemotePartyRole.SUPPLIER, KA)
    certificate = authority.issue_organisation_certificate(
        SRP, RemotePartyRole.SUPPLIER, KA, key.public_key()
    )
    assert read_org_certificate(certificate) == OrgCertificateInfo(
        SRP, RemotePartyRole.SUPPLIER, KA, None
    )
    assert len(certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)) == 0


def test_validity_is_ten_years_less_a_second_from_the_given_time(
    authority: SmkiAuthority,
) -> None:
    certificate = _xml_sign(authority)
    assert certificate.not_valid_before_utc == datetime(2026, 3, 1, 12, 30, 15, tzinfo=UTC)
    assert certificate.not_valid_after_utc == datetime(2036, 3, 1, 12, 30, 14, tzinfo=UTC)


def test_validity_defaults_to_the_authority_epoch(authority: SmkiAuthority) -> None:
    key = org_key_from_seed(b"s", SRP, RemotePartyRole.SUPPLIER, DS)
    certificate = authority.issue_organisation_certificate(
        SRP, RemotePartyRole.SUPPLIER, DS, key.public_key()
    )
    assert certificate.not_valid_before_utc == authority.epoch


def test_serial_is_positive_and_at_most_127_bits(authority: SmkiAuthority) -> None:
    serial = _xml_sign(authority).serial_number
    assert 0 < serial < 1 << 127
    assert serial.bit_length() > 100  # a hash, not a counter


def test_same_seed_gives_byte_identical_certificates() -> None:
    first, second = SmkiAuthority.from_seed(b"replay"), SmkiAuthority.from_seed(b"replay")
    assert _der(first.root.certificate) == _der(second.root.certificate)
    assert _der(first.organisation_ca.certificate) == _der(second.organisation_ca.certificate)
    assert _der(first.device_ca.certificate) == _der(second.device_ca.certificate)
    assert _der(_xml_sign(first)) == _der(_xml_sign(second))
    key = org_key_from_seed(b"m", METER, RemotePartyRole.SUPPLIER, DS).public_key()
    assert _der(first.issue_device_certificate(METER, DS, key)) == _der(
        second.issue_device_certificate(METER, DS, key)
    )


def test_another_seed_gives_other_keys_and_serials() -> None:
    first, other = SmkiAuthority.from_seed(b"replay"), SmkiAuthority.from_seed(b"other")
    assert first.organisation_ca.certificate.public_key() != (
        other.organisation_ca.certificate.public_key()
    )
    assert _xml_sign(first).serial_number != _xml_sign(other).serial_number


def test_reissue_at_another_time_or_usage_gets_another_serial(authority: SmkiAuthority) -> None:
    key = org_key_from_seed(b"s", SRP, RemotePartyRole.SUPPLIER, DS).public_key()
    serials = {
        authority.issue_organisation_certificate(
            SRP, RemotePartyRole.SUPPLIER, usage, key, not_before=when
        ).serial_number
        for usage in (DS, KA)
        for when in (T0, datetime(2027, 1, 1, tzinfo=UTC))
    }
    assert len(serials) == 4


def test_org_key_from_seed_differs_by_purpose() -> None:
    keys = {
        org_key_from_seed(b"s", eui, role, usage).private_numbers().private_value
        for eui in (SRP, METER)
        for role in (RemotePartyRole.SUPPLIER, RemotePartyRole.XML_SIGN)
        for usage in (DS, KA)
    }
    assert len(keys) == 8


def test_device_certificate_is_in_profile(authority: SmkiAuthority) -> None:
    key = org_key_from_seed(b"m", METER, RemotePartyRole.SUPPLIER, KA).public_key()
    certificate = authority.issue_device_certificate(METER, KA, key)
    assert read_device_certificate(certificate) == DeviceCertificateInfo(METER, KA)
    certificate.verify_directly_issued_by(authority.device_ca.certificate)
    assert len(certificate.subject) == 0
    assert certificate.not_valid_after_utc == DEVICE_NOT_AFTER
    san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.critical
    (other_name,) = san.value
    assert other_name.type_id == HARDWARE_MODULE_NAME
    # hwType 1.2.826.0.1.8641679.1.2.2.1 and hwSerialNum, as the RTDS device certificates have.
    assert other_name.value == bytes.fromhex("3019060d2a863a0001848fb90f01020201 0408") + METER
    policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies)
    assert policies.critical
    assert [p.policy_identifier for p in policies.value] == [DEVICE_POLICY]


def test_non_p256_key_is_refused(authority: SmkiAuthority) -> None:
    key = ec.generate_private_key(ec.SECP384R1()).public_key()
    with pytest.raises(SmkiInputError, match="P-256"):
        authority.issue_organisation_certificate(SRP, RemotePartyRole.XML_SIGN, DS, key)


def test_bad_eui64_is_refused(authority: SmkiAuthority) -> None:
    key = org_key_from_seed(b"s", SRP, RemotePartyRole.XML_SIGN, DS).public_key()
    with pytest.raises(SmkiInputError, match="8 bytes"):
        authority.issue_organisation_certificate(SRP[:7], RemotePartyRole.XML_SIGN, DS, key)


def test_naive_time_is_refused(authority: SmkiAuthority) -> None:
    key = org_key_from_seed(b"s", SRP, RemotePartyRole.XML_SIGN, DS).public_key()
    with pytest.raises(SmkiInputError, match="naive"):
        authority.issue_organisation_certificate(
            SRP, RemotePartyRole.XML_SIGN, DS, key, not_before=datetime(2026, 1, 1)
        )


def test_crl_signer(authority: SmkiAuthority) -> None:
    assert authority.crl_signer(authority.device_ca.name) is authority.device_ca
    assert authority.crl_signer(authority.organisation_ca.name) is authority.organisation_ca
    z1 = x509.Name.from_rfc4514_string("CN=Z1,OU=07")
    assert authority.issuer_of(z1) is None
    assert authority.crl_signer(z1) is authority.organisation_ca
