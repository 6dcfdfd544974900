"""The DCC refuses a request declaring more namespaces than a DUIS document needs at the xml
stage, however it is signed; one at the limit is acted on like any other."""

from __future__ import annotations

import re

from lxml import etree

from dcc.duis.codes import ResponseCode
from dcc.duis.request import CommandVariant, Credit, UpdatePaymentMode
from dcc.duis.xmldsig import sign_document
from dcc.duis.xmlparse import MAX_DOCUMENT_BYTES, MAX_NAMESPACE_DECLARATIONS
from sim.world.testbed import BRIGHT, ESME_ID, World
from tests.dcc.rule_checks import NOW, assert_refused


def _declarations(document: bytes) -> int:
    return sum(1 for _ in etree.iterwalk(etree.fromstring(document), events=("start-ns",)))


def _transform_declaring(world: World, total: int) -> bytes:
    """A transform signed by its User whose root declares namespaces up to ``total`` in all."""
    request = world.request(BRIGHT, ESME_ID, UpdatePaymentMode(Credit()), CommandVariant.TRANSFORM)
    document = world.signed(request)
    extra = "".join(f' xmlns:p{n}="urn:p{n}"' for n in range(total - _declarations(document)))
    document = document.replace(b"<sr:Request ", f"<sr:Request{extra} ".encode(), 1)
    party = world.parties[BRIGHT]
    # signed as a tree: signing bytes reads them, and reading refuses too many declarations
    signed = sign_document(etree.fromstring(document), party.xml_key, party.xml_certificate)
    assert _declarations(signed) == total
    return signed


def test_a_request_at_the_limit_is_acted_on(world: World) -> None:
    outcome = world.dcc.submit(_transform_declaring(world, MAX_NAMESPACE_DECLARATIONS), NOW)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)


def test_one_declaration_more_is_refused_at_the_xml_stage(world: World) -> None:
    before = world.states()
    outcome = world.dcc.submit(_transform_declaring(world, MAX_NAMESPACE_DECLARATIONS + 1), NOW)
    assert_refused(outcome, ResponseCode.E1000, "xml")
    assert f"more than {MAX_NAMESPACE_DECLARATIONS} namespace declarations" in outcome.reason
    assert world.states() == before


def test_a_forged_request_with_a_root_of_declarations_is_refused_at_the_xml_stage(
    world: World,
) -> None:
    """Changed after signing and padded with declarations up to the size limit: refused as
    unreadable, before any signature check canonicalises it."""
    request = world.request(BRIGHT, ESME_ID, UpdatePaymentMode(Credit()), CommandVariant.TRANSFORM)
    forged = re.sub(rb":\d+</sr:RequestID>", b":7</sr:RequestID>", world.signed(request))
    extra = b"".join(b' xmlns:p%d="u:"' % n for n in range(50_000))
    document = forged.replace(b"<sr:Request ", b"<sr:Request" + extra + b" ")
    assert len(document) <= MAX_DOCUMENT_BYTES
    outcome = world.dcc.submit(document, NOW)
    assert_refused(outcome, ResponseCode.E1000, "xml")
    assert "namespace declarations" in outcome.reason
