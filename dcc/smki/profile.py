"""The SMKI certificate profiles, read and written in one place (spec duis-smki §4.1).

Organisation certificate: P-256 key, ecdsa-with-SHA256; subject OU = Remote Party Role (two hex
digits), ``x500UniqueIdentifier`` (2.5.4.45) = the EUI-64 as a 64-bit BIT STRING, optional CN;
critical KeyUsage with exactly one of digitalSignature / keyAgreement; critical
CertificatePolicies; no subjectAltName. Device certificate (GBCS 4.3.2, RTDS keystore): empty
subject, the EUI-64 as ``hwSerialNum`` of a hardwareModuleName otherName (1.3.6.1.5.5.7.8.4) in a
critical subjectAltName, the same KeyUsage rule.

The policy OID is required to be present and critical but not pinned: the test Organisation
certificates carry ``1.2.826.0.1.8641679.1.2.1.4`` and the RTDS device certificates
``1.2.826.0.1.1800000.1.2.1.4``, so the OID differs by environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat import asn1
from cryptography.hazmat.primitives.asymmetric import ec

# cryptography writes a BIT STRING name value only when given its private _ASN1Type.BitString.
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID, ObjectIdentifier, SignatureAlgorithmOID

from .errors import SmkiInputError, SmkiProfileError
from .names import check_eui64
from .roles import KeyUsage, RemotePartyRole

ORGANISATION_POLICY = ObjectIdentifier("1.2.826.0.1.8641679.1.2.1.4")
DEVICE_POLICY = ObjectIdentifier("1.2.826.0.1.1800000.1.2.1.4")
HARDWARE_MODULE_NAME = ObjectIdentifier("1.3.6.1.5.5.7.8.4")
# hwType of the RTDS device certificates; GBCS leaves it to the issuer.
DEVICE_HW_TYPE = ObjectIdentifier("1.2.826.0.1.8641679.1.2.2.1")

_USAGE_BITS = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)


@asn1.sequence
class HardwareModuleName:
    """``HardwareModuleName ::= SEQUENCE { hwType OID, hwSerialNum OCTET STRING }`` (RFC 4108),
    the otherName value that names a device. One declaration, from which cryptography's ASN.1
    module (new in 47, not yet under its stability policy) both reads and writes the DER; the
    tests pin the bytes to the RTDS device certificates'."""

    hw_type: ObjectIdentifier
    hw_serial_num: bytes


@dataclass(frozen=True)
class OrgCertificateInfo:
    """What an Organisation certificate says about its subject."""

    eui64: bytes
    role: RemotePartyRole
    key_usage: KeyUsage
    common_name: str | None


@dataclass(frozen=True)
class DeviceCertificateInfo:
    """What a Device certificate says about its subject: a device has no role."""

    eui64: bytes
    key_usage: KeyUsage


def read_org_certificate(cert: x509.Certificate) -> OrgCertificateInfo:
    """The profile fields of an Organisation certificate, or SmkiProfileError saying which
    rule it breaks."""
    _check_algorithms(cert)
    extensions = _extensions(cert)
    if _find(extensions, x509.SubjectAlternativeName) is not None:
        raise SmkiProfileError("an Organisation certificate has no subjectAltName")
    basic = _find(extensions, x509.BasicConstraints)
    if basic is not None and basic.value.ca:
        raise SmkiProfileError("a CA certificate, not an Organisation certificate")
    key_usage = _key_usage(extensions)
    _check_policies(extensions)
    subject = cert.subject
    ou = _single(subject, NameOID.ORGANIZATIONAL_UNIT_NAME, "OU (Remote Party Role)")
    if ou is None:
        raise SmkiProfileError("subject has no OU (Remote Party Role)")
    try:
        role = RemotePartyRole.from_ou(str(ou))
    except SmkiInputError as exc:
        raise SmkiProfileError(f"subject {exc.reason}") from None
    unique_id = _single(subject, NameOID.X500_UNIQUE_IDENTIFIER, "x500UniqueIdentifier")
    if unique_id is None:
        raise SmkiProfileError("subject has no x500UniqueIdentifier (EUI-64)")
    if not isinstance(unique_id, bytes) or len(unique_id) != 9 or unique_id[0] != 0:
        raise SmkiProfileError("x500UniqueIdentifier is not a 64-bit BIT STRING (03 09 00 + 8)")
    common_name = _single(subject, NameOID.COMMON_NAME, "CN")
    return OrgCertificateInfo(
        eui64=unique_id[1:],
        role=role,
        key_usage=key_usage,
        common_name=None if common_name is None else str(common_name),
    )


def read_device_certificate(cert: x509.Certificate) -> DeviceCertificateInfo:
    """The profile fields of a Device certificate, or SmkiProfileError."""
    _check_algorithms(cert)
    extensions = _extensions(cert)
    if len(cert.subject) != 0:
        raise SmkiProfileError("a Device certificate has an empty subject")
    key_usage = _key_usage(extensions)
    _check_policies(extensions)
    san = _find(extensions, x509.SubjectAlternativeName)
    if san is None:
        raise SmkiProfileError("Device certificate has no subjectAltName")
    if not san.critical:
        raise SmkiProfileError("subjectAltName of a Device certificate must be critical")
    names = list(san.value)
    if len(names) != 1 or not isinstance(names[0], x509.OtherName):
        raise SmkiProfileError("subjectAltName must hold exactly one otherName")
    if names[0].type_id != HARDWARE_MODULE_NAME:
        other = names[0].type_id.dotted_string
        raise SmkiProfileError(f"otherName {other} is not hardwareModuleName")
    return DeviceCertificateInfo(eui64=_hw_serial_num(names[0].value), key_usage=key_usage)


def read_certificate(cert: x509.Certificate) -> OrgCertificateInfo | DeviceCertificateInfo:
    """Either profile: a certificate with a subjectAltName is read as a Device certificate."""
    has_san = _find(_extensions(cert), x509.SubjectAlternativeName) is not None
    return read_device_certificate(cert) if has_san else read_org_certificate(cert)


def org_subject(eui64: bytes, role: RemotePartyRole, common_name: str | None) -> x509.Name:
    """An Organisation certificate subject, attributes in the DCC Boxed order: CN, OU, EUI-64."""
    attributes: list[x509.NameAttribute[str | bytes]] = []
    if common_name is not None:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    attributes += [
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, role.ou),
        # The value includes the BIT STRING's unused-bits octet (0), as cryptography reads it.
        x509.NameAttribute(
            NameOID.X500_UNIQUE_IDENTIFIER, b"\x00" + check_eui64(eui64), _ASN1Type.BitString
        ),
    ]
    return x509.Name(attributes)


def device_subject_alt_name(eui64: bytes) -> x509.SubjectAlternativeName:
    """The critical-to-be subjectAltName naming a device by its EUI-64 (hwSerialNum)."""
    name = HardwareModuleName(hw_type=DEVICE_HW_TYPE, hw_serial_num=check_eui64(eui64))
    return x509.SubjectAlternativeName(
        [x509.OtherName(HARDWARE_MODULE_NAME, asn1.encode_der(name))]
    )


def key_usage_extension(usage: KeyUsage) -> x509.KeyUsage:
    """KeyUsage with the one bit the profile allows."""
    return x509.KeyUsage(
        digital_signature=usage is KeyUsage.DIGITAL_SIGNING,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=usage is KeyUsage.KEY_AGREEMENT,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _check_algorithms(cert: x509.Certificate) -> None:
    if cert.version is not x509.Version.v3:
        raise SmkiProfileError(f"certificate version {cert.version.name}, the profile needs v3")
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SmkiProfileError("public key is not an EC P-256 (prime256v1) key")
    if cert.signature_algorithm_oid != SignatureAlgorithmOID.ECDSA_WITH_SHA256:
        raise SmkiProfileError(
            f"signature algorithm {cert.signature_algorithm_oid.dotted_string} "
            "is not ecdsa-with-SHA256"
        )


def _extensions(cert: x509.Certificate) -> x509.Extensions:
    try:
        return cert.extensions
    except ValueError as exc:
        raise SmkiProfileError(f"malformed extensions: {exc}") from None


_E = TypeVar("_E", bound=x509.ExtensionType)


def _find(extensions: x509.Extensions, kind: type[_E]) -> x509.Extension[_E] | None:
    try:
        return extensions.get_extension_for_class(kind)
    except x509.ExtensionNotFound:
        return None


def _key_usage(extensions: x509.Extensions) -> KeyUsage:
    extension = _find(extensions, x509.KeyUsage)
    if extension is None:
        raise SmkiProfileError("no KeyUsage extension")
    if not extension.critical:
        raise SmkiProfileError("KeyUsage must be critical")
    value = extension.value
    set_bits = [bit for bit in _USAGE_BITS if getattr(value, bit)]
    if value.key_agreement and (value.encipher_only or value.decipher_only):
        set_bits.append("encipher_only/decipher_only")
    if set_bits == ["digital_signature"]:
        return KeyUsage.DIGITAL_SIGNING
    if set_bits == ["key_agreement"]:
        return KeyUsage.KEY_AGREEMENT
    found = ", ".join(set_bits) or "none"
    raise SmkiProfileError(
        f"KeyUsage must be exactly one of digitalSignature or keyAgreement, found: {found}"
    )


def _check_policies(extensions: x509.Extensions) -> None:
    extension = _find(extensions, x509.CertificatePolicies)
    if extension is None:
        raise SmkiProfileError("no CertificatePolicies extension")
    if not extension.critical:
        raise SmkiProfileError("CertificatePolicies must be critical")


def _single(subject: x509.Name, oid: ObjectIdentifier, what: str) -> str | bytes | None:
    attributes = subject.get_attributes_for_oid(oid)
    if len(attributes) > 1:
        raise SmkiProfileError(f"subject has {len(attributes)} {what} attributes, at most one")
    return attributes[0].value if attributes else None


def _hw_serial_num(der: bytes) -> bytes:
    """hwSerialNum of a hardwareModuleName, which must be an 8-byte EUI-64."""
    try:
        name = asn1.decode_der(HardwareModuleName, der)
    except ValueError as exc:
        raise SmkiProfileError(
            f"hardwareModuleName is not a single DER SEQUENCE {{ OID, OCTET STRING }}: {exc}"
        ) from None
    if len(name.hw_serial_num) != 8:
        raise SmkiProfileError(f"hwSerialNum is {len(name.hw_serial_num)} bytes, an EUI-64 is 8")
    return name.hw_serial_num
