"""Signatures ignore the layout between elements, as the DCC Boxed signer and validator do:
DCC Boxed documents verify indented, solrsim's verify re-indented, and a changed character
anywhere else, whitespace inside a value included, still breaks them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from dcc.duis.elements import SR
from dcc.duis.whitespace import _LAYOUT, text_between_elements
from dcc.duis.xmldsig import (
    DCC_SIGNING_ROLES,
    InMemoryResolver,
    SignatureCheck,
    SignatureRejected,
    sign_document,
    verify_document,
)
from dcc.duis.xmlparse import parse_xml
from dcc.smki.roles import RemotePartyRole
from sim.cli.duis import app
from tests.duis.boxed import ECS02, SUPPLIER_XML_SIGN, boxed_certificates, load_pair
from tests.duis.layouts import compact, hand_indented, lxml_indented

AT = datetime(2026, 1, 15, tzinfo=UTC)  # the xmlSign and current DSP certificates are in date
DCC = bytes.fromhex("90B3D51F30000002")
REQUEST_ID = f"{{{SR}}}Header/{{{SR}}}RequestID"
INDENTED = {"lxml": lxml_indented, "by-hand": hand_indented}
LAYOUTS = {"compact": compact, **INDENTED}
# DCC Boxed's own signed responses: when their certificate was in date, and its role.
BOXED_SAMPLES = {
    "read-inventory-response-5.4.signed.xml": (AT, DCC_SIGNING_ROLES),
    "readfw-response-5.4.signed.xml": (AT, DCC_SIGNING_ROLES),
    "message.xml": (datetime(2022, 6, 16, 17, tzinfo=UTC), {RemotePartyRole.ACCESS_CONTROL_BROKER}),
}
BOXED_SAMPLE = "read-inventory-response-5.4.signed.xml"


@pytest.fixture(scope="module")
def resolver(duis: Path) -> InMemoryResolver:
    return InMemoryResolver(boxed_certificates(duis))


@pytest.fixture(scope="module")
def signed(duis: Path) -> bytes:
    """The ECS02 template, indented as published, signed by solrsim."""
    return sign_document((duis / ECS02).read_bytes(), *load_pair(duis, SUPPLIER_XML_SIGN))


def verify_boxed(data: bytes, resolver: InMemoryResolver, name: str = BOXED_SAMPLE):
    at, roles = BOXED_SAMPLES[name]
    return verify_document(data, resolver, at=at, expected_signer=DCC, allowed_roles=roles)


def laid_out(layout: Callable[[bytes], bytes], data: bytes) -> bytes:
    """``data`` in ``layout``; an indented layout must really have changed it."""
    result = layout(data)
    assert layout is compact or result.count(b"\n") > 10
    return result


# --- DCC Boxed's signatures ----------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS)
@pytest.mark.parametrize("name", BOXED_SAMPLES)
def test_dcc_boxed_signatures_verify_in_every_layout(
    duis: Path, resolver: InMemoryResolver, name: str, layout: Callable[[bytes], bytes]
) -> None:
    data = laid_out(layout, (duis / name).read_bytes())
    assert verify_boxed(data, resolver, name).info.eui64 == DCC


def edit_request_id(data: bytes, change: Callable[[str], str]) -> bytes:
    root = etree.fromstring(data)
    element = root.find(REQUEST_ID)
    element.text = change(element.text)
    return etree.tostring(root)


def edit_layout(data: bytes, text: str) -> bytes:
    """The text before the root's first child set to ``text``."""
    root = etree.fromstring(data)
    root.text = text
    return etree.tostring(root)


TAMPERING = {
    "one-digit": lambda data: edit_request_id(data, lambda text: text[:-1] + "9"),
    "padded-value": lambda data: edit_request_id(data, lambda text: f" {text}"),
    "value-line-break": lambda data: edit_request_id(data, lambda text: f"{text}\n"),
    "text-between-elements": lambda data: edit_layout(data, "\n  x\n  "),
    "no-break-space": lambda data: edit_layout(data, "\u00a0"),
}


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING)
@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS)
def test_a_changed_character_still_breaks_a_dcc_boxed_signature(
    duis: Path,
    resolver: InMemoryResolver,
    layout: Callable[[bytes], bytes],
    tamper: Callable[[bytes], bytes],
) -> None:
    data = laid_out(layout, (duis / BOXED_SAMPLE).read_bytes())
    verify_boxed(data, resolver)
    with pytest.raises(SignatureRejected) as caught:
        verify_boxed(tamper(data), resolver)
    assert caught.value.check is SignatureCheck.DIGEST


# --- solrsim's signatures ------------------------------------------------------------------


def test_solrsim_signs_what_dcc_boxed_signs_whatever_the_layout(duis: Path, signed: bytes) -> None:
    """One line after the declaration, and the same bytes from any layout of the input."""
    assert signed.count(b"\n") == 1
    assert b"> <" not in signed and b">\t<" not in signed
    pair = load_pair(duis, SUPPLIER_XML_SIGN)
    template = (duis / ECS02).read_bytes()
    for layout in LAYOUTS.values():
        assert sign_document(layout(compact(template)), *pair) == signed


@pytest.mark.parametrize("layout", INDENTED.values(), ids=INDENTED)
def test_solrsim_signatures_verify_reindented(
    signed: bytes, resolver: InMemoryResolver, layout: Callable[[bytes], bytes]
) -> None:
    data = laid_out(layout, signed)
    assert verify_document(data, resolver, at=AT).info.role is RemotePartyRole.XML_SIGN
    for tamper in TAMPERING.values():
        with pytest.raises(SignatureRejected) as caught:
            verify_document(tamper(data), resolver, at=AT)
        assert caught.value.check is SignatureCheck.DIGEST


def test_the_tree_verified_is_the_tree_without_layout(
    signed: bytes, resolver: InMemoryResolver
) -> None:
    """What a caller reads after verification is exactly what the digest covered."""
    tree = parse_xml(hand_indented(signed))
    verified = verify_document(tree, resolver, at=AT)
    assert verified.document is tree
    assert etree.tostring(tree.getroot()) == etree.tostring(etree.fromstring(signed))


def test_cli_verifies_an_indented_dcc_boxed_response(duis: Path, tmp_path: Path) -> None:
    indented = tmp_path / "indented.xml"
    indented.write_bytes(hand_indented((duis / BOXED_SAMPLE).read_bytes()))
    result = CliRunner().invoke(app, ["verify", "--certs", str(duis), str(indented)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid: signed by 90-B3-D5-1F-30-00-00-02")


@pytest.mark.parametrize(
    ("data", "text_beside"),
    [
        (b"<a><b>x</b><c/></a>", False),
        (b"<a><b> leaf </b></a>", False),
        (b"<a><!--c--><b/></a>", False),
        (b"<a> <b/></a>", True),
        (b"<a><b/> </a>", True),
        (b"<a><b><c/>\n</b></a>", True),
        (b"<a>text<b/></a>", True),
    ],
)
def test_the_layout_search_is_skipped_only_where_there_is_none(
    data: bytes, text_beside: bool
) -> None:
    root = etree.fromstring(data)
    assert text_between_elements(root) is text_beside
    if not text_beside:
        assert not _LAYOUT(root)
