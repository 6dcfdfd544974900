"""Signing writes the Signature's markup into the document's bytes instead of appending an element
and writing the tree: the bytes must be exactly what appending gives, on every path, and the
element signed must stay as it was."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from dcc.duis import elements
from dcc.duis.elements import SR
from dcc.duis.errors import DuisBuildError
from dcc.duis.ids import RequestID
from dcc.duis.request import (
    CommandVariant,
    Credit,
    Request,
    RequestHeader,
    UpdatePaymentMode,
    build_request,
)
from dcc.duis.whitespace import remove_element_content_whitespace
from dcc.duis.xmldsig import (
    InMemoryResolver,
    _request_id_text,
    _signature_element,
    _written_by_appending,
    _written_with_signature,
    enveloped_signature,
    sign_document,
    verify_document,
)
from dcc.duis.xmldsig_profile import SIGNATURE_SHAPE, SIGNED_INFO_SHAPE, canonical_values, render
from dcc.duis.xmlparse import parse_xml
from tests.duis.boxed import ECS02, SUPPLIER_XML_SIGN, boxed_certificates, load_pair

AT = datetime(2026, 1, 15, tzinfo=UTC)
SUPPLIER = bytes.fromhex("90B3D51F30010000")
DEVICE = bytes.fromhex("00DB1234567890A0")
VALUES = {
    "DigestValue": "877vjajnl9mq+siFKIAVmu/u9pn7VHhW2zLMOO1uPW4=",
    "SignatureValue": "AKvlD8xeuaF2OjsnT7hSmRj+YfBNSrmV660Z4ZAZSXkKwM+7T8ZjLou+bpo2yv==",
    "X509IssuerName": "CN=Z1,OU=07",
    "X509SerialNumber": "56280245686982641194433940076975350794",
}


def _request() -> etree._Element:
    header = RequestHeader(RequestID(SUPPLIER, DEVICE, 7), CommandVariant.TRANSFORM, "1.6", "1.6")
    return build_request(Request(header, UpdatePaymentMode(Credit())))


def _documents(template: bytes) -> dict[str, etree._ElementTree]:
    no_ds = b'<sr:Request xmlns:sr="%s" schemaVersion="5.4"><sr:Header/><sr:Body/></sr:Request>'
    return {
        "built": _request().getroottree(),
        "parsed": etree.fromstring(template).getroottree(),
        "no ds declared": etree.fromstring(no_ds % elements.SR.encode()).getroottree(),
        "comment after the root": etree.fromstring(
            b"<?xml version='1.0'?><!--a--><r xmlns:ds='%s'><a/>t</r><!--b-->"
            % elements.DS.encode()
        ).getroottree(),
        "tail text in the root": etree.fromstring(
            b"<r xmlns:ds='%s'><a/>tail</r>" % elements.DS.encode()
        ).getroottree(),
    }


# The Signature's values with issuer names a writer must escape, or leave to lxml.
ISSUER_NAMES = pytest.mark.parametrize(
    "values",
    [
        VALUES,
        VALUES | {"X509IssuerName": "CN=A&B <x>,OU=07"},
        VALUES | {"X509IssuerName": "CN=Caf\u00e9,OU=07"},
        VALUES | {"X509IssuerName": "CN=a\rb"},
    ],
    ids=["plain", "escaped", "non-ascii", "carriage-return"],
)


@ISSUER_NAMES
def test_the_spliced_markup_is_what_appending_writes(duis: Path, values: dict[str, str]) -> None:
    for name, tree in _documents((duis / ECS02).read_bytes()).items():
        before = etree.tostring(tree)
        assert _written_with_signature(tree, values) == _written_by_appending(tree, values), name
        assert etree.tostring(tree) == before, name


@ISSUER_NAMES
def test_a_signature_made_apart_is_the_one_a_signed_document_holds(
    duis: Path, values: dict[str, str]
) -> None:
    for name, tree in _documents((duis / ECS02).read_bytes()).items():
        held = parse_xml(_written_by_appending(tree, values)).getroot()[-1]
        assert held.tag == elements.SIGNATURE, name
        apart = elements.canonical_signature(_signature_element(values))
        assert apart == elements.canonical_signature(held), name


def test_the_enveloped_signature_is_the_signed_documents(duis: Path) -> None:
    """As element or bytes, indented or signed before: the Signature that signing puts in the
    document, the element left alone; and a key that is not the certificate's is refused."""
    key, certificate = load_pair(duis, SUPPLIER_XML_SIGN)
    signed = sign_document(_request(), key, certificate)
    expected = elements.canonical_signature(parse_xml(signed).getroot()[-1])
    element = _request()
    before = etree.tostring(element)
    assert enveloped_signature(element, key, certificate) == expected
    assert etree.tostring(element) == before
    assert enveloped_signature(signed, key, certificate) == expected
    indented = etree.tostring(parse_xml(signed).getroot(), pretty_print=True)
    assert enveloped_signature(indented, key, certificate) == expected
    other, _ = load_pair(duis, "boxed-keys/xml-sign-90B3D51F30020000-ds")
    with pytest.raises(DuisBuildError, match="does not belong"):
        enveloped_signature(element, other, certificate)


def test_a_built_request_is_signed_alike_as_element_and_bytes_and_left_alone(
    duis: Path,
) -> None:
    key, certificate = load_pair(duis, SUPPLIER_XML_SIGN)
    element = _request()
    before = etree.tostring(element)
    signed = sign_document(element, key, certificate)
    assert etree.tostring(element) == before
    assert sign_document(before, key, certificate) == signed
    resolver = InMemoryResolver(boxed_certificates(duis))
    verified = verify_document(signed, resolver, at=AT)
    assert verified.info.eui64 == SUPPLIER


def test_an_element_inside_a_document_is_signed_as_its_own_document(duis: Path) -> None:
    key, certificate = load_pair(duis, SUPPLIER_XML_SIGN)
    wrapper = etree.Element("wrapper")
    wrapper.append(_request())
    signed = sign_document(wrapper[0], key, certificate)
    assert b"wrapper" not in signed
    assert signed == sign_document(_request(), key, certificate)


@pytest.mark.parametrize(
    "body",
    [
        b"<sr:Header><sr:RequestID>a</sr:RequestID></sr:Header>",
        b"<sr:Header/><sr:Header><sr:RequestID>b</sr:RequestID><sr:RequestID>c</sr:RequestID>"
        b"</sr:Header>",
        b"<sr:Header><sr:RequestID/></sr:Header>",
        b"<sr:Header><x><sr:RequestID>nested</sr:RequestID></x></sr:Header>",
        b"<sr:Body><sr:RequestID>d</sr:RequestID></sr:Body>",
        b"<!--c--><sr:Header><!--c--><sr:RequestID>e<!--c-->f</sr:RequestID></sr:Header>",
    ],
)
def test_the_originator_is_read_where_findtext_reads_it(body: bytes) -> None:
    root = etree.fromstring(b'<sr:Request xmlns:sr="%s">%s</sr:Request>' % (SR.encode(), body))
    assert _request_id_text(root) == root.findtext(f"{{{SR}}}Header/{{{SR}}}RequestID")


@pytest.mark.parametrize(
    "name",
    [
        "read-inventory-response-5.4.signed.xml",
        "readfw-response-5.4.signed.xml",
        "message.xml",
        None,  # what solrsim signs
    ],
)
def test_a_signature_in_the_exact_profile_has_the_rendered_signed_info(
    duis: Path, name: str | None
) -> None:
    """Verification checks the signature over the rendered SignedInfo when the Signature is
    exactly in the profile: it must be what libxml2's exclusive C14N gives, byte for byte."""
    if name is None:
        data = sign_document(_request(), *load_pair(duis, SUPPLIER_XML_SIGN))
    else:
        data = (duis / name).read_bytes()
    root = parse_xml(data).getroot()
    remove_element_content_whitespace(root)
    signature = root.find(elements.SIGNATURE)
    values = canonical_values(SIGNATURE_SHAPE, signature)
    assert values is not None
    canonical = etree.tostring(
        signature.find(f"{{{elements.DS}}}SignedInfo"),
        method="c14n",
        exclusive=True,
        with_comments=False,
    )
    assert render(SIGNED_INFO_SHAPE, values).encode() == canonical


def test_a_signature_with_a_comment_is_checked_over_its_own_canonical_form(duis: Path) -> None:
    """A comment inside SignedInfo takes the walk, not the rendering; C14N drops the comment,
    so the signature still verifies."""
    key, certificate = load_pair(duis, SUPPLIER_XML_SIGN)
    signed = sign_document(_request(), key, certificate)
    commented = signed.replace(b"<ds:SignedInfo>", b"<ds:SignedInfo><!--note-->")
    signature = etree.fromstring(commented).find(elements.SIGNATURE)
    assert canonical_values(SIGNATURE_SHAPE, signature) is None
    resolver = InMemoryResolver(boxed_certificates(duis))
    assert verify_document(commented, resolver, at=AT).info.eui64 == SUPPLIER
