"""A DUIS document declares a handful of namespaces; one declaring more than
MAX_NAMESPACE_DECLARATIONS is refused when it is read, before anything canonicalises it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dcc.duis.codes import ResponseCode
from dcc.duis.errors import DuisXmlError
from dcc.duis.request import parse_request
from dcc.duis.xmlparse import MAX_DOCUMENT_BYTES, MAX_NAMESPACE_DECLARATIONS, parse_xml

LIMIT = MAX_NAMESPACE_DECLARATIONS
REASON = f"more than {LIMIT} namespace declarations"


def _on_the_root(count: int) -> bytes:
    declarations = "".join(f' xmlns:p{n}="urn:p"' for n in range(count))
    return f"<r{declarations}><a/></r>".encode()


def _one_per_element(count: int) -> bytes:
    return ("<r>" + '<a xmlns:p="urn:p"/>' * count + "</r>").encode()


def _nested_defaults(count: int) -> bytes:
    """Default namespaces declared and undeclared in turn, each on an element in the last."""
    opening = "".join(f'<a xmlns="{"" if n % 2 else "urn:d"}">' for n in range(count))
    return f"<r>{opening}{'</a>' * count}</r>".encode()


def _in_utf16(count: int) -> bytes:
    declaration = '<?xml version="1.0" encoding="UTF-16"?>'
    return (declaration + _on_the_root(count).decode()).encode("utf-16")


SHAPES: dict[str, Callable[[int], bytes]] = {
    "on-the-root": _on_the_root,
    "one-per-element": _one_per_element,
    "nested-defaults": _nested_defaults,
    "utf-16": _in_utf16,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_one_declaration_over_the_limit_is_refused(shape: str) -> None:
    with pytest.raises(DuisXmlError, match=REASON) as refused:
        parse_xml(SHAPES[shape](LIMIT + 1))
    assert refused.value.response_code is ResponseCode.E1000


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_document_at_the_limit_is_read(shape: str) -> None:
    assert parse_xml(SHAPES[shape](LIMIT)).getroot() is not None


def test_tens_of_thousands_of_declarations_within_the_size_limit_are_refused() -> None:
    document = _on_the_root(45_000)
    assert len(document) <= MAX_DOCUMENT_BYTES
    with pytest.raises(DuisXmlError, match=REASON):
        parse_xml(document)


def test_the_word_xmlns_outside_declarations_is_not_counted() -> None:
    mentions = '<a note="xmlns:p=&quot;urn:p&quot;">xmlns="urn:d"<!-- xmlns --><?pi xmlns?></a>'
    document = f'<r xmlns="urn:d">{mentions * LIMIT}</r>'.encode()
    assert len(parse_xml(document).getroot()) == LIMIT


def test_a_request_declaring_too_many_namespaces_is_refused_before_it_is_read() -> None:
    declarations = "".join(f' xmlns:p{n}="urn:p{n}"' for n in range(LIMIT))
    document = (
        f'<sr:Request xmlns:sr="http://www.dccinterface.co.uk/ServiceUserGateway"{declarations}'
        ' schemaVersion="5.4"/>'
    ).encode()
    with pytest.raises(DuisXmlError, match=REASON):
        parse_request(document)
