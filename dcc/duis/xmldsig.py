"""Sign and verify DUIS documents as the DCC does; the profile itself is in ``xmldsig_profile``.

signxml is not on these paths. Its signing shape (two transforms, digest over exclusive C14N) is
refused by the DCC validator, and its verifier accepts shapes the DCC profile excludes. Instead
libxml2's canonicaliser (through lxml) and ``cryptography`` are called directly: the digest is
SHA-256 over the inclusive C14N 1.0 of the document without its Signature, SignedInfo is signed
in exclusive C14N, and the value is raw r||s. That is also two to three times faster than
signxml (``python -m sim.bench.duis_signatures``). Signing and verifying both drop the
whitespace between elements first, as the DCC Boxed tools do (``whitespace``).

Verification makes the checks of :class:`SignatureCheck` in order, cheapest first, and a
failure raises :class:`SignatureRejected` naming the check, a reason and a response code.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Literal, Protocol, overload

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from dcc._by_identity import by_identity
from dcc.smki.errors import SmkiError, SmkiInputError, SmkiProfileError
from dcc.smki.names import name_key, parse_dn
from dcc.smki.profile import OrgCertificateInfo, read_org_certificate
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.smki.times import check_utc

from ._markup import Markup
from .codes import ResponseCode
from .elements import DS, SIGNATURE, SR, canonical_signature, label
from .errors import DuisBuildError, DuisSchemaError, DuisSignatureError, DuisXmlError
from .ids import RequestID, format_eui64
from .values import format_base64
from .whitespace import remove_element_content_whitespace, text_between_elements
from .xmldsig_profile import (
    SIGNATURE_SHAPE,
    SIGNED_INFO_SHAPE,
    ProfileViolation,
    canonical_values,
    decode_digest,
    decode_serial,
    decode_signature_value,
    der_signature,
    match,
    raw_signature,
    render,
)
from .xmlparse import parse_xml

USER_SIGNING_ROLES = frozenset({RemotePartyRole.XML_SIGN})
DCC_SIGNING_ROLES = frozenset({RemotePartyRole.DSP_XML_SIGN})

_SIGN = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)  # RFC 6979: runs replay exactly
_VERIFY = ec.ECDSA(hashes.SHA256())
_SIGNED_INFO = f"{{{DS}}}SignedInfo"
# What an enveloped signature's root holds, by root: a DUIS request or response, and the S1SP's
# signed part of an SMETS1ResponseMessage, which carries its own signature inside the response.
_ENVELOPES: dict[object, list[str]] = {
    f"{{{SR}}}Request": [f"{{{SR}}}Header", f"{{{SR}}}Body", SIGNATURE],
    f"{{{SR}}}Response": [f"{{{SR}}}Header", f"{{{SR}}}Body", SIGNATURE],
    f"{{{SR}}}SMETS1SignedResponse": [f"{{{SR}}}SMETS1Response", SIGNATURE],
}


class SignatureCheck(StrEnum):
    """The checks verification makes, in this order."""

    PRESENT = "present"  # the document carries a signature
    PROFILE = "profile"  # one Signature, last child of the root, exactly the DCC profile
    CERTIFICATE = "certificate"  # the resolver knows the certificate named by issuer + serial
    VALIDITY = "validity"  # the certificate is in date at the given time
    REVOCATION = "revocation"  # and not revoked then
    ROLE = "role"  # an SMKI Organisation DS certificate with an allowed Remote Party Role
    SIGNER = "signer"  # whose EUI-64 is the RequestID originator or the expected signer
    DIGEST = "digest"  # the document is what was signed
    SIGNATURE = "signature"  # the signature over SignedInfo verifies with that certificate


# solrsim's choice: the DUIS table naming the code for each signature failure was not found
# (spec duis-smki "Could not confirm" 1). E1 is "Failed Authorisation - invalid User / User
# Role", for a signer the DCC does not accept; E1000, DuisError's default, for a message that
# does not authenticate. The check and the reason on the error tell the cases apart.
_UNAUTHENTIC = ResponseCode.E1000
_SIGNER_REFUSED = ResponseCode.E1
RESPONSE_CODES: Mapping[SignatureCheck, ResponseCode] = MappingProxyType(
    {
        SignatureCheck.PRESENT: _UNAUTHENTIC,
        SignatureCheck.PROFILE: _UNAUTHENTIC,
        SignatureCheck.CERTIFICATE: _SIGNER_REFUSED,
        SignatureCheck.VALIDITY: _SIGNER_REFUSED,
        SignatureCheck.REVOCATION: _SIGNER_REFUSED,
        SignatureCheck.ROLE: _SIGNER_REFUSED,
        SignatureCheck.SIGNER: _SIGNER_REFUSED,
        SignatureCheck.DIGEST: _UNAUTHENTIC,
        SignatureCheck.SIGNATURE: _UNAUTHENTIC,
    }
)


class SignatureRejected(DuisSignatureError):
    """A signature that failed ``check``; ``response_code`` follows :data:`RESPONSE_CODES`."""

    def __init__(self, check: SignatureCheck, reason: str) -> None:
        super().__init__(reason, RESPONSE_CODES[check])
        self.check = check


class CertificateResolver(Protocol):
    """What verification needs from an SMKI repository."""

    def resolve(self, issuer: x509.Name, serial: int) -> x509.Certificate | None: ...

    def is_revoked(self, cert: x509.Certificate, at: datetime) -> bool: ...


class InMemoryResolver:
    """A fixed set of certificates, none revoked: for tests and ``solrsim duis verify``."""

    def __init__(self, certificates: Iterable[x509.Certificate]) -> None:
        self._certificates = {(name_key(c.issuer), c.serial_number): c for c in certificates}

    @classmethod
    def from_directory(cls, folder: Path) -> InMemoryResolver:
        """Every PEM certificate in the files of ``folder``; keys and other files are skipped."""
        found: list[x509.Certificate] = []
        for path in sorted(folder.iterdir()):
            if path.is_file() and b"-----BEGIN CERTIFICATE-----" in (data := path.read_bytes()):
                found.extend(x509.load_pem_x509_certificates(data))
        return cls(found)

    def __len__(self) -> int:
        return len(self._certificates)

    def resolve(self, issuer: x509.Name, serial: int) -> x509.Certificate | None:
        return self._certificates.get((name_key(issuer), serial))

    def is_revoked(self, cert: x509.Certificate, at: datetime) -> bool:
        return False


@dataclass(frozen=True)
class VerifiedSignature:
    """A signature that passed every check, who made it, and exactly what it covers."""

    certificate: x509.Certificate
    info: OrgCertificateInfo
    # The parsed document, Signature included, without the whitespace between elements. Later
    # stages read this tree, not the bytes again, so they act on precisely what was digested.
    document: etree._ElementTree
    # What the digest covers: the inclusive C14N of that document without its Signature.
    canonical: bytes
    # The Signature in exclusive C14N, as a document read from the tree holds it.
    signature: bytes


def sign_document(
    document: bytes | etree._Element | Markup,
    private_key: ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
) -> bytes:
    """``document`` signed in the DCC profile, as UTF-8 bytes with an XML declaration.

    Like the DCC Boxed signer, any existing ``ds:Signature`` is dropped first, and so is the
    whitespace between elements: the document is signed and written on one line, and verifies
    the same once indented. The RequestID is left as it is. An element is never changed: it is
    copied first if there is anything to drop. Nonces are deterministic, so the same input
    always gives the same bytes. A :class:`~dcc.duis._markup.Markup` (a document written as
    text, with neither layout nor signature) gives the bytes its element would.
    """
    _check_signing_key(private_key, certificate)
    if isinstance(document, Markup):
        return _sign_markup(document, private_key, certificate)
    tree = _to_sign(document)
    values = _signed_values(_canonical(tree, exclusive=False), private_key, certificate)
    return _written_with_signature(tree, values)


def enveloped_signature(
    document: bytes | etree._Element,
    private_key: ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
) -> bytes:
    """The ``ds:Signature`` :func:`sign_document` would put in ``document``, in exclusive C14N
    (as a document read from a tree holds a signature), for a signature carried apart from the
    document it signs: the S1SP's over a SMETS1SignedResponse. The signed document is neither
    written nor read back."""
    _check_signing_key(private_key, certificate)
    tree = _to_sign(document)
    values = _signed_values(_canonical(tree, exclusive=False), private_key, certificate)
    return canonical_signature(_signature_element(values))


def _to_sign(document: bytes | etree._Element) -> etree._ElementTree:
    """The document as it is signed: without whitespace between elements or any signature."""
    if isinstance(document, bytes):
        tree = parse_xml(document)
        _drop_layout_and_signatures(tree.getroot())
    elif _alone(document) and not _has_layout_or_signatures(document):
        tree = document.getroottree()  # signed as it is: nothing to drop, nothing changed
    else:
        tree = copy.deepcopy(document).getroottree()
        _drop_layout_and_signatures(tree.getroot())
    return tree


def _sign_markup(
    markup: Markup, private_key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate
) -> bytes:
    """The markup's document signed: the Signature spliced into its bytes before the root's end
    tag, as :func:`_written_with_signature` does for a tree (every markup root declares
    ``ds``); values that need escaping go through the tree."""
    values = _signed_values(markup.canonical, private_key, certificate)
    if _plain(values):
        return _spliced(markup.written, values)
    return _written_by_appending(parse_xml(markup.written), values)


def _signed_values(
    canonical: bytes, private_key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate
) -> dict[str, str]:
    """The Signature's values for a document whose inclusive C14N is ``canonical``."""
    issuer, serial = _key_info(certificate)
    values = {
        "DigestValue": format_base64(hashlib.sha256(canonical).digest()),
        "X509IssuerName": issuer,
        "X509SerialNumber": serial,
    }
    signed_info = render(SIGNED_INFO_SHAPE, values).encode()
    values["SignatureValue"] = format_base64(raw_signature(private_key.sign(signed_info, _SIGN)))
    return values


def _alone(element: etree._Element) -> bool:
    """The root of its document, with no comment or processing instruction beside it."""
    return (
        element.getparent() is None and element.getprevious() is None and element.getnext() is None
    )


def _has_layout_or_signatures(element: etree._Element) -> bool:
    return text_between_elements(element) or next(element.iter(SIGNATURE), None) is not None


def _drop_layout_and_signatures(root: etree._Element) -> None:
    remove_element_content_whitespace(root)
    for signature in list(root.iterdescendants(SIGNATURE)):
        parent = signature.getparent()
        if parent is not None:  # a descendant always has one
            _remove_keeping_tail(parent, signature)


def _written_with_signature(tree: etree._ElementTree, values: Mapping[str, str]) -> bytes:
    """The document's bytes with the ``ds:Signature`` holding ``values`` as the root's last
    child: what appending the element and writing the tree gives, byte for byte.

    When the root declares ``ds`` (every document solrsim builds does) and the values need no
    escaping, the Signature's markup is spliced in before the root's end tag, so neither the
    element is made nor the tree changed; otherwise (and to test the splice against) the
    element is appended to the tree, which is written, and taken out again.
    """
    root = tree.getroot()
    if root.nsmap.get("ds") == DS and root.getnext() is None and _plain(values):
        written = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
        if written.rfind(b"</") > 0:
            return _spliced(written, values)
    return _written_by_appending(tree, values)


def _spliced(written: bytes, values: Mapping[str, str]) -> bytes:
    """``written`` (a document whose root declares ``ds`` and has an end tag) with the
    Signature's markup holding ``values`` (plain) before the root's end tag."""
    end = written.rfind(b"</")
    parts = list(_signature_markup())
    parts[1::2] = [values[name] for name in parts[1::2]]
    return b"".join((written[:end], "".join(parts).encode(), written[end:]))


def _written_by_appending(tree: etree._ElementTree, values: Mapping[str, str]) -> bytes:
    root = tree.getroot()
    signature = _signature_element(values)
    root.append(signature)
    try:
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    finally:
        root.remove(signature)


_PLACEHOLDER = re.compile(r"@@(\w+)@@")
_UNPLAIN = re.compile(r"[^\x20-\x7e]|[&<>]")


def _plain(values: Mapping[str, str]) -> bool:
    """Printable ASCII that XML writes as it is (no ``&``, ``<``, ``>``). The digest and the
    signature are base64 and the serial decimal, so only the issuer's name needs a look."""
    return _plain_text(values["X509IssuerName"])


@functools.lru_cache(maxsize=64)
def _plain_text(text: str) -> bool:
    return _UNPLAIN.search(text) is None


@functools.cache
def _signature_markup() -> tuple[str, ...]:
    """The Signature as lxml writes it under a root that declares ``ds``, split around its
    values: literal, value name, literal, ... Written by lxml once, so the splice is its
    output."""
    placeholders = {name: f"@@{name}@@" for name, _ in SIGNATURE_SHAPE.value_paths}
    root = etree.Element(f"{{{SR}}}Request", nsmap={"sr": SR, "ds": DS})
    root.append(_signature_element(placeholders))
    written = etree.tostring(root, encoding="unicode")
    signature = written[written.index("<ds:Signature") : written.rindex("</")]
    return tuple(_PLACEHOLDER.split(signature))


@by_identity(64)
def _check_signing_key(
    private_key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate
) -> None:
    """Raise DuisBuildError unless the key is P-256 and the certificate's. Kept: a signer signs
    many documents with one key, and comparing the keys costs more than signing."""
    if not isinstance(private_key.curve, ec.SECP256R1):
        raise DuisBuildError(f"the DCC profile signs with P-256 keys, not {private_key.curve.name}")
    if private_key.public_key() != certificate.public_key():
        raise DuisBuildError("the private key does not belong to the certificate")


@by_identity(64)
def _key_info(certificate: x509.Certificate) -> tuple[str, str]:
    """X509IssuerName as Java writes it (``CN=Z1,OU=07``) and X509SerialNumber: written once
    per certificate."""
    return certificate.issuer.rfc4514_string(), str(certificate.serial_number)


@functools.cache
def _signature_template() -> etree._Element:
    """The profile's ``ds:Signature`` parsed once, its value leaves empty."""
    empty = {name: "" for name, _ in SIGNATURE_SHAPE.value_paths}
    return etree.fromstring(render(SIGNATURE_SHAPE, empty))


def _signature_element(values: Mapping[str, str]) -> etree._Element:
    """The ``ds:Signature`` holding ``values``: what parsing its rendered markup gives, made by
    copying the template rather than parsing."""
    signature = copy.deepcopy(_signature_template())
    for name, path in SIGNATURE_SHAPE.value_paths:
        leaf = signature
        for index in path:
            leaf = leaf[index]
        leaf.text = values[name]
    return signature


@overload
def verify_document(
    data: bytes | etree._ElementTree,
    resolver: CertificateResolver,
    *,
    at: datetime,
    expected_signer: bytes | None = None,
    allowed_roles: Collection[RemotePartyRole] = USER_SIGNING_ROLES,
    allow_unsigned: Literal[False] = False,
) -> VerifiedSignature: ...


@overload
def verify_document(
    data: bytes | etree._ElementTree,
    resolver: CertificateResolver,
    *,
    at: datetime,
    expected_signer: bytes | None = None,
    allowed_roles: Collection[RemotePartyRole] = USER_SIGNING_ROLES,
    allow_unsigned: bool,
) -> VerifiedSignature | None: ...


def verify_document(
    data: bytes | etree._ElementTree,
    resolver: CertificateResolver,
    *,
    at: datetime,
    expected_signer: bytes | None = None,
    allowed_roles: Collection[RemotePartyRole] = USER_SIGNING_ROLES,
    allow_unsigned: bool = False,
) -> VerifiedSignature | None:
    """Verify ``data`` as the DCC would, at time ``at`` (timezone-aware).

    ``allowed_roles`` is :data:`USER_SIGNING_ROLES` for requests from Users and
    :data:`DCC_SIGNING_ROLES` for the DCC's responses. The signer's EUI-64 must equal
    ``expected_signer`` or, when that is None, the originator part of the RequestID (for a
    DCC response, pass the DCC's EUI-64). With ``allow_unsigned`` a document without any
    ``ds:Signature`` (the DCC's error acknowledgements) returns None instead of failing.

    ``data`` is the document's bytes or, so that a pipeline parses once, the tree
    :func:`~dcc.duis.xmlparse.parse_xml` made of them. As the DCC Boxed validator, it ignores
    whitespace between elements: it removes it from the tree first, in place, then checks
    that tree. The tree returned in :class:`VerifiedSignature` is the one checked, so whoever
    reads the request from it reads exactly what the digest covers.

    Raises :class:`~dcc.duis.errors.DuisXmlError` for input that is not acceptable XML and
    :class:`SignatureRejected` for every signature failure.
    """
    at = check_utc(at)
    tree = data if isinstance(data, etree._ElementTree) else parse_xml(data)
    root = tree.getroot()
    remove_element_content_whitespace(root)
    signatures = list(root.iter(SIGNATURE))
    if not signatures:
        if allow_unsigned:
            return None
        raise SignatureRejected(SignatureCheck.PRESENT, "the document has no ds:Signature")
    signature = _enveloped_signature(root, signatures)
    signature_c14n = canonical_signature(signature)
    exact = canonical_values(SIGNATURE_SHAPE, signature, signature_c14n)
    try:
        values = match(SIGNATURE_SHAPE, signature) if exact is None else exact
        issuer = _issuer_name(values["X509IssuerName"])
        serial = decode_serial(values["X509SerialNumber"])
        digest = decode_digest(values["DigestValue"])
        raw = decode_signature_value(values["SignatureValue"])
    except ProfileViolation as exc:
        raise SignatureRejected(SignatureCheck.PROFILE, str(exc)) from None

    named = _describe(values["X509IssuerName"], serial)
    certificate = resolver.resolve(issuer, serial)
    if certificate is None:
        raise SignatureRejected(SignatureCheck.CERTIFICATE, f"{named} is not known")
    _check_validity(certificate, at, named)
    try:
        revoked = resolver.is_revoked(certificate, at)
    except SmkiError as exc:  # e.g. no trustworthy CRL: fail closed
        raise SignatureRejected(
            SignatureCheck.REVOCATION, f"revocation status of {named} unknown: {exc.reason}"
        ) from None
    if revoked:
        raise SignatureRejected(
            SignatureCheck.REVOCATION, f"{named} is revoked at {at.isoformat()}"
        )
    info, public_key = _signing_certificate(certificate)
    if info.role not in allowed_roles:
        wanted = " or ".join(role.label for role in sorted(allowed_roles))
        raise SignatureRejected(
            SignatureCheck.ROLE,
            f"{named} has Remote Party Role {info.role.label}; {wanted} is required",
        )
    signer = expected_signer if expected_signer is not None else _originator(root)
    if info.eui64 != signer:
        raise SignatureRejected(
            SignatureCheck.SIGNER,
            f"{named} belongs to {format_eui64(info.eui64)}; "
            f"the signer must be {format_eui64(signer)}",
        )

    if exact is None:
        signed_info_element = signature.find(_SIGNED_INFO)
        if signed_info_element is None:  # the shape matched above has one
            raise SignatureRejected(SignatureCheck.PROFILE, "ds:Signature has no ds:SignedInfo")
        signed_info = _canonical(signed_info_element, exclusive=True)
    else:  # the Signature's canonical markup is the rendered one, SignedInfo's with it
        signed_info = render(SIGNED_INFO_SHAPE, values).encode()
    document = _canonical_enveloped(tree, root, signature)
    if hashlib.sha256(document).digest() != digest:
        raise SignatureRejected(
            SignatureCheck.DIGEST, "ds:DigestValue does not match the document: it was altered"
        )
    try:
        public_key.verify(der_signature(raw), signed_info, _VERIFY)
    except InvalidSignature:
        raise SignatureRejected(
            SignatureCheck.SIGNATURE, f"ds:SignatureValue does not verify with {named}"
        ) from None
    return VerifiedSignature(certificate, info, tree, document, signature_c14n)


def _enveloped_signature(root: etree._Element, signatures: list[etree._Element]) -> etree._Element:
    """The one Signature, placed as the profile requires, as the last child of its envelope.

    With URI="" the digest covers everything outside the Signature, so a second Body or a
    moved Signature already breaks the digest; refusing them by shape gives the reason.
    """
    if len(signatures) > 1:
        raise SignatureRejected(
            SignatureCheck.PROFILE,
            f"{len(signatures)} ds:Signature elements; the profile allows exactly one",
        )
    signature = signatures[0]
    parent = signature.getparent()
    if parent is not root:
        where = "is the root element" if parent is None else f"is inside {label(parent)}"
        raise SignatureRejected(
            SignatureCheck.PROFILE, f"ds:Signature {where}; it must be the root's last child"
        )
    if signature.getnext() is not None:
        raise SignatureRejected(
            SignatureCheck.PROFILE, "ds:Signature must be the last child of the root element"
        )
    children = [child for child in root if isinstance(child.tag, str)]
    envelope = _ENVELOPES.get(root.tag, _ENVELOPES[f"{{{SR}}}Request"])
    if [child.tag for child in children] != envelope:
        found = ", ".join(label(child) for child in children)
        wanted = ", ".join(label(etree.Element(tag)) for tag in envelope)
        raise SignatureRejected(
            SignatureCheck.PROFILE,
            f"{label(root)} must contain exactly {wanted}; found {found}",
        )
    return signature


@functools.lru_cache(maxsize=64)
def _issuer_name(text: str) -> x509.Name:
    """X509IssuerName as Java writes it (``CN=Z1,OU=07``) or people do (``CN=Z1, OU=07``).

    Cached: a handful of issuers sign everything, and parsing a DN is not cheap.
    """
    try:
        return parse_dn(text)
    except SmkiInputError:
        raise ProfileViolation(f"ds:X509IssuerName {text!r} is not an RFC 2253 name") from None


def _check_validity(certificate: x509.Certificate, at: datetime, named: str) -> None:
    if at < certificate.not_valid_before_utc:
        raise SignatureRejected(
            SignatureCheck.VALIDITY,
            f"{named} is not valid until {certificate.not_valid_before_utc.isoformat()}",
        )
    if at > certificate.not_valid_after_utc:
        raise SignatureRejected(
            SignatureCheck.VALIDITY,
            f"{named} expired at {certificate.not_valid_after_utc.isoformat()}",
        )


@by_identity(256)
def _signing_certificate(
    certificate: x509.Certificate,
) -> tuple[OrgCertificateInfo, ec.EllipticCurvePublicKey]:
    """Profile read and key loaded once per certificate: they are the costly part of a check."""
    named = _describe(certificate.issuer.rfc4514_string(), certificate.serial_number)
    try:
        info = read_org_certificate(certificate)
    except SmkiProfileError as exc:
        raise SignatureRejected(
            SignatureCheck.ROLE, f"{named} is not an SMKI Organisation certificate: {exc}"
        ) from None
    if info.key_usage is not KeyUsage.DIGITAL_SIGNING:
        raise SignatureRejected(
            SignatureCheck.ROLE, f"{named} is not a digital-signing certificate"
        )
    key = certificate.public_key()
    if not (isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)):
        raise SignatureRejected(SignatureCheck.ROLE, f"{named} does not hold a P-256 key")
    return info, key


def _originator(root: etree._Element) -> bytes:
    request_id = _request_id_text(root)
    if request_id is None:
        raise SignatureRejected(
            SignatureCheck.SIGNER, "no sr:RequestID names the originator the signer must match"
        )
    try:
        return RequestID.parse(request_id.strip()).originator
    except DuisSchemaError as exc:
        raise SignatureRejected(
            SignatureCheck.SIGNER, f"the originator cannot be read: {exc.reason}"
        ) from None


_HEADER, _REQUEST_ID = f"{{{SR}}}Header", f"{{{SR}}}RequestID"


def _request_id_text(root: etree._Element) -> str | None:
    """``root.findtext("sr:Header/sr:RequestID")``, walked by hand: the first RequestID of the
    first Header that has one; its text, "" if it has none; None without one."""
    for header in root.iterchildren(_HEADER):
        for request_id in header.iterchildren(_REQUEST_ID):
            return request_id.text or ""
    return None


def _canonical(node: etree._Element | etree._ElementTree, *, exclusive: bool) -> bytes:
    try:
        return etree.tostring(node, method="c14n", exclusive=exclusive, with_comments=False)
    except etree.C14NError:
        # libxml2 refuses relative namespace URIs, which C14N 1.0 does not define.
        raise DuisXmlError(
            "the document cannot be canonicalised (relative namespace URI?)"
        ) from None


def _give_back(parent: etree._Element, index: int, text: str | None) -> None:
    """Undo what :func:`_remove_keeping_tail` did to the text before position ``index``."""
    if not text:
        return
    if index:
        before = parent[index - 1]
        before.tail = (before.tail or "")[: -len(text)] or None
    else:
        parent.text = (parent.text or "")[: -len(text)] or None


def _canonical_enveloped(
    tree: etree._ElementTree, root: etree._Element, signature: etree._Element
) -> bytes:
    """The inclusive C14N of the document as the enveloped-signature transform sees it:
    ``signature``, a child of ``root``, removed but the text after it kept. Then it is put back
    as it was."""
    index = root.index(signature)
    _remove_keeping_tail(root, signature)
    try:
        return _canonical(tree, exclusive=False)
    finally:
        _give_back(root, index, signature.tail)
        root.insert(index, signature)


def _remove_keeping_tail(parent: etree._Element, element: etree._Element) -> None:
    """Remove ``element`` from ``parent`` but not the text after it, as the enveloped transform
    does.

    lxml keeps that text in ``element.tail`` and would drop it with the element.
    """
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + element.tail
        else:
            previous.tail = (previous.tail or "") + element.tail
    parent.remove(element)


@functools.lru_cache(maxsize=256)
def _describe(issuer: str, serial: int) -> str:
    """How reasons name a certificate: issuer, and serial in decimal (as KeyInfo) and hex."""
    return f"certificate {issuer} serial {serial} (0x{serial:X})"
