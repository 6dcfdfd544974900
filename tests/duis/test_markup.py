"""Documents written as text (dcc.duis._markup) must be byte for byte what the lxml tree gives,
written and canonicalised, and signed alike; whatever the text writer cannot write exactly goes
through the tree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from dcc.duis import _layout, _markup, xmldsig
from dcc.duis.alerts import (
    BreachKind,
    DCCAlertMessage,
    DeviceAlertMessage,
    FutureDatedDeviceAlertMessage,
    QuarantinedRequest,
)
from dcc.duis.codes import DCCAlertCode, ResponseCode
from dcc.duis.elements import to_bytes
from dcc.duis.ids import RequestID, ResponseID
from dcc.duis.inventory import (
    UPRN_RANGE,
    DeviceStatus,
    DeviceType,
    DSPInventory,
    InventoryDevice,
    PropertyFilter,
    ReadInventory,
)
from dcc.duis.request import (
    CommandVariant,
    Credit,
    Prepayment,
    Request,
    RequestHeader,
    SignedPreCommand,
    UpdatePaymentMode,
)
from dcc.duis.response import (
    LocalCommand,
    PreCommand,
    Response,
    ResponseHeader,
    ResponseMessage,
)
from dcc.duis.writing import document_bytes, signed_bytes
from dcc.duis.xmldsig import InMemoryResolver, SignatureRejected, sign_document, verify_document
from tests.duis.boxed import SUPPLIER_XML_SIGN, boxed_certificates, load_pair

AT = datetime(2026, 1, 15, 10, 30, 0, 250000, tzinfo=UTC)
USER = bytes.fromhex("90B3D51F30010000")
DEVICE = bytes.fromhex("00DB1234567890A0")
RID = RequestID(USER, DEVICE, 7)


def _request(variant: CommandVariant, body: object) -> Request:
    return Request(RequestHeader(RID, variant, "1.6", "1.6"), body)


def _response(content: object = None, code: ResponseCode = ResponseCode.I0) -> Response:
    return Response(
        ResponseHeader(code, AT, request_id=RID), ResponseMessage("1.6", "1.6", content)
    )


def _device(manufacturer: str) -> InventoryDevice:
    return InventoryDevice(DEVICE, DeviceType.ESME, manufacturer, "M1", uprn=12)


WRITTEN_AS_TEXT = {
    "transform to credit": _request(CommandVariant.TRANSFORM, UpdatePaymentMode(Credit())),
    "future-dated prepayment": _request(
        CommandVariant.TRANSFORM, UpdatePaymentMode(Prepayment(True, False, -5), AT)
    ),
    "signed pre-command": _request(
        CommandVariant.SIGNED_SEND_COMMAND, SignedPreCommand(bytes(range(200)))
    ),
    "send to SMETS1": _request(CommandVariant.SEND_COMMAND, UpdatePaymentMode(Credit())),
    "first in sequence": Request(
        RequestHeader(RID, CommandVariant.TRANSFORM, "1.6", "1.6", first_in_sequence=True),
        UpdatePaymentMode(Credit()),
    ),
    "acknowledgement": _response(code=ResponseCode.I99),
    "pre-command": _response(PreCommand("4.0", b"\x00\x01pre")),
    "device response": Response(
        ResponseHeader(ResponseCode.I0, AT, response_id=ResponseID.answering(RID)),
        ResponseMessage("1.6", "1.6", b"\xdf\x09frame"),
    ),
    "future-dated outcome": _response(FutureDatedDeviceAlertMessage(0x8F66, b"f", 1, 1)),
    "inventory": _response(DSPInventory((_device("Acme"), _device("Other")))),
    "device alert": Response(
        ResponseHeader(ResponseCode.I0, AT, response_id=ResponseID(DEVICE, USER, 3)),
        DeviceAlertMessage(0x8F30, b"alert"),
    ),
}
BUILT_AS_TREE = {
    "a value to escape": _response(PreCommand("4&<0>", b"x")),
    "a value outside ASCII": _response(DSPInventory((_device("Caf\u00e9"),))),
    "a body built by its own code": Request(
        RequestHeader(RID, CommandVariant.NON_DEVICE, "8.2", "8.2"), ReadInventory(DEVICE)
    ),
    "a choice built by its own code": Response(
        ResponseHeader(ResponseCode.I0, AT, response_id=ResponseID(USER, USER, 9)),
        DCCAlertMessage(DCCAlertCode.AD1, QuarantinedRequest(BreachKind.USER_THRESHOLD, RID, 9)),
    ),
}


def _canonical(element: etree._Element) -> bytes:
    return etree.tostring(
        element.getroottree(), method="c14n", exclusive=False, with_comments=False
    )


@pytest.mark.parametrize("name", list(WRITTEN_AS_TEXT))
def test_the_text_is_what_the_tree_writes_and_canonicalises(name: str) -> None:
    document = WRITTEN_AS_TEXT[name]
    markup = document.markup()
    assert markup is not None
    element = document.build()
    assert markup.written == to_bytes(element)
    assert markup.canonical == _canonical(element)
    assert document_bytes(document) == to_bytes(element)


@pytest.mark.parametrize("name", list(BUILT_AS_TREE))
def test_what_text_cannot_write_exactly_is_built_as_a_tree(name: str) -> None:
    document = BUILT_AS_TREE[name]
    assert document.markup() is None
    assert document_bytes(document) == to_bytes(document.build())


def test_a_document_carrying_a_signature_is_built_as_a_tree(duis: Path) -> None:
    key, certificate = load_pair(duis, SUPPLIER_XML_SIGN)
    signed = sign_document(WRITTEN_AS_TEXT["acknowledgement"].build(), key, certificate)
    from dcc.duis.response import parse_response

    document = parse_response(signed)
    assert document.signature is not None
    assert document.markup() is None
    assert document_bytes(document) == to_bytes(document.build())


@pytest.mark.parametrize("name", [*WRITTEN_AS_TEXT, *BUILT_AS_TREE])
def test_signed_text_is_the_signed_tree_and_verifies(duis: Path, name: str) -> None:
    document = {**WRITTEN_AS_TEXT, **BUILT_AS_TREE}[name]
    key, certificate = load_pair(duis, SUPPLIER_XML_SIGN)
    signed = signed_bytes(document, key, certificate)
    assert signed == sign_document(document.build(), key, certificate)
    resolver = InMemoryResolver(boxed_certificates(duis))
    verified = verify_document(signed, resolver, at=AT, expected_signer=USER)
    assert verified.info.eui64 == USER
    # the signature covers the text: one changed character and the DCC refuses it
    tampered = signed.replace(b'schemaVersion="5.4"', b'schemaVersion="5.5"')
    assert tampered != signed
    with pytest.raises(SignatureRejected) as refused:
        verify_document(tampered, resolver, at=AT, expected_signer=USER)
    assert refused.value.check == "digest"


def test_an_issuer_name_to_escape_is_signed_through_the_tree(
    duis: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, certificate = load_pair(duis, SUPPLIER_XML_SIGN)
    _, serial = xmldsig._key_info(certificate)
    monkeypatch.setattr(xmldsig, "_key_info", lambda certificate: ("CN=A&B <x>,OU=07", serial))
    document = WRITTEN_AS_TEXT["transform to credit"]
    signed = signed_bytes(document, key, certificate)
    assert b"CN=A&amp;B &lt;x&gt;,OU=07" in signed
    assert signed == sign_document(document.build(), key, certificate)


def test_signing_text_with_the_wrong_key_is_refused(duis: Path) -> None:
    _, certificate = load_pair(duis, SUPPLIER_XML_SIGN)
    from cryptography.hazmat.primitives.asymmetric import ec

    from dcc.duis.errors import DuisBuildError

    with pytest.raises(DuisBuildError):
        signed_bytes(
            WRITTEN_AS_TEXT["acknowledgement"], ec.generate_private_key(ec.SECP256R1()), certificate
        )


_EUI64S = st.binary(min_size=8, max_size=8)
_COUNTERS = st.integers(0, 2**64 - 1)
_PLAIN_VALUES = {
    "BOOLEAN": st.booleans(),
    "DATE_TIME": st.datetimes(
        timezones=st.one_of(
            st.none(),
            st.just(UTC),
            st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
        )
    ),
    "BASE64": st.binary(max_size=300),
    "EUI64": st.binary(min_size=8, max_size=8),
    "REQUEST_ID": st.builds(RequestID, _EUI64S, _EUI64S, _COUNTERS),
    "RESPONSE_ID": st.builds(ResponseID, _EUI64S, _EUI64S, _COUNTERS),
}


def test_every_codec_said_to_write_plain_text_is_tried_below() -> None:
    said = {
        name
        for name, codec in vars(_layout).items()
        if isinstance(codec, _layout.Text) and codec.plain
    }
    assert said == set(_PLAIN_VALUES)


@settings(max_examples=200)
@given(st.data())
def test_a_codec_said_to_write_plain_text_writes_nothing_else(data: st.DataObject) -> None:
    """The text writer does not look at these codecs' text: it must be plain for any value."""
    name = data.draw(st.sampled_from(sorted(_PLAIN_VALUES)))
    codec = getattr(_layout, name)
    text = codec.format(data.draw(_PLAIN_VALUES[name]))
    assert _markup.plain(text) == text


# Plain text, and text with what the text writer must leave to the tree (& < > " ', white
# space, non-ASCII) among what it writes itself.
_PLAIN_TEXTS = st.text(st.sampled_from("aZ09 .-_/:=#"), max_size=10)
_ANY_TEXTS = st.text(st.sampled_from([*"aZ09 .-_/:=#", *"&<>\"'\t\n\u00e9\u20ac"]), max_size=10)
_RESPONSE_HEADERS = st.builds(
    ResponseHeader,
    st.sampled_from(ResponseCode),
    _PLAIN_VALUES["DATE_TIME"],
    request_id=st.none() | _PLAIN_VALUES["REQUEST_ID"],
    response_id=st.none() | _PLAIN_VALUES["RESPONSE_ID"],
)
_MODES = st.just(Credit()) | st.builds(
    Prepayment, st.booleans(), st.booleans(), st.integers(-(2**31), 2**31 - 1)
)
_REQUESTS = st.builds(
    Request,
    st.builds(
        RequestHeader,
        _PLAIN_VALUES["REQUEST_ID"],
        st.sampled_from([CommandVariant.TRANSFORM, CommandVariant.SEND_COMMAND]),
        st.just("1.6"),
        st.just("1.6"),
        first_in_sequence=st.none() | st.booleans(),
        preceding_request_id=st.none() | _PLAIN_VALUES["REQUEST_ID"],
    ),
    st.builds(
        UpdatePaymentMode,
        _MODES,
        st.none() | _PLAIN_VALUES["DATE_TIME"].filter(lambda t: t.year < 3000),
    ),
)


def _responses(texts: st.SearchStrategy[str]) -> st.SearchStrategy[Response]:
    """Responses whose free texts are drawn from ``texts``."""
    optional = st.none() | texts
    devices = st.builds(
        InventoryDevice,
        device_id=_EUI64S,
        device_type=st.sampled_from(DeviceType),
        manufacturer=texts,
        model=texts,
        status=st.none() | st.sampled_from(DeviceStatus),
        firmware_version=optional,
        import_mpxn=optional,
        uprn=st.none() | st.integers(*UPRN_RANGE),
        property_filter=st.none()
        | st.builds(PropertyFilter, texts.filter(lambda t: 6 <= len(t) <= 8), texts),
        connectivity=optional,
    )
    contents = st.one_of(
        st.none(),
        st.binary(max_size=40),
        st.builds(PreCommand, texts, st.binary(max_size=40)),
        st.builds(LocalCommand, st.binary(max_size=40)),
        st.builds(DSPInventory, st.lists(devices, min_size=1, max_size=3).map(tuple)),
    )
    return st.builds(
        Response,
        _RESPONSE_HEADERS,
        st.builds(ResponseMessage, st.just("1.6"), st.just("1.6"), contents),
    )


@settings(max_examples=300)
@given(_responses(_PLAIN_TEXTS) | _REQUESTS)
def test_any_plain_document_is_written_as_its_tree(document: Request | Response) -> None:
    """The compiled writers write every field, optional, repeated, nested or chosen, as the
    tree does, and C14N as it does (empty elements included)."""
    markup = document.markup()
    assert markup is not None
    element = document.build()
    assert markup.written == to_bytes(element)
    assert markup.canonical == _canonical(element)


@settings(max_examples=200)
@given(_responses(_ANY_TEXTS))
def test_a_document_with_a_text_not_plain_is_left_to_the_tree(document: Response) -> None:
    element = document.build()
    markup = document.markup()
    if all(_markup.PLAIN_TEXT.fullmatch(node.text or "") for node in element.iter()):
        assert markup is not None
        assert markup.written == to_bytes(element)
    else:
        assert markup is None
        assert document_bytes(document) == to_bytes(element)


def test_a_text_to_escape_deep_in_a_nested_record_is_left_to_the_tree() -> None:
    device = InventoryDevice(
        DEVICE, DeviceType.ESME, "Acme", "M1", property_filter=PropertyFilter("AB1 2CD", "1 & 2")
    )
    document = _response(DSPInventory((_device("Acme"), device)))
    assert document.markup() is None
    assert b"1 &amp; 2" in document_bytes(document)
