"""Remote Party Role OU encoding (two hex digits, legacy decimal 137) and key usage names."""

from __future__ import annotations

import pytest

from dcc.smki.errors import SmkiInputError
from dcc.smki.roles import KeyUsage, RemotePartyRole, parse_key_usage


@pytest.mark.parametrize(
    ("role", "ou"),
    [
        (RemotePartyRole.ROOT, "00"),
        (RemotePartyRole.SUPPLIER, "02"),
        (RemotePartyRole.ISSUING_AUTHORITY, "07"),
        (RemotePartyRole.OTHER, "7F"),
        (RemotePartyRole.XML_SIGN, "87"),
        (RemotePartyRole.DSP_XML_SIGN, "89"),
    ],
)
def test_ou_is_two_hex_digits(role: RemotePartyRole, ou: str) -> None:
    assert role.ou == ou
    assert RemotePartyRole.from_ou(ou) is role
    assert RemotePartyRole.from_ou(ou.lower()) is role


def test_every_role_round_trips_through_its_ou() -> None:
    assert all(RemotePartyRole.from_ou(role.ou) is role for role in RemotePartyRole)


def test_legacy_decimal_dsp_role_is_read() -> None:
    assert RemotePartyRole.from_ou("137") is RemotePartyRole.DSP_XML_SIGN


@pytest.mark.parametrize("ou", ["2", "ZZ", "FF", "0x87", "1370", "", "999"])
def test_bad_ou_is_refused(ou: str) -> None:
    with pytest.raises(SmkiInputError, match="Remote Party Role"):
        RemotePartyRole.from_ou(ou)


def test_label_quotes_name_and_ou() -> None:
    assert RemotePartyRole.SUPPLIER.label == "supplier (02)"
    assert RemotePartyRole.XML_SIGN.label == "xmlSign (87)"


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("supplier", RemotePartyRole.SUPPLIER),
        ("xmlsign", RemotePartyRole.XML_SIGN),
        ("xmlSign", RemotePartyRole.XML_SIGN),
        ("xml-sign", RemotePartyRole.XML_SIGN),
        ("network_operator", RemotePartyRole.NETWORK_OPERATOR),
        ("NetworkOperator", RemotePartyRole.NETWORK_OPERATOR),
        ("ACB", RemotePartyRole.ACCESS_CONTROL_BROKER),
        ("TransCoS", RemotePartyRole.TRANSITIONAL_COS),
        ("135", RemotePartyRole.XML_SIGN),
        ("2", RemotePartyRole.SUPPLIER),
    ],
)
def test_parse_role_names(text: str, role: RemotePartyRole) -> None:
    assert RemotePartyRole.parse(text) is role


@pytest.mark.parametrize("text", ["supplierx", "136", "", "0x02"])
def test_parse_unknown_role(text: str) -> None:
    with pytest.raises(SmkiInputError, match="unknown Remote Party Role"):
        RemotePartyRole.parse(text)


@pytest.mark.parametrize(
    ("text", "usage"),
    [
        ("ds", KeyUsage.DIGITAL_SIGNING),
        ("DS", KeyUsage.DIGITAL_SIGNING),
        ("digitalSignature", KeyUsage.DIGITAL_SIGNING),
        ("ka", KeyUsage.KEY_AGREEMENT),
        ("keyagreement", KeyUsage.KEY_AGREEMENT),
    ],
)
def test_parse_key_usage(text: str, usage: KeyUsage) -> None:
    assert parse_key_usage(text) is usage


def test_parse_unknown_key_usage() -> None:
    with pytest.raises(SmkiInputError, match="DS or KA"):
        parse_key_usage("sign")


def test_key_usage_codes_and_extension_names() -> None:
    assert (KeyUsage.DIGITAL_SIGNING.code, KeyUsage.KEY_AGREEMENT.code) == ("DS", "KA")
    assert KeyUsage.DIGITAL_SIGNING.extension_name == "digitalSignature"
    assert KeyUsage.KEY_AGREEMENT.extension_name == "keyAgreement"
