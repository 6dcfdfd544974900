"""solrsim's own DUIS schema, the official one loaded from a folder, and what validate() reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from lxml import etree

from dcc.duis.codes import SCHEMA_INVALID
from dcc.duis.elements import to_bytes
from dcc.duis.errors import DuisSchemaError
from dcc.duis.request import Request, build_request
from dcc.duis.response import build_response
from dcc.duis.schema import (
    LocalResolver,
    SchemaLoadError,
    compile_schema,
    official_schema,
    schema_parser,
    solrsim_schema,
    validate,
)
from dcc.duis.xmlparse import parse_xml

from .samples import REQUESTS, RESPONSES, requests

BUILT = [pytest.param(build_request(r), id=f"request: {name}") for name, r in REQUESTS.items()] + [
    pytest.param(build_response(r), id=f"response: {name}") for name, r in RESPONSES.items()
]
XSD = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"'


@pytest.fixture(scope="module")
def official(conformance: Path) -> etree.XMLSchema:
    return official_schema(conformance / "duis" / "xsd")


@pytest.mark.parametrize("element", BUILT)
def test_built_documents_are_valid_against_solrsim_schema(element: etree._Element) -> None:
    validate(element, solrsim_schema())
    validate(parse_xml(to_bytes(element)), solrsim_schema())


@pytest.mark.parametrize("element", BUILT)
def test_built_documents_are_valid_against_official_schema(
    element: etree._Element, official: etree.XMLSchema
) -> None:
    validate(element, official)


@settings(max_examples=50)
@given(requests())
def test_generated_requests_are_valid_against_official_schema(
    official: etree.XMLSchema, request: Request
) -> None:
    validate(build_request(request), official)


def test_official_5_1_loads_too(conformance: Path) -> None:
    schema = official_schema(conformance / "duis" / "xsd", "5.1")
    validate(build_response(RESPONSES["pre-command"]), schema)


def test_schemas_are_compiled_once(conformance: Path) -> None:
    folder = conformance / "duis" / "xsd"
    assert official_schema(folder) is official_schema(str(folder))
    assert solrsim_schema() is solrsim_schema()


def test_unsimulated_srvs_are_invalid_against_solrsim_schema(
    conformance: Path, official: etree.XMLSchema
) -> None:
    tree = parse_xml(
        (conformance / "duis" / "templates" / "ECS52_11.2_SUCCESS_REQUEST_DUIS.XML").read_bytes()
    )
    validate(tree, official)
    with pytest.raises(DuisSchemaError, match="ReadFirmwareVersion': This element is not expected"):
        validate(tree, solrsim_schema())


def test_errors_are_listed_with_lines_and_counted() -> None:
    data = to_bytes(build_request(REQUESTS["1.6 prepayment, future dated"])).replace(b"><", b">\n<")
    for old, new in [(b">4<", b">0<"), (b">true<", b">yes<"), (b">false<", b">no<")]:
        data = data.replace(old, new)
    data = data.replace(b">556677<", b">x<").replace(b'"5.4"', b'"v"').replace(b":1011<", b":01<")
    with pytest.raises(DuisSchemaError) as caught:
        validate(parse_xml(data), solrsim_schema())
    reason = caught.value.reason
    assert caught.value.response_code == SCHEMA_INVALID
    assert re.search(r"line 5: Element '\{[^}]+\}CommandVariant': '0' is not a valid value", reason)
    assert "line 13: " in reason and "'yes' is not a valid value of the atomic type" in reason
    assert reason.count("; line ") == 4
    assert reason.endswith("(and 1 more)")


def test_signature_shape_is_checked() -> None:
    request = REQUESTS["1.6 signed pre-command, CV 6, future dated, signed"]
    data = to_bytes(build_request(request)).replace(
        b"<ds:SignatureValue>", b"<ds:Object/><ds:SignatureValue>"
    )
    with pytest.raises(DuisSchemaError, match="Object"):
        validate(parse_xml(data), solrsim_schema())


def test_dtds_of_the_xmldsig_schema_are_served_from_the_folder(conformance: Path) -> None:
    folder = conformance / "duis" / "xsd"
    resolver = LocalResolver(folder)
    tree = etree.parse(str(folder / "xmldsig-core-schema.xsd"), schema_parser(resolver))
    assert tree.docinfo.system_url == "http://www.w3.org/2001/XMLSchema.dtd"
    assert [Path(url).name for url in resolver.served] == [
        "xmldsig-core-schema.xsd",
        "XMLSchema.dtd",
        "datatypes.dtd",
    ]
    assert resolver.refused == []


def test_imports_with_spaces_resolve_locally(tmp_path: Path) -> None:
    (tmp_path / "Other Schema.xsd").write_text(
        f'{XSD} targetNamespace="urn:other"><xs:element name="b" type="xs:int"/></xs:schema>'
    )
    (tmp_path / "Main Schema.xsd").write_text(
        f'{XSD} xmlns:o="urn:other">'
        '<xs:import namespace="urn:other" schemaLocation="Other Schema.xsd"/>'
        '<xs:element name="a"><xs:complexType><xs:sequence><xs:element ref="o:b"/>'
        "</xs:sequence></xs:complexType></xs:element></xs:schema>"
    )
    schema = compile_schema(tmp_path / "Main Schema.xsd")
    validate(parse_xml(b'<a><b xmlns="urn:other">1</b></a>'), schema)


def test_imports_are_never_fetched_from_the_network(tmp_path: Path) -> None:
    (tmp_path / "main.xsd").write_text(
        f'{XSD} xmlns:o="urn:other"><xs:import namespace="urn:other" '
        'schemaLocation="http://example.invalid/remote.xsd"/>'
        '<xs:element name="a"><xs:complexType><xs:sequence><xs:element ref="o:b"/>'
        "</xs:sequence></xs:complexType></xs:element></xs:schema>"
    )
    with pytest.raises(
        SchemaLoadError, match=re.escape("not found beside it: http://example.invalid/remote.xsd")
    ):
        compile_schema(tmp_path / "main.xsd")


def test_missing_schema_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaLoadError, match=r"no schema at .*DUIS Schema V5\.4\.xsd"):
        official_schema(tmp_path)
