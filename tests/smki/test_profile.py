"""The SMKI certificate profiles: every DCC Boxed and RTDS certificate reads as the spec says,
and certificates that break a profile rule are refused with that rule as the reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from dcc.smki.errors import SmkiProfileError
from dcc.smki.profile import (
    HARDWARE_MODULE_NAME,
    ORGANISATION_POLICY,
    DeviceCertificateInfo,
    OrgCertificateInfo,
    device_subject_alt_name,
    key_usage_extension,
    org_subject,
    read_certificate,
    read_device_certificate,
    read_org_certificate,
)
from dcc.smki.roles import KeyUsage, RemotePartyRole, parse_key_usage
from devices.gbcs.crypto import private_key_from_seed
from tests.conformance import SUMMARY

R = RemotePartyRole
SUPPLIER = "90B3D51F30010000"
SUPPLIER2 = "90B3D51F30030000"
NETWORK_OPERATOR = "90B3D51F30020000"
DCC = "90B3D51F30000002"
RECOVERY = "90B3D51F30000001"
TRANSITIONAL_COS = "90B3D51F30000004"
WAN_PROVIDER = "90B3D51F30000007"
OTHER_USER = "00DB123456780004"

# spec duis-smki §4.3: file stem -> (EUI-64, Remote Party Role); every one is digitalSignature.
BOXED = {
    "Z1-accessControlBroker-ds": (DCC, R.ACCESS_CONTROL_BROKER),
    "Z1b-accessControlBroker-ds": (DCC, R.ACCESS_CONTROL_BROKER),
    "Z1-networkOperator-ds": (NETWORK_OPERATOR, R.NETWORK_OPERATOR),
    "Z1b-networkOperator-ds": (NETWORK_OPERATOR, R.NETWORK_OPERATOR),
    "Z1-recovery-ds": (RECOVERY, R.RECOVERY),
    "Z1b-recovery-ds": (RECOVERY, R.RECOVERY),
    "Z1-supplier-ds": (SUPPLIER, R.SUPPLIER),
    "Z1b-supplier-ds": (SUPPLIER, R.SUPPLIER),
    "Z1-supplier2-ds": (SUPPLIER2, R.SUPPLIER),
    "Z1-transitionalCoS-ds": (TRANSITIONAL_COS, R.TRANSITIONAL_COS),
    "Z1b-transitionalCoS-ds": (TRANSITIONAL_COS, R.TRANSITIONAL_COS),
    "Z1-wanProvider-ds": (WAN_PROVIDER, R.WAN_PROVIDER),
    "Z1b-wanProvider-ds": (WAN_PROVIDER, R.WAN_PROVIDER),
    "dsp-xml-sign-90B3D51F30000002-ds": (DCC, R.DSP_XML_SIGN),
    "dsp-xml-sign-90B3D51F30000002-ds-pre-1.4.1": (DCC, R.DSP_XML_SIGN),
    "xml-sign-00DB123456780004-ds": (OTHER_USER, R.XML_SIGN),
    "xml-sign-90B3D51F30010000-ds": (SUPPLIER, R.XML_SIGN),
    "xml-sign-90B3D51F30020000-ds": (NETWORK_OPERATOR, R.XML_SIGN),
}
COMMON_NAMES = {
    "Z1-supplier-ds": "GITTESTSUPPLIER",
    "Z1b-supplier-ds": "GITTESTSUPPLIER",
    "Z1-supplier2-ds": "GITTESTSUPPLIER2",
}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


# --- the real certificates ------------------------------------------------------------------


def test_every_boxed_certificate_reads_as_the_spec_table(
    conformance: Path, request: pytest.FixtureRequest
) -> None:
    folder = conformance / "duis" / "boxed-keys"
    stems = {p.name.removesuffix(".pem") for p in folder.glob("*.pem")}
    stems = {stem for stem in stems if not stem.endswith(".key")}
    assert stems == set(BOXED), "the Boxed folder and the spec table list different files"
    for stem, (eui, role) in BOXED.items():
        info = read_org_certificate(_load(folder / f"{stem}.pem"))
        assert info == OrgCertificateInfo(
            eui64=bytes.fromhex(eui),
            role=role,
            key_usage=KeyUsage.DIGITAL_SIGNING,
            common_name=COMMON_NAMES.get(stem),
        ), stem
    request.config.stash[SUMMARY].append(f"SMKI profile: {len(BOXED)} DCC Boxed certificates read")


def test_boxed_dsp_xml_sign_certificate(conformance: Path) -> None:
    certificate = _load(conformance / "duis" / "Z1-accessControlBroker-dSPXmlSign.cert.pem")
    info = read_org_certificate(certificate)
    assert (info.eui64.hex().upper(), info.role, info.key_usage) == (
        DCC,
        R.DSP_XML_SIGN,
        KeyUsage.DIGITAL_SIGNING,
    )
    assert certificate.serial_number == 0x0F4889EF197D41E9016966F9D5AB0402


def test_legacy_decimal_ou_and_current_hex_ou_name_the_same_role(conformance: Path) -> None:
    folder = conformance / "duis" / "boxed-keys"
    legacy = _load(folder / "dsp-xml-sign-90B3D51F30000002-ds-pre-1.4.1.pem")
    current = _load(folder / "dsp-xml-sign-90B3D51F30000002-ds.pem")
    ou = NameOID.ORGANIZATIONAL_UNIT_NAME
    assert legacy.subject.get_attributes_for_oid(ou)[0].value == "137"
    assert current.subject.get_attributes_for_oid(ou)[0].value == "89"
    assert read_org_certificate(legacy).role is read_org_certificate(current).role


RTDS_ROLES = {
    RECOVERY: R.RECOVERY,
    DCC: R.ACCESS_CONTROL_BROKER,
    TRANSITIONAL_COS: R.TRANSITIONAL_COS,
    WAN_PROVIDER: R.WAN_PROVIDER,
    SUPPLIER: R.SUPPLIER,
    SUPPLIER2: R.SUPPLIER,
    NETWORK_OPERATOR: R.NETWORK_OPERATOR,
    "90B3D51F30010008": R.LOAD_CONTROLLER,
}
# Named for the WAN provider, but it holds the second supplier's key-agreement certificate.
RTDS_MISNAMED = {"90b3d51f30000007-ka": (SUPPLIER2, R.SUPPLIER)}


def test_every_rtds_certificate_reads(conformance: Path, request: pytest.FixtureRequest) -> None:
    """The RTDS keystore: ``<eui>[-pp]-<ds|ka>.pem`` Device and Organisation certificates."""
    devices = organisations = 0
    for path in sorted((conformance / "rtds" / "keystore").glob("*.pem")):
        try:
            certificate = _load(path)
        except ValueError:
            continue  # a bare public key, not a certificate
        eui, usage = path.stem.split("-")[0].upper(), parse_key_usage(path.stem.split("-")[-1])
        info = read_certificate(certificate)
        if isinstance(info, DeviceCertificateInfo):
            assert info == DeviceCertificateInfo(bytes.fromhex(eui), usage), path.name
            devices += 1
        else:
            eui, role = RTDS_MISNAMED.get(path.stem, (eui, RTDS_ROLES[eui]))
            assert (info.eui64.hex().upper(), info.role, info.key_usage) == (eui, role, usage)
            organisations += 1
    assert (devices, organisations) == (400, 16)
    request.config.stash[SUMMARY].append(
        f"SMKI profile: {devices} RTDS Device and {organisations} Organisation certificates read"
    )


# --- certificates built to break one rule -------------------------------------------------------

EUI = bytes.fromhex(SUPPLIER)
SUBJECT_KEY = private_key_from_seed(b"profile", "subject")
ISSUER_KEY = private_key_from_seed(b"profile", "issuer")
ISSUER = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])


DS_USAGE = key_usage_extension(KeyUsage.DIGITAL_SIGNING)


def _builder(
    subject: x509.Name | None = None,
    key_usage: x509.KeyUsage | None = DS_USAGE,
    key_usage_critical: bool = True,
    policy_critical: bool | None = True,
    public_key: ec.EllipticCurvePublicKey | None = None,
) -> x509.CertificateBuilder:
    builder = (
        x509.CertificateBuilder()
        .subject_name(org_subject(EUI, R.SUPPLIER, None) if subject is None else subject)
        .issuer_name(ISSUER)
        .public_key(public_key or SUBJECT_KEY.public_key())
        .serial_number(1)
        .not_valid_before(T0)
        .not_valid_after(T0 + timedelta(days=1))
    )
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=key_usage_critical)
    if policy_critical is not None:
        policies = x509.CertificatePolicies([x509.PolicyInformation(ORGANISATION_POLICY, None)])
        builder = builder.add_extension(policies, critical=policy_critical)
    return builder


def _sign(builder: x509.CertificateBuilder) -> x509.Certificate:
    return builder.sign(ISSUER_KEY, hashes.SHA256())


def _usage(**bits: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{name: bits.get(name, False) for name in names})


def _subject(*attributes: x509.NameAttribute) -> x509.Name:
    return x509.Name(list(attributes))


OU_02 = x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "02")
UID = x509.NameAttribute(NameOID.X500_UNIQUE_IDENTIFIER, b"\x00" + EUI, _ASN1Type.BitString)


def test_a_built_certificate_in_profile_reads() -> None:
    info = read_org_certificate(_sign(_builder(subject=org_subject(EUI, R.XML_SIGN, "SRP"))))
    assert info == OrgCertificateInfo(EUI, R.XML_SIGN, KeyUsage.DIGITAL_SIGNING, "SRP")


def test_key_agreement_certificate_reads() -> None:
    certificate = _sign(_builder(key_usage=key_usage_extension(KeyUsage.KEY_AGREEMENT)))
    assert read_org_certificate(certificate).key_usage is KeyUsage.KEY_AGREEMENT


OUT_OF_PROFILE: dict[str, tuple[Callable[[], x509.Certificate], str]] = {
    "no OU": (lambda: _sign(_builder(subject=_subject(UID))), "no OU"),
    "OU not hex": (
        lambda: _sign(
            _builder(
                subject=_subject(
                    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "supplier"), UID
                )
            )
        ),
        "not a Remote Party Role",
    ),
    "OU unknown role": (
        lambda: _sign(
            _builder(
                subject=_subject(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "FF"), UID)
            )
        ),
        "no known Remote Party Role",
    ),
    "two OUs": (
        lambda: _sign(
            _builder(
                subject=_subject(
                    OU_02, x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "87"), UID
                )
            )
        ),
        "2 OU",
    ),
    "no x500UniqueIdentifier": (
        lambda: _sign(_builder(subject=_subject(OU_02))),
        "no x500UniqueIdentifier",
    ),
    "x500UniqueIdentifier of 7 bytes": (
        lambda: _sign(
            _builder(
                subject=_subject(
                    OU_02,
                    x509.NameAttribute(
                        NameOID.X500_UNIQUE_IDENTIFIER, b"\x00" + EUI[:7], _ASN1Type.BitString
                    ),
                )
            )
        ),
        "not a 64-bit BIT STRING",
    ),
    "x500UniqueIdentifier with unused bits": (
        lambda: _sign(
            _builder(
                subject=_subject(
                    OU_02,
                    x509.NameAttribute(
                        NameOID.X500_UNIQUE_IDENTIFIER, b"\x04" + EUI, _ASN1Type.BitString
                    ),
                )
            )
        ),
        "not a 64-bit BIT STRING",
    ),
    "x500UniqueIdentifier as text": (
        lambda: _sign(
            _builder(
                subject=_subject(
                    OU_02,
                    x509.NameAttribute(
                        NameOID.X500_UNIQUE_IDENTIFIER, EUI.hex(), _ASN1Type.UTF8String
                    ),
                )
            )
        ),
        "not a 64-bit BIT STRING",
    ),
    "no KeyUsage": (lambda: _sign(_builder(key_usage=None)), "no KeyUsage"),
    "KeyUsage not critical": (
        lambda: _sign(_builder(key_usage_critical=False)),
        "KeyUsage must be critical",
    ),
    "KeyUsage with both bits": (
        lambda: _sign(_builder(key_usage=_usage(digital_signature=True, key_agreement=True))),
        "found: digital_signature, key_agreement",
    ),
    "KeyUsage keyCertSign": (
        lambda: _sign(_builder(key_usage=_usage(key_cert_sign=True))),
        "found: key_cert_sign",
    ),
    "KeyUsage keyAgreement with encipherOnly": (
        lambda: _sign(_builder(key_usage=_usage(key_agreement=True, encipher_only=True))),
        "encipher_only",
    ),
    "KeyUsage nonRepudiation added": (
        lambda: _sign(_builder(key_usage=_usage(digital_signature=True, content_commitment=True))),
        "content_commitment",
    ),
    "no CertificatePolicies": (
        lambda: _sign(_builder(policy_critical=None)),
        "no CertificatePolicies",
    ),
    "CertificatePolicies not critical": (
        lambda: _sign(_builder(policy_critical=False)),
        "CertificatePolicies must be critical",
    ),
    "P-384 key": (
        lambda: _sign(_builder(public_key=ec.generate_private_key(ec.SECP384R1()).public_key())),
        "not an EC P-256",
    ),
    "ecdsa-with-SHA384": (
        lambda: _builder().sign(ISSUER_KEY, hashes.SHA384()),
        "is not ecdsa-with-SHA256",
    ),
    "subjectAltName on an Organisation certificate": (
        lambda: _sign(_builder().add_extension(device_subject_alt_name(EUI), critical=False)),
        "no subjectAltName",
    ),
    "a CA certificate": (
        lambda: _sign(
            _builder().add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        ),
        "a CA certificate",
    ),
}


@pytest.mark.parametrize("case", list(OUT_OF_PROFILE))
def test_out_of_profile_organisation_certificate_is_refused(case: str) -> None:
    make, reason = OUT_OF_PROFILE[case]
    with pytest.raises(SmkiProfileError) as caught:
        read_org_certificate(make())
    assert reason in caught.value.reason


DEVICE_SAN = device_subject_alt_name(EUI)


def _device(
    san: x509.SubjectAlternativeName | None = DEVICE_SAN,
    san_critical: bool = True,
    subject: x509.Name | None = None,
) -> x509.Certificate:
    builder = _builder(subject=x509.Name([]) if subject is None else subject)
    if san is not None:
        builder = builder.add_extension(san, critical=san_critical)
    return _sign(builder)


def test_a_built_device_certificate_reads() -> None:
    assert read_device_certificate(_device()) == DeviceCertificateInfo(
        EUI, KeyUsage.DIGITAL_SIGNING
    )
    assert read_certificate(_device()) == DeviceCertificateInfo(EUI, KeyUsage.DIGITAL_SIGNING)


def _other_name(value: bytes, oid: x509.ObjectIdentifier = HARDWARE_MODULE_NAME):
    return x509.SubjectAlternativeName([x509.OtherName(oid, value)])


HW_TYPE = bytes.fromhex("060d2a863a0001848fb90f01020201")
OUT_OF_DEVICE_PROFILE: dict[str, tuple[Callable[[], x509.Certificate], str]] = {
    "no subjectAltName": (lambda: _device(san=None), "no subjectAltName"),
    "subjectAltName not critical": (lambda: _device(san_critical=False), "must be critical"),
    "subject not empty": (lambda: _device(subject=_subject(OU_02)), "empty subject"),
    "a DNS name": (
        lambda: _device(san=x509.SubjectAlternativeName([x509.DNSName("meter.example")])),
        "exactly one otherName",
    ),
    "another otherName": (
        lambda: _device(san=_other_name(b"\x04\x08" + EUI, x509.ObjectIdentifier("1.2.3.4"))),
        "is not hardwareModuleName",
    ),
    "hwSerialNum of 7 bytes": (
        lambda: _device(san=_other_name(b"\x30\x18" + HW_TYPE + b"\x04\x07" + EUI[:7])),
        "hwSerialNum is 7 bytes",
    ),
    "not a SEQUENCE": (
        lambda: _device(san=_other_name(b"\x04\x08" + EUI)),
        "not a single DER SEQUENCE",
    ),
    "OCTET STRING missing": (
        lambda: _device(san=_other_name(b"\x30\x0f" + HW_TYPE)),
        "not a single DER SEQUENCE",
    ),
    "wrong inner types": (
        lambda: _device(san=_other_name(b"\x30\x14\x04\x08" + EUI + b"\x04\x08" + EUI)),
        "SEQUENCE { OID, OCTET STRING }",
    ),
}


@pytest.mark.parametrize("case", list(OUT_OF_DEVICE_PROFILE))
def test_out_of_profile_device_certificate_is_refused(case: str) -> None:
    make, reason = OUT_OF_DEVICE_PROFILE[case]
    with pytest.raises(SmkiProfileError) as caught:
        read_device_certificate(make())
    assert reason in caught.value.reason


def test_device_certificate_is_not_an_organisation_certificate() -> None:
    with pytest.raises(SmkiProfileError, match="no subjectAltName"):
        read_org_certificate(_device())
