"""Issuer DNs as DUIS KeyInfo writes them, compared with what certificates hold."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from dcc.smki.errors import SmkiInputError
from dcc.smki.names import eui64_text, name_key, parse_dn, same_name

# As in the DCC Boxed certificates: DER order OU then CN, PrintableString values.
Z1 = x509.Name(
    [
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "07", _ASN1Type.PrintableString),
        x509.NameAttribute(NameOID.COMMON_NAME, "Z1", _ASN1Type.PrintableString),
    ]
)


@pytest.mark.parametrize(
    "text", ["CN=Z1,OU=07", "CN=Z1, OU=07", " CN = Z1 ,  OU=07 ", "cn=z1,ou=07"]
)
def test_rfc2253_spellings_name_the_boxed_issuer(text: str) -> None:
    assert same_name(text, Z1)
    assert name_key(parse_dn(text)) == name_key(Z1)


@pytest.mark.parametrize("text", ["OU=07, CN=Z1", "CN=Z2, OU=07", "CN=Z1"])
def test_other_dns_do_not_match(text: str) -> None:
    assert not same_name(text, Z1)


def test_escaped_separator_and_space_are_kept() -> None:
    name = parse_dn(r"CN=A\, B\ , OU=07")
    assert name.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "A, B "


def test_values_compare_case_and_whitespace_insensitively() -> None:
    assert same_name("CN=Test  Supplier", "CN=test supplier")


@pytest.mark.parametrize("text", ["not a dn", "CN", "=Z1"])
def test_malformed_dn_is_refused(text: str) -> None:
    with pytest.raises(SmkiInputError, match="not an RFC 2253 distinguished name"):
        parse_dn(text)


def test_eui64_text() -> None:
    assert eui64_text(bytes.fromhex("90B3D51F30010000")) == "90-B3-D5-1F-30-01-00-00"


def test_a_key_kept_for_a_name_answers_for_that_name_only() -> None:
    """Keys are kept by the name object asked about: asked again, the same object gets the same
    key; an equal name made anew, or another name, gets its own, even once the first is gone."""
    first = parse_dn("CN=Z1, OU=07")
    assert name_key(first) == name_key(first) == name_key(Z1)
    assert name_key(parse_dn("CN=Z2, OU=07")) != name_key(first)
    for number in range(3000):  # more names than are kept, each dropped once asked about
        expected = ((("2.5.4.11", "07"),), (("2.5.4.3", f"n{number}"),))
        assert name_key(parse_dn(f"CN=N{number}, OU=07")) == expected
    assert name_key(first) == name_key(Z1)
    with pytest.raises(SmkiInputError):
        name_key("not a dn")
    with pytest.raises(SmkiInputError):
        name_key("not a dn")
