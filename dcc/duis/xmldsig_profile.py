"""The DCC's XML-signature profile for DUIS messages, written down once (spec duis-smki §3).

The profile is one enveloped ``ds:Signature``, last child of the root, shaped exactly as
:data:`SIGNATURE_SHAPE` below. The same description renders the element when signing and checks it
when verifying, so signer and verifier cannot drift apart. Anything outside the profile (other
algorithms, more References or Transforms, a Reference URI other than ``""``, an embedded
certificate, ``ds:Object``) is refused: the Java verifier the DCC runs would read it differently
or not at all, and extra content inside the Signature is where wrapping attacks hide, because
the enveloped transform excludes the whole Signature element from the digest.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from lxml import etree

from dcc.errors import RemoteProtocolError

from .elements import DS, label
from .errors import DuisSchemaError
from .values import parse_base64
from .whitespace import is_blank

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
ENVELOPED_SIGNATURE = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"

_NS_DECLARATION = f' xmlns:ds="{DS}"'
_COORDINATE_BYTES = 32  # P-256: r and s are 32 bytes each
_SERIAL = re.compile(r"[0-9]{1,49}")  # RFC 5280 caps serials at 20 octets: below 10**49


class ProfileViolation(RemoteProtocolError):
    """A ``ds:Signature`` that is not in the DCC profile; the message says where and how."""


@dataclass(frozen=True)
class Shape:
    """One ``ds:`` element of the profile: its exact attributes and element children.

    ``value`` marks a leaf whose text the signer fills in (digest, signature, issuer, serial).
    """

    name: str
    attributes: tuple[tuple[str, str], ...] = ()
    children: tuple[Shape, ...] = ()
    value: bool = False

    @functools.cached_property
    def child_tags(self) -> list[str]:
        return [f"{{{DS}}}{child.name}" for child in self.children]

    @functools.cached_property
    def value_paths(self) -> tuple[tuple[str, tuple[int, ...]], ...]:
        """The value leaves below this element (itself included), in document order: each
        one's name and the child indexes that lead to it."""
        if self.value:
            return ((self.name, ()),)
        return tuple(
            (name, (index, *path))
            for index, child in enumerate(self.children)
            for name, path in child.value_paths
        )

    @functools.cached_property
    def markup(self) -> tuple[str, ...]:
        """The markup :func:`render` gives, split around the value leaves' text: literal, leaf
        name, literal, ..., literal. Made once, so rendering is a join."""
        placeholders = {name: f"\0{name}\0" for name, _ in self.value_paths}
        return tuple(_render(self, placeholders, _NS_DECLARATION).split("\0"))

    @functools.cached_property
    def canonical_pattern(self) -> re.Pattern[str]:
        """The rendered markup with each value leaf's text as a named group: what the exclusive
        C14N of an element exactly in the profile (and without comments) matches."""
        return re.compile(
            "".join(
                re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^<]*)"
                for i, part in enumerate(self.markup)
            )
        )


def _element(name: str, *children: Shape, **attributes: str) -> Shape:
    return Shape(name, tuple(sorted(attributes.items())), children)


def _value(name: str) -> Shape:
    return Shape(name, value=True)


SIGNED_INFO_SHAPE = _element(
    "SignedInfo",
    _element("CanonicalizationMethod", Algorithm=EXC_C14N),
    _element("SignatureMethod", Algorithm=ECDSA_SHA256),
    _element(
        "Reference",
        _element("Transforms", _element("Transform", Algorithm=ENVELOPED_SIGNATURE)),
        _element("DigestMethod", Algorithm=SHA256),
        _value("DigestValue"),
        URI="",
    ),
)
SIGNATURE_SHAPE = _element(
    "Signature",
    SIGNED_INFO_SHAPE,
    _value("SignatureValue"),
    _element(
        "KeyInfo",
        _element(
            "X509Data",
            _element("X509IssuerSerial", _value("X509IssuerName"), _value("X509SerialNumber")),
        ),
    ),
)


def render(shape: Shape, values: Mapping[str, str]) -> str:
    """``shape`` as markup, declaring ``ds`` on its top element.

    The output is already in canonical form, so ``render(SIGNED_INFO_SHAPE, ...)`` is exactly the
    exclusive C14N of the SignedInfo it becomes: the signer signs it without a round trip.
    """
    parts = shape.markup
    return "".join(
        part if i % 2 == 0 else _escape_text(values[part]) for i, part in enumerate(parts)
    )


def _render(shape: Shape, values: Mapping[str, str], declaration: str = "") -> str:
    attributes = "".join(f' {key}="{_escape_attribute(val)}"' for key, val in shape.attributes)
    if shape.value:
        content = _escape_text(values[shape.name])
    else:
        content = "".join(_render(child, values) for child in shape.children)
    return f"<ds:{shape.name}{declaration}{attributes}>{content}</ds:{shape.name}>"


def _escape_text(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#xD;")
    )


def _escape_attribute(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace('"', "&quot;")
        .replace("\t", "&#x9;")
        .replace("\n", "&#xA;")
        .replace("\r", "&#xD;")
    )


def match(shape: Shape, element: etree._Element) -> dict[str, str]:
    """Check ``element`` against ``shape``; return the text of its value leaves by name.

    Comments and processing instructions are ignored (canonicalisation without comments drops
    them); any other text, element or attribute beyond the profile is a violation.

    An element in the form :func:`render` writes is recognised from its exclusive C14N in one
    pattern match; any other is walked element by element, which says what is wrong.
    """
    values = canonical_values(shape, element)
    if values is None:
        values = {}
        _match(shape, element, values)
    return values


def canonical_values(
    shape: Shape, element: etree._Element, c14n: bytes | None = None
) -> dict[str, str] | None:
    """The values of ``element`` if it is exactly as rendered: no comment or processing
    instruction inside (a leaf holding one is a violation the walk reports), and its exclusive
    C14N (``c14n``, if the caller has made it already) the rendered markup. None otherwise.

    Then the exclusive C14N of any of its elements in the profile is their :func:`render` with
    these values: the element's canonical markup is the rendered one, and rendering declares
    ``ds``, the one namespace the profile's elements use."""
    if next(element.iter(etree.Comment, etree.ProcessingInstruction), None) is not None:
        return None
    if c14n is None:
        c14n = etree.tostring(element, method="c14n", exclusive=True, with_comments=False)
    found = shape.canonical_pattern.fullmatch(c14n.decode())
    if found is None:
        return None
    return {
        name: _unescape_text(text) if "&" in text else text
        for name, text in found.groupdict().items()
    }


def _unescape_text(text: str) -> str:
    """Undo what C14N (and :func:`_escape_text`) does to text."""
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&#xD;", "\r").replace("&amp;", "&")
    )


def _match(shape: Shape, element: etree._Element, values: dict[str, str]) -> None:
    attributes = element.attrib
    if len(attributes) != len(shape.attributes) or any(
        attributes.get(key) != val for key, val in shape.attributes
    ):
        found = tuple(sorted(attributes.items()))
        raise ProfileViolation(
            f"ds:{shape.name} must have {_attributes(shape.attributes)}, found {_attributes(found)}"
        )
    if shape.value:
        if len(element):
            raise ProfileViolation(f"ds:{shape.name} must hold only text")
        values[shape.name] = element.text or ""
        return
    if not is_blank(element.text) or not all(is_blank(child.tail) for child in element):
        raise ProfileViolation(f"ds:{shape.name} must not contain text")
    children = [child for child in element if isinstance(child.tag, str)]
    if [child.tag for child in children] != shape.child_tags:
        wanted = ", ".join(f"ds:{child.name}" for child in shape.children)
        got = ", ".join(label(child) for child in children) or "nothing"
        raise ProfileViolation(f"ds:{shape.name} must contain exactly {wanted}; found {got}")
    for child_shape, child in zip(shape.children, children, strict=True):
        _match(child_shape, child, values)


def _attributes(items: tuple[tuple[str, str], ...]) -> str:
    return " ".join(f'{key}="{val}"' for key, val in items) or "no attributes"


def raw_signature(der: bytes) -> bytes:
    """DER ECDSA signature (what ``cryptography`` returns) to the profile's raw 64-byte r||s."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(_COORDINATE_BYTES, "big") + s.to_bytes(_COORDINATE_BYTES, "big")


def der_signature(raw: bytes) -> bytes:
    """The profile's raw r||s to the DER form ``cryptography`` verifies."""
    r, s = raw[:_COORDINATE_BYTES], raw[_COORDINATE_BYTES:]
    return encode_dss_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big"))


def decode_base64(text: str, what: str) -> bytes:
    """xs:base64Binary: Java wraps long values at 76 characters with CR LF."""
    try:
        return parse_base64(text)
    except DuisSchemaError:
        raise ProfileViolation(f"{what} is not base64") from None


def decode_digest(text: str) -> bytes:
    digest = decode_base64(text, "ds:DigestValue")
    if len(digest) != 32:
        raise ProfileViolation(f"ds:DigestValue holds {len(digest)} bytes; SHA-256 gives 32")
    return digest


def decode_signature_value(text: str) -> bytes:
    """The raw r||s. A DER value is named as such: it is what most crypto libraries return, so
    it is the usual mistake of a signer that did not convert."""
    raw = decode_base64(text, "ds:SignatureValue")
    if len(raw) == 2 * _COORDINATE_BYTES:
        return raw
    if raw[:1] == b"\x30":
        try:
            decode_dss_signature(raw)
        except ValueError:
            pass
        else:
            raise ProfileViolation(
                "ds:SignatureValue is DER-encoded; the profile requires raw 64-byte r||s"
            )
    raise ProfileViolation(f"ds:SignatureValue holds {len(raw)} bytes; raw r||s is 64")


def decode_serial(text: str) -> int:
    digits = text.strip()
    if not _SERIAL.fullmatch(digits):
        raise ProfileViolation(f"ds:X509SerialNumber {text!r} is not a decimal serial number")
    return int(digits)
