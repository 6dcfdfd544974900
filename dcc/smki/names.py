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
    if isinstance(name, str):
        return _text_key(name)
    kept = _kept_keys.get(id(name))
    if kept is not None and kept[0] is name:
        return kept[1]
    key = _key(name)
    if len(_kept_keys) >= _KEPT:
        _kept_keys.clear()
    _kept_keys[id(name)] = (name, key)
    return key


# The keys of the names last asked about, by the name object's identity and kept with it, so an
# entry answers for that very object only (a Name is immutable). Hashing a Name to find it in
# _key's cache costs more than the look-up it serves: the DCC asks about the same few issuer
# names, as the same objects, on every request.
_KEPT = 1024
_kept_keys: dict[int, tuple[x509.Name, NameKey]] = {}


@functools.lru_cache(maxsize=1024)
def _text_key(text: str) -> NameKey:
    """Cached: every DUIS signature names its signer's issuer in text, one of a few."""
    return _key(parse_dn(text))


@functools.lru_cache(maxsize=4096)
def _key(name: x509.Name) -> NameKey:
    """Cached: the DCC compares the same few issuer names on every request."""
    return tuple(
        tuple(sorted((attr.oid.dotted_string, _normalise(attr.value)) for attr in rdn))
        for rdn in name.rdns
    )


@functools.lru_cache(maxsize=4096)
def issuer_key(certificate: x509.Certificate) -> NameKey:
    """The comparison key of the certificate's issuer. Cached by certificate (its bytes): reading
    the issuer out of a certificate costs more than the look-ups it serves."""
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
