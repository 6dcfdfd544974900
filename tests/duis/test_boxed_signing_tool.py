"""solrsim and the DCC Boxed signing tool accept each other's signatures, on one line or
indented: the tool validates what solrsim signs, solrsim verifies what the tool signs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dcc.duis.response import build_response
from dcc.duis.xmldsig import (
    InMemoryResolver,
    SignatureCheck,
    SignatureRejected,
    sign_document,
    verify_document,
)
from tests.duis.boxed import DCC_XML_SIGN, ECS02, SUPPLIER_XML_SIGN, boxed_certificates, load_pair
from tests.duis.layouts import compact, hand_indented, lxml_indented
from tests.duis.samples import RESPONSES
from tests.duis.signing_tool import VALID, VALIDATION_FAILED, SigningTool, find_signing_tool

AT = datetime(2026, 1, 15, tzinfo=UTC)  # the Boxed xmlSign and DSP certificates are in date
SUPPLIER = bytes.fromhex("90B3D51F30010000")
LAYOUTS = {"compact": compact, "lxml": lxml_indented, "by-hand": hand_indented}


@pytest.fixture(scope="module")
def tool() -> SigningTool:
    return find_signing_tool()


@pytest.fixture(scope="module")
def template(duis: Path) -> bytes:
    """An SR 1.6 request from the test supplier, a DCC Boxed identity the tool has keys for."""
    return (duis / ECS02).read_bytes()


@pytest.fixture(scope="module")
def signed_by_tool(tool: SigningTool, template: bytes) -> bytes:
    return tool.sign(template)


def passes(tool: SigningTool, document: bytes) -> None:
    code, said = tool.validate(document)
    assert code == VALID, said
    assert "passed signature check" in said


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS)
def test_the_tool_validates_a_request_solrsim_signed(
    tool: SigningTool, duis: Path, template: bytes, layout: Callable[[bytes], bytes]
) -> None:
    signed = sign_document(template, *load_pair(duis, SUPPLIER_XML_SIGN))
    passes(tool, layout(signed))


def test_the_tool_validates_a_dcc_alert_solrsim_signed_then_indented(
    tool: SigningTool, duis: Path
) -> None:
    """As the DCC signs its responses and alerts: the Boxed DSP xmlSign key."""
    alert = build_response(RESPONSES["device alert"])
    passes(tool, lxml_indented(sign_document(alert, *load_pair(duis, DCC_XML_SIGN))))


def test_the_tool_refuses_what_solrsim_signed_once_a_value_changed(
    tool: SigningTool, duis: Path, template: bytes
) -> None:
    indented = lxml_indented(sign_document(template, *load_pair(duis, SUPPLIER_XML_SIGN)))
    code, said = tool.validate(indented.replace(b":1002<", b":1003<"))
    assert code == VALIDATION_FAILED, said
    assert "failed signature check" in said


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS)
def test_solrsim_verifies_a_request_the_tool_signed(
    duis: Path, signed_by_tool: bytes, layout: Callable[[bytes], bytes]
) -> None:
    resolver = InMemoryResolver(boxed_certificates(duis))
    verified = verify_document(layout(signed_by_tool), resolver, at=AT)
    assert verified.info.eui64 == SUPPLIER
    changed = layout(signed_by_tool).replace(b":1002<", b":1003<")
    with pytest.raises(SignatureRejected) as caught:
        verify_document(changed, resolver, at=AT)
    assert caught.value.check is SignatureCheck.DIGEST


def test_the_tool_signs_on_one_line_as_solrsim_does(
    duis: Path, signed_by_tool: bytes, template: bytes
) -> None:
    """Same digest: the tool and solrsim sign the same document, whatever its layout."""
    ours = sign_document(template, *load_pair(duis, SUPPLIER_XML_SIGN))
    digest = b"<ds:DigestValue>"
    assert ours.split(digest)[1][:44] == signed_by_tool.split(digest)[1][:44]
    assert b"><" in signed_by_tool and b">\n<" not in signed_by_tool
