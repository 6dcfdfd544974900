"""How SMKI names things: issuer distinguished names and EUI-64s.

DUIS KeyInfo names a certificate by ``X509IssuerName`` in RFC 2253 form, as Java writes it
(``CN=Z1,OU=07``), while templates and people write ``CN=Z1, OU=07``; the certificate itself
holds PrintableString or UTF8String values. Lookups therefore compare a normalised key: the
RDN sequence in DER order, attribute values case-folded with whitespace collapsed (the spirit of
RFC 5280 §7.1), string types ignored.
"""

from __future__ import annotations

import functools

from cryptography import x509

from dcc._by_identity import by_identity

from .errors import SmkiInputError

NameKey = tuple[tuple[tuple[str, str], ...], ...]


def parse_dn(text: str) -> x509.Name:
    """An RFC 2253 / RFC 4514 DN, tolerating what people write: spaces after ``,`` and ``+``
    and around ``=``, and attribute types in any case (``cn=Z1``)."""
    try:
        return x509.Name.from_rfc4514_string(_canonical_rfc4514(text))
    except ValueError:
        raise SmkiInputError(f"not an RFC 2253 distinguished name: {text!r}") from None


def _canonical_rfc4514(text: str) -> str:
    """``text`` with unescaped spaces trimmed around each type and value, types upper-cased."""
    pieces: list[str] = []
    current: list[str] = []
    in_value = escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif not in_value and char == "=":
            pieces.append("".join(current).strip().upper() + "=")
            current, in_value = [], True
        elif in_value and char in ",+":
            pieces.append(_trim("".join(current)) + char)
            current, in_value = [], False
        else:
            current.append(char)
    pieces.append(_trim("".join(current)) if in_value else "".join(current))
    return "".join(pieces)


def _trim(value: str) -> str:
    """Leading spaces and unescaped trailing spaces go; an escaped trailing space stays."""
    value = value.lstrip(" ")
    while value.endswith(" ") and not value.endswith("\\ "):
        value = value[:-1]
    return value


def as_name(issuer: x509.Name | str) -> x509.Name:
    return issuer if isinstance(issuer, x509.Name) else parse_dn(issuer)


def name_key(name: x509.Name | str) -> NameKey:
    """The comparison key of a DN (see the module docstring)."""
    return _text_key(name) if isinstance(name, str) else _name_key(name)


@functools.lru_cache(maxsize=1024)
def _text_key(text: str) -> NameKey:
    """Cached: every DUIS signature names its signer's issuer in text, one of a few."""
    return _key(parse_dn(text))


@by_identity(maxsize=1024)
def _name_key(name: x509.Name) -> NameKey:
    """Kept by the name object's identity: the DCC asks about the same few issuer names, as the
    same objects, on every request, and hashing a Name costs more than the look-up it serves."""
    return _key(name)


def _key(name: x509.Name) -> NameKey:
    return tuple(
        tuple(sorted((attr.oid.dotted_string, _normalise(attr.value)) for attr in rdn))
        for rdn in name.rdns
    )


@by_identity(maxsize=4096)
def issuer_key(certificate: x509.Certificate) -> NameKey:
    """The comparison key of the certificate's issuer. Kept by the certificate object's identity:
    reading the issuer out of a certificate, or hashing it, costs more than the look-ups it
    serves."""
    return name_key(certificate.issuer)


def same_name(a: x509.Name | str, b: x509.Name | str) -> bool:
    return name_key(a) == name_key(b)


def _normalise(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return " ".join(value.split()).casefold()


def check_eui64(eui64: bytes) -> bytes:
    """``eui64`` if it is 8 bytes; SMKI identifies every party and device by one."""
    if not isinstance(eui64, bytes) or len(eui64) != 8:
        raise SmkiInputError(f"an EUI-64 is 8 bytes, got {eui64!r}")
    return eui64


def eui64_text(eui64: bytes) -> str:
    """The DUIS spelling, ``90-B3-D5-1F-30-01-00-00``."""
    return "-".join(f"{byte:02X}" for byte in eui64)
