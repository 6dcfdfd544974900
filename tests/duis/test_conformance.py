"""The RTDS request templates and real DCC Boxed responses, read in place from the corpus."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dcc.duis.codes import ResponseCode
from dcc.duis.elements import to_bytes
from dcc.duis.errors import DuisUnsupportedError
from dcc.duis.ids import RequestID, ResponseID
from dcc.duis.inventory import DeviceStatus, DeviceType, DSPInventory, PropertyFilter, ReadInventory
from dcc.duis.request import (
    CommandVariant,
    Credit,
    Prepayment,
    Request,
    UpdatePaymentMode,
    build_request,
    parse_request,
)
from dcc.duis.response import Response, ResponseMessage, build_response, parse_response
from dcc.duis.schema import official_schema, solrsim_schema, validate
from dcc.duis.xmlparse import parse_xml
from tests.conformance import SUMMARY

# 12 SR 1.6 templates (ECS02/ECS03/GCS02/GCS03, all CV 4) and the SR 8.2 one; the other 284
# cover SRVs solrsim does not simulate.
SIMULATED_TEMPLATES = 13
UNSUPPORTED_TEMPLATES = 284
SUPPLIER = bytes.fromhex("90B3D51F30010000")
_SIMULATED_NAME = re.compile(r"(^|_)(1\.6|8\.2)_")  # the SRV is in the template's name


def _template(conformance: Path, name: str) -> Request:
    return parse_request((conformance / "duis" / "templates" / name).read_bytes())


def _response(conformance: Path, name: str) -> Response:
    return parse_response((conformance / "duis" / name).read_bytes())


def test_templates_parse_or_are_unsupported(
    conformance: Path, request: pytest.FixtureRequest
) -> None:
    parsed: list[Request] = []
    unsupported: list[str] = []
    for path in sorted((conformance / "duis" / "templates").glob("*.XML")):
        try:
            template = parse_request(path.read_bytes())
        except DuisUnsupportedError as exc:
            assert not _SIMULATED_NAME.search(path.name), path.name
            unsupported.append(exc.element)
            continue
        assert parse_request(to_bytes(build_request(template))) == template, path.name
        assert template.signature is not None, path.name
        parsed.append(template)
    assert (len(parsed), len(unsupported)) == (SIMULATED_TEMPLATES, UNSUPPORTED_TEMPLATES)
    assert {t.header.service_reference_variant for t in parsed} == {"1.6", "8.2"}
    request.config.stash[SUMMARY].append(
        f"DUIS templates: {len(parsed)} parsed (SR 1.6, 8.2), "
        f"{len(unsupported)} refused as unsupported SRVs"
    )


def test_simulated_templates_are_valid_against_both_schemas(conformance: Path) -> None:
    official = official_schema(conformance / "duis" / "xsd")
    templates = conformance / "duis" / "templates"
    simulated = [path for path in templates.glob("*.XML") if _SIMULATED_NAME.search(path.name)]
    assert len(simulated) == SIMULATED_TEMPLATES
    for path in simulated:
        tree = parse_xml(path.read_bytes())
        validate(tree, solrsim_schema())
        validate(tree, official)


def test_credit_template(conformance: Path) -> None:
    template = _template(conformance, "ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML")
    assert template.header.request_id == RequestID(
        SUPPLIER, bytes.fromhex("00DB1234567890A0"), 1002
    )
    assert template.header.command_variant is CommandVariant.TRANSFORM
    assert template.body == UpdatePaymentMode(Credit())
    assert template.schema_version == "5.4"


def test_future_dated_prepayment_template(conformance: Path) -> None:
    template = _template(conformance, "ECS03_1.6_FUTURE_DATED_TWIN_SUCCESS_REQUEST_DUIS.XML")
    assert template.body == UpdatePaymentMode(
        Prepayment(True, False, 556677), datetime(2030, 1, 15, 9, tzinfo=UTC)
    )


def test_gas_cancellation_template(conformance: Path) -> None:
    template = _template(conformance, "GCS02_1.6_CANCELLATION_SUCCESS_REQUEST_DUIS.XML")
    assert template.header.request_id.target == bytes.fromhex("00DB1234567890A1")
    assert template.body == UpdatePaymentMode(Credit(), datetime(3000, 12, 31, tzinfo=UTC))


def test_read_inventory_template(conformance: Path) -> None:
    template = _template(conformance, "8.2_READ_INVENTORY_REQUEST_DUIS.XML")
    assert template.header.request_id == RequestID(
        SUPPLIER, bytes.fromhex("90B3D51F30000002"), 1000
    )
    assert template.header.command_variant is CommandVariant.NON_DEVICE
    assert template.body == ReadInventory(device_id=bytes.fromhex("00DB1234567890A2"))


def test_template_signature_is_kept(conformance: Path) -> None:
    template = _template(conformance, "ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML")
    assert template.signature is not None
    assert b"<ds:X509SerialNumber>1234567890</ds:X509SerialNumber>" in template.signature
    assert b"NOTE" not in template.signature  # the placeholder comment is not signed content


REAL_RESPONSES = [
    "message.xml",
    "message2.xml",
    "read-inventory-response-5.4.signed.xml",
    "readfw-response-5.4.signed.xml",
    "readfw-response-badsignature.xml",
    "acknowledgement-error-E65.xml",
]


@pytest.mark.parametrize("name", REAL_RESPONSES)
def test_real_responses_round_trip_and_validate(conformance: Path, name: str) -> None:
    response = _response(conformance, name)
    rebuilt = build_response(response)
    assert parse_response(to_bytes(rebuilt)) == response
    validate(parse_xml((conformance / "duis" / name).read_bytes()), solrsim_schema())
    validate(rebuilt, solrsim_schema())
    validate(rebuilt, official_schema(conformance / "duis" / "xsd"))


def test_read_firmware_response(conformance: Path) -> None:
    response = _response(conformance, "message.xml")
    device = bytes.fromhex("000781D7000036CE")
    assert response.schema_version == "5.1"
    assert response.header.response_code is ResponseCode.I0
    assert response.header.request_id == RequestID(SUPPLIER, device, 1655397248260)
    assert response.header.response_id == ResponseID.answering(response.header.request_id)
    assert response.header.response_datetime == datetime(2022, 6, 16, 16, 34, 15, 844000, UTC)
    assert isinstance(response.body, ResponseMessage)
    assert response.body.service_reference_variant == "11.2"
    assert isinstance(response.body.content, bytes)
    assert response.body.content.startswith(b"\xdd\x00\x00")  # a MAC'd GBCS response
    assert response.signature is not None
    unsigned = _response(conformance, "message2.xml")
    assert unsigned == replace(response, signature=None)


def test_resigned_read_firmware_response(conformance: Path) -> None:
    response = _response(conformance, "readfw-response-5.4.signed.xml")
    assert response.header.response_id == ResponseID(
        bytes.fromhex("04CD1500FE91442A"), SUPPLIER, 1761857784919
    )
    assert response.signature is not None
    assert b"20315062944123339095836004026371736578" in response.signature


def test_read_inventory_response(conformance: Path) -> None:
    response = _response(conformance, "read-inventory-response-5.4.signed.xml")
    assert response.header.response_id is None
    assert response.header.request_id is not None
    assert response.header.request_id.target == bytes.fromhex("90B3D51F30000002")
    assert isinstance(response.body, ResponseMessage)
    inventory = response.body.content
    assert isinstance(inventory, DSPInventory)
    hub, display, gas_proxy = inventory.devices
    assert (hub.device_type, hub.status) == (DeviceType.CHF, DeviceStatus.COMMISSIONED)
    assert hub.device_id == bytes.fromhex("887384906A1002DB")
    assert (hub.manufacturer, hub.model, hub.firmware_version) == ("106C", "433100AC", "9001")
    assert (hub.date_commissioned, hub.uprn) == ("2025-12-28Z", 123456789012)
    assert hub.property_filter == PropertyFilter("1111-111", "12334")
    assert (hub.csp_region, hub.han_variant, hub.connectivity) == (
        "4G Central",
        "Single Band",
        "Virtual",
    )
    assert (display.device_type, display.status) == (DeviceType.CAD, None)
    assert (gas_proxy.device_type, gas_proxy.status) == (
        DeviceType.GPF,
        DeviceStatus.INSTALLED_NOT_COMMISSIONED,
    )


def test_error_acknowledgement(conformance: Path) -> None:
    response = _response(conformance, "acknowledgement-error-E65.xml")
    assert response.header.response_code is ResponseCode.E65
    assert response.header.response_id is None
    assert response.body == ResponseMessage("11.2", "11.2")
    assert response.signature is None
