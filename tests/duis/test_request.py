"""DUIS requests: round trips, and every kind of bad document refused with a reason and a code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from lxml import etree

from dcc.duis import elements
from dcc.duis.codes import (
    COMMAND_VARIANT_INVALID,
    SCHEMA_INVALID,
    SRV_NOT_OFFERED,
    ResponseCode,
)
from dcc.duis.elements import SIGNATURE, to_bytes
from dcc.duis.errors import DuisSchemaError, DuisUnsupportedError, DuisXmlError
from dcc.duis.ids import RequestID
from dcc.duis.inventory import PropertyFilter, ReadInventory
from dcc.duis.request import (
    CommandVariant,
    Credit,
    Prepayment,
    Request,
    RequestHeader,
    SignedPreCommand,
    UpdatePaymentMode,
    build_request,
    parse_request,
    read_request,
    read_request_header,
)
from dcc.duis.schema import solrsim_schema, validate
from dcc.duis.xmlparse import MAX_DOCUMENT_BYTES, parse_xml

from .samples import REQUESTS, requests, to_credit
from .samples import SIGNATURE as SAMPLE_SIGNATURE

SR = "http://www.dccinterface.co.uk/ServiceUserGateway"
BASE = f"""<?xml version="1.0" encoding="UTF-8"?>
<sr:Request xmlns:sr="{SR}" schemaVersion="5.4">
  <sr:Header>
    <sr:RequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1011</sr:RequestID>
    <sr:CommandVariant>4</sr:CommandVariant>
    <sr:ServiceReference>1.6</sr:ServiceReference>
    <sr:ServiceReferenceVariant>1.6</sr:ServiceReferenceVariant>
  </sr:Header>
  <sr:Body>
    <sr:UpdatePaymentMode>
      <sr:Prepayment>
        <sr:SuspendDebtDisabled>true</sr:SuspendDebtDisabled>
        <sr:SuspendDebtEmergency>false</sr:SuspendDebtEmergency>
        <sr:DisablementThreshold>556677</sr:DisablementThreshold>
      </sr:Prepayment>
    </sr:UpdatePaymentMode>
  </sr:Body>
</sr:Request>
"""
BODY = BASE[BASE.index("  <sr:Body>") : BASE.index("</sr:Request>")]
PREPAYMENT = BASE[BASE.index("      <sr:Prepayment>") : BASE.index("    </sr:UpdatePaymentMode>")]
REQUEST_ID = "<sr:RequestID>90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1011</sr:RequestID>"


def test_base_document_parses() -> None:
    request = parse_request(BASE.encode())
    assert request.header.command_variant is CommandVariant.TRANSFORM
    assert request.body == UpdatePaymentMode(Prepayment(True, False, 556677))
    assert request.signature is None


@pytest.mark.parametrize("name", REQUESTS)
def test_round_trip(name: str) -> None:
    request = REQUESTS[name]
    data = to_bytes(build_request(request))
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert parse_request(data) == request


def test_signature_is_kept_last_and_canonical() -> None:
    request = REQUESTS["1.6 signed pre-command, CV 6, future dated, signed"]
    element = build_request(request)
    assert element[-1].tag == SIGNATURE
    parsed = parse_request(to_bytes(element))
    assert parsed.signature == request.signature
    assert parsed.signature is not None and parsed.signature.startswith(b"<ds:Signature xmlns:ds=")
    assert parse_request(to_bytes(build_request(replace(parsed, signature=None)))).signature is None


def test_a_signature_read_from_a_document_is_not_parsed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It is already the canonical form a check would give: the same bytes either way."""
    request = REQUESTS["1.6 signed pre-command, CV 6, future dated, signed"]
    tree = parse_xml(to_bytes(build_request(request)))

    def refused(data: bytes) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(elements, "parse_xml", refused)
    read = read_request(tree)
    monkeypatch.undo()
    assert read.signature == elements.check_signature(bytes(read.signature))


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_a_request_read_with_its_header_already_read_is_the_same(name: str) -> None:
    tree = parse_xml(to_bytes(build_request(REQUESTS[name])))
    assert read_request(tree, read_request_header(tree)) == read_request(tree)


def test_signature_must_be_a_signature() -> None:
    with pytest.raises(DuisSchemaError, match="must be a ds:Signature"):
        replace(to_credit(), signature=b"<Signature/>")
    with pytest.raises(DuisXmlError, match="DOCTYPE"):
        replace(to_credit(), signature=b"<!DOCTYPE x []>" + SAMPLE_SIGNATURE)


def _mutated(old: str, new: str) -> bytes:
    assert old in BASE, old
    return BASE.replace(old, new).encode()


@pytest.mark.parametrize(
    ("old", "new", "reason", "code"),
    [
        (">4<", ">9<", "CommandVariant 9 is internal to the DCC", COMMAND_VARIANT_INVALID),
        (">4<", ">0<", "CommandVariant '0' is not one of 1..8", SCHEMA_INVALID),
        (">4<", ">10<", "CommandVariant '10' is not one of 1..8", SCHEMA_INVALID),
        (">4<", ">four<", "CommandVariant 'four' is not one of 1..8", SCHEMA_INVALID),
        (">4<", ">5<", "travels with CommandVariant 1, 4, not 5", COMMAND_VARIANT_INVALID),
        (">4<", ">8<", "travels with CommandVariant 1, 4, not 8", COMMAND_VARIANT_INVALID),
        (REQUEST_ID, "", "sr:RequestID is missing, found sr:CommandVariant", SCHEMA_INVALID),
        (
            "<sr:CommandVariant>4</sr:CommandVariant>",
            "",
            "sr:CommandVariant is missing, found sr:ServiceReference",
            SCHEMA_INVALID,
        ),
        (
            "<sr:ServiceReferenceVariant>1.6</sr:ServiceReferenceVariant>",
            "",
            "sr:ServiceReferenceVariant is missing$",
            SCHEMA_INVALID,
        ),
        (
            "<sr:ServiceReference>1.6</sr:ServiceReference>",
            "<sr:ServiceReference>1.6</sr:ServiceReference><sr:ServiceReference>1.6"
            "</sr:ServiceReference>",
            "sr:ServiceReferenceVariant is missing, found sr:ServiceReference",
            SCHEMA_INVALID,
        ),
        (
            "1011</sr:RequestID>",
            "01</sr:RequestID>",
            "sr:RequestID at line 4: RequestID counter '01' is not decimal digits",
            SCHEMA_INVALID,
        ),
        (
            "00-DB-12-34-56-78-90-A0:1011",
            "00-DB-12-34-56-78-90:1011",
            "'00-DB-12-34-56-78-90' is not an EUI-64",
            SCHEMA_INVALID,
        ),
        (
            "00-DB-12-34-56-78-90-A0:1011",
            f"00-DB-12-34-56-78-90-A0:{2**64}",
            "is outside 0..2",
            SCHEMA_INVALID,
        ),
        (BODY, BODY + BODY, "sr:Body at line 18: unexpected element in sr:Request", SCHEMA_INVALID),
        ("<sr:Body>\n", "<sr:Body><sr:Credit/>", "unexpected element in sr:Body", SCHEMA_INVALID),
        (BODY, "<sr:Body/>", "sr:Body at line 9: an element is missing", SCHEMA_INVALID),
        (BODY, "", "sr:Body is missing$", SCHEMA_INVALID),
        (
            "sr:UpdatePaymentMode>",
            "sr:UpdatePaymentModes>",
            "sr:UpdatePaymentModes at line 10: not a request body for SRV 1.6",
            SCHEMA_INVALID,
        ),
        (
            "<sr:UpdatePaymentMode>",
            '<sr:UpdatePaymentMode xmlns:sr="urn:other">',
            "{urn:other}UpdatePaymentMode at line 10: not a request body",
            SCHEMA_INVALID,
        ),
        (
            f'xmlns:sr="{SR}"',
            'xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway/"',
            "root element is {http://www.dccinterface.co.uk/ServiceUserGateway/}Request",
            SCHEMA_INVALID,
        ),
        (">556677<", ">2147483648<", "outside -2147483648..2147483647", SCHEMA_INVALID),
        (">556677<", ">-2147483649<", "outside -2147483648..2147483647", SCHEMA_INVALID),
        (">556677<", ">5566.77<", "'5566.77' is not an integer", SCHEMA_INVALID),
        (
            ">true<",
            ">yes<",
            "SuspendDebtDisabled at line 12: 'yes' is not an xs:boolean",
            SCHEMA_INVALID,
        ),
        (">false<", "><", "'' is not an xs:boolean", SCHEMA_INVALID),
        (
            "<sr:SuspendDebtEmergency>false</sr:SuspendDebtEmergency>",
            "",
            "sr:SuspendDebtEmergency is missing, found sr:DisablementThreshold",
            SCHEMA_INVALID,
        ),
        (PREPAYMENT, "<sr:Credit/>" + PREPAYMENT, "unexpected element", SCHEMA_INVALID),
        (PREPAYMENT, "", "sr:Credit or sr:Prepayment is missing", SCHEMA_INVALID),
        (PREPAYMENT, "<sr:Credit>now</sr:Credit>", "text is not allowed", SCHEMA_INVALID),
        (
            "<sr:Header>",
            "<sr:Header>junk",
            "sr:Header at line 3: text is not allowed",
            SCHEMA_INVALID,
        ),
        ("<sr:Header>", '<sr:Header id="h">', "attribute 'id' is not allowed", SCHEMA_INVALID),
        (
            "<sr:CommandVariant>",
            "<sr:CommandVariant><sr:X/>",
            "no element is allowed inside sr:CommandVariant",
            SCHEMA_INVALID,
        ),
        (' schemaVersion="5.4"', "", "schemaVersion attribute is missing", SCHEMA_INVALID),
        ('schemaVersion="5.4"', 'schemaVersion="v5.4"', "not an xs:decimal", SCHEMA_INVALID),
        (
            "<sr:ServiceReferenceVariant>1.6<",
            "<sr:ServiceReferenceVariant>1.7<",
            "ServiceReferenceVariant 1.7 is not a variant of 1.6",
            SCHEMA_INVALID,
        ),
        (
            "<sr:ServiceReference>1.6</sr:ServiceReference>\n    <sr:ServiceReferenceVariant>1.6<",
            "<sr:ServiceReference>8.2</sr:ServiceReference>\n    <sr:ServiceReferenceVariant>8.2<",
            "sr:UpdatePaymentMode is not a body of SRV 8.2",
            SCHEMA_INVALID,
        ),
        (
            "<sr:Prepayment>",
            "<sr:ExecutionDateTime>2030-01-15 09:00</sr:ExecutionDateTime><sr:Prepayment>",
            "ExecutionDateTime at line 11: '2030-01-15 09:00' is not an xs:dateTime",
            SCHEMA_INVALID,
        ),
        ("</sr:Request>", "<sr:Trailer/></sr:Request>", "sr:Trailer", SCHEMA_INVALID),
        (
            BODY,
            SAMPLE_SIGNATURE.decode() + BODY,
            "sr:Body is missing, found ds:Signature",
            SCHEMA_INVALID,
        ),
        (
            "</sr:Request>",
            SAMPLE_SIGNATURE.decode() + "<sr:Trailer/></sr:Request>",
            "sr:Trailer at line 18: unexpected element",
            SCHEMA_INVALID,
        ),
    ],
)
def test_bad_documents_refused(old: str, new: str, reason: str, code: str) -> None:
    with pytest.raises(DuisSchemaError, match=reason) as caught:
        parse_request(_mutated(old, new))
    assert caught.value.response_code == code
    assert not isinstance(caught.value, DuisUnsupportedError)


def test_header_white_space_is_collapsed_where_the_schema_collapses_it() -> None:
    request = parse_request(_mutated(">4<", ">\n  +04 <").replace(b">1011<", b"> 1011\t<"))
    assert request.header.command_variant is CommandVariant.TRANSFORM
    assert request.header.request_id.counter == 1011
    with pytest.raises(DuisSchemaError, match="not of the form"):
        parse_request(_mutated(">1.6</sr:ServiceReference>", "> 1.6</sr:ServiceReference>"))


def test_comments_and_processing_instructions_are_skipped() -> None:
    data = _mutated(REQUEST_ID, f"<!-- note -->{REQUEST_ID}<?pi x?>").replace(
        b">556677<", b">556<!-- split -->677<"
    )
    assert parse_request(data).body == UpdatePaymentMode(Prepayment(True, False, 556677))


@pytest.mark.parametrize(("srv", "body"), [("4.1.1", "UpdatePaymentMode"), ("99.9", "Anything")])
def test_srvs_the_dcc_does_not_offer_are_refused_e2_naming_the_srv(srv: str, body: str) -> None:
    reference = srv.rsplit(".", 1)[0] if srv.count(".") == 2 else srv
    data = (
        _mutated(">1.6</sr:ServiceReference>", f">{reference}</sr:ServiceReference>")
        .replace(
            b">1.6</sr:ServiceReferenceVariant>", f">{srv}</sr:ServiceReferenceVariant>".encode()
        )
        .replace(b"sr:UpdatePaymentMode>", f"sr:{body}>".encode())
    )
    with pytest.raises(
        DuisUnsupportedError, match=f"does not offer SRV {srv} \\(sr:{body}\\); it offers 1.6, 8.2"
    ) as caught:
        parse_request(data)
    assert caught.value.response_code == SRV_NOT_OFFERED == ResponseCode.E2
    assert caught.value.element == f"sr:{body}"


def test_signed_pre_command_for_another_critical_srv_is_unsupported() -> None:
    request = Request(
        RequestHeader(
            RequestID(bytes(8), bytes(8), 1), CommandVariant.SIGNED_SEND_COMMAND, "1.6", "1.6"
        ),
        SignedPreCommand(b"\xdf"),
    )
    data = (
        to_bytes(build_request(request))
        .replace(b">1.6</sr:ServiceReference>", b">1.5</sr:ServiceReference>")
        .replace(b">1.6</sr:ServiceReferenceVariant>", b">1.5</sr:ServiceReferenceVariant>")
    )
    with pytest.raises(DuisUnsupportedError, match=r"SRV 1\.5"):
        parse_request(data)


@pytest.mark.parametrize("cv", [CommandVariant.TRANSFORM, CommandVariant.NON_DEVICE])
def test_signed_pre_command_needs_cv_5_to_7(cv: CommandVariant) -> None:
    with pytest.raises(DuisSchemaError, match="travels with CommandVariant 5, 6, 7") as caught:
        Request(replace(to_credit().header, command_variant=cv), SignedPreCommand(b"\xdf"))
    assert caught.value.response_code == COMMAND_VARIANT_INVALID


def test_read_inventory_needs_cv_8() -> None:
    header = RequestHeader(
        RequestID(bytes(8), bytes(8), 1), CommandVariant.SEND_COMMAND, "8.2", "8.2"
    )
    with pytest.raises(DuisSchemaError, match="travels with CommandVariant 8, not 1"):
        Request(header, ReadInventory(uprn=1))


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: Prepayment(True, True, 2**31), "DisablementThreshold 2147483648 is outside"),
        (lambda: ReadInventory(), "exactly one of"),
        (lambda: ReadInventory(bytes(8), uprn=1), "exactly one of"),
        (lambda: ReadInventory(uprn=10**12), "UPRN 1000000000000 is outside"),
        (lambda: ReadInventory(mpxn=""), "MPxN '' must be 1 to 13"),
        (lambda: ReadInventory(bytes(7)), "DeviceID must be 8 bytes"),
        (lambda: PropertyFilter("AB1", "1"), "PostCode 'AB1' must be 6 to 8"),
        (lambda: replace(to_credit(), schema_version="five"), "not an xs:decimal"),
        (
            lambda: UpdatePaymentMode(
                Credit(), datetime(2030, 1, 1, tzinfo=timezone(timedelta(seconds=1)))
            ),
            "whole minutes",
        ),
    ],
)
def test_invalid_values_cannot_be_built(make: Callable[[], object], reason: str) -> None:
    with pytest.raises(DuisSchemaError, match=reason):
        make()


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway">&x;</sr:Request>"""


def _billion_laughs(levels: int = 9) -> bytes:
    """Each entity ten of the one before: 10**9 "lol"s if a parser expanded them."""
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels + 1):
        reference = f"&lol{level - 1};"
        entities.append(f'<!ENTITY lol{level} "{reference * 10}">')
    subset = "".join(entities)
    return f'<?xml version="1.0"?><!DOCTYPE lolz [{subset}]><lolz>&lol{levels};</lolz>'.encode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (XXE, "DOCTYPE declarations are not allowed"),
        (XXE.replace(b">&x;</sr:Request>", b' schemaVersion="&x;"/>'), "DOCTYPE"),
        (_billion_laughs(), "DOCTYPE declarations are not allowed|entity amplification"),
        (BASE.encode()[:-20], "malformed XML"),
        (b"\x00" * (MAX_DOCUMENT_BYTES + 1), "exceeds the 1048576-byte limit"),
        (
            BASE.encode().replace(b"</sr:Request>", b" " * MAX_DOCUMENT_BYTES + b"</sr:Request>"),
            "exceeds",
        ),
    ],
)
def test_hostile_xml_refused_before_reading(data: bytes, reason: str) -> None:
    with pytest.raises(DuisXmlError, match=reason) as caught:
        parse_request(data)
    assert caught.value.response_code == SCHEMA_INVALID
    assert "root:" not in caught.value.reason


def test_text_is_not_bytes() -> None:
    with pytest.raises(DuisXmlError, match="must be given as bytes"):
        parse_request(BASE)  # type: ignore[arg-type]


def test_tree_is_not_changed_by_reading() -> None:
    tree = parse_xml(BASE.encode())
    before = etree.tostring(tree)
    read_request(tree)
    assert etree.tostring(tree) == before


@given(requests())
def test_round_trip_property(request: Request) -> None:
    """Every Update Payment Mode / Signed Pre-Command survives build then parse, schema-valid."""
    element = build_request(request)
    validate(element, solrsim_schema())
    assert parse_request(to_bytes(element)) == request


def test_huge_values_give_short_reasons() -> None:
    data = _mutated(":1011<", f":{'1' * 500_000}<")
    with pytest.raises(DuisSchemaError, match="counter of 500000 digits is outside") as caught:
        parse_request(data)
    assert len(caught.value.reason) < 200
    with pytest.raises(DuisSchemaError, match=r"'xxxxx.*\.\.\.' is not an xs:boolean") as caught:
        parse_request(_mutated(">true<", f">{'x' * 500_000}<"))
    assert len(caught.value.reason) < 200
