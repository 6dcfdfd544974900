"""DUIS responses and alerts: round trips, and bad or unsimulated ones refused with a reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dcc.duis.alerts import (
    BreachKind,
    DCCAlertMessage,
    DeviceAlertMessage,
    FutureDatedDeviceAlertMessage,
    QuarantinedRequest,
)
from dcc.duis.codes import SCHEMA_INVALID, UNSUPPORTED, DCCAlertCode
from dcc.duis.elements import to_bytes
from dcc.duis.errors import DuisSchemaError, DuisUnsupportedError
from dcc.duis.ids import RequestID
from dcc.duis.inventory import DeviceType, DSPInventory, InventoryDevice
from dcc.duis.response import build_response, parse_response

from .samples import ESME, RESPONSES

SR = "http://www.dccinterface.co.uk/ServiceUserGateway"
RID = "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1011"


def _response(body: str, header: str = "") -> bytes:
    header = header or (
        f"<sr:RequestID>{RID}</sr:RequestID><sr:ResponseCode>I0</sr:ResponseCode>"
        "<sr:ResponseDateTime>2026-03-01T09:30:15.804Z</sr:ResponseDateTime>"
    )
    return (
        f'<sr:Response xmlns:sr="{SR}" schemaVersion="5.4"><sr:Header>{header}</sr:Header>'
        f"<sr:Body>{body}</sr:Body></sr:Response>"
    ).encode()


def _alert(alert: str, code: str = "AD1") -> bytes:
    return _response(
        f"<sr:DCCAlertMessage><sr:DCCAlertCode>{code}</sr:DCCAlertCode>"
        f"<sr:DCCAlert>{alert}</sr:DCCAlert></sr:DCCAlertMessage>"
    )


def _message(content: str) -> bytes:
    return _response(
        "<sr:ResponseMessage><sr:ServiceReference>1.6</sr:ServiceReference>"
        f"<sr:ServiceReferenceVariant>1.6</sr:ServiceReferenceVariant>{content}"
        "</sr:ResponseMessage>"
    )


QUARANTINE = (
    f"<sr:QuarantinedRequest><sr:ADDCCThresholdBreach><sr:RequestID>{RID}</sr:RequestID>"
    "<sr:QuarantineEventRef>{ref}</sr:QuarantineEventRef></sr:ADDCCThresholdBreach>"
    "</sr:QuarantinedRequest>"
)


@pytest.mark.parametrize("name", RESPONSES)
def test_round_trip(name: str) -> None:
    response = RESPONSES[name]
    assert parse_response(to_bytes(build_response(response))) == response


def test_alert_codes_are_hex_on_the_wire() -> None:
    data = to_bytes(build_response(RESPONSES["device alert"]))
    assert b"<sr:AlertCode>8F84</sr:AlertCode>" in data
    parsed = parse_response(data.replace(b">8F84<", b">8f84<")).body
    assert isinstance(parsed, DeviceAlertMessage)
    assert parsed.alert_code == 0x8F84


def test_quarantine_alert_parses() -> None:
    body = parse_response(_alert(QUARANTINE.format(ref="00012345678901234567890"))).body
    assert body == DCCAlertMessage(
        DCCAlertCode.AD1,
        QuarantinedRequest(BreachKind.DCC_THRESHOLD, RequestID.parse(RID), 12345678901234567890),
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            _response("<sr:ResponseMessage/>", "<sr:ResponseCode> I0</sr:ResponseCode>"),
            "' I0' is not a ResponseCode",
        ),
        (
            _response(
                "<sr:ResponseMessage/>",
                "<sr:ResponseCode>E999</sr:ResponseCode><sr:ResponseDateTime>"
                "2026-03-01T09:30:15Z</sr:ResponseDateTime>",
            ),
            "'E999' is not a ResponseCode",
        ),
        (
            _response("<sr:ResponseMessage/>", "<sr:ResponseCode>I0</sr:ResponseCode>"),
            "sr:ResponseDateTime is missing",
        ),
        (
            _response(
                "<sr:ResponseMessage/>",
                f"<sr:ResponseID>{RID}</sr:ResponseID><sr:RequestID>{RID}</sr:RequestID>",
            ),
            "sr:ResponseCode is missing, found sr:RequestID",
        ),
        (_message("<sr:GBCSPayload>3Q==</sr:GBCSPayload><sr:GBCSPayload/>"), "unexpected element"),
        (_message("<sr:Payload/>"), "sr:Payload at line 1: not a ResponseMessage content"),
        (_message("<sr:PreCommand><sr:GBCSPayload/></sr:PreCommand>"), "sr:GBCSVersion is missing"),
        (_response("<sr:Alert/>"), "not a response body"),
        (_alert("<sr:Outage/>"), "sr:Outage at line 1: not a DCC alert"),
        (_alert(QUARANTINE.format(ref="1"), code="N32"), "'N32' is not a DCCAlertCode"),
        (_alert(QUARANTINE.format(ref="1" * 21)), "is outside"),
        (
            _alert(QUARANTINE.format(ref="1").replace("ADDCCThreshold", "ADOther")),
            "not one of ADUserThresholdBreach, ADDCCThresholdBreach, ADAttributeLimitsBreach",
        ),
        (
            _response(
                "<sr:DeviceAlertMessage><sr:AlertCode>008F84</sr:AlertCode>"
                "<sr:GBCSPayload/></sr:DeviceAlertMessage>"
            ),
            "'008F84' is not two bytes of hex",
        ),
        (
            _message(
                "<sr:FutureDatedDeviceAlertMessage><sr:FutureDatedAlertCode>8F68"
                "</sr:FutureDatedAlertCode><sr:GBCSPayload/><sr:InstructionNumber>1"
                "</sr:InstructionNumber><sr:TotalCommandInstructions>65536"
                "</sr:TotalCommandInstructions></sr:FutureDatedDeviceAlertMessage>"
            ),
            "65536 is outside 0..65535",
        ),
        (_message("<sr:DSPInventory/>"), "a DSPInventory holds 1 to 17 devices, not 0"),
        (
            _message(
                "<sr:DSPInventory><sr:Device><sr:DeviceID>00-DB-12-34-56-78-90-A0</sr:DeviceID>"
                "<sr:DeviceType>Meter</sr:DeviceType></sr:Device></sr:DSPInventory>"
            ),
            "'Meter' is not a DeviceType",
        ),
    ],
)
def test_bad_responses_refused(data: bytes, reason: str) -> None:
    with pytest.raises(DuisSchemaError, match=reason) as caught:
        parse_response(data)
    assert caught.value.response_code == SCHEMA_INVALID
    assert not isinstance(caught.value, DuisUnsupportedError)


@pytest.mark.parametrize(
    ("data", "element"),
    [
        (
            _response(
                "<sr:SMETS1ResponseMessage><sr:ServiceReference>1.6</sr:ServiceReference>"
                "</sr:SMETS1ResponseMessage>"
            ),
            "sr:ServiceReference",
        ),
        (_message("<sr:CINMessage/>"), "sr:CINMessage"),
        (_message("<sr:DSPWANMatrix/>"), "sr:DSPWANMatrix"),
        (_alert("<sr:PowerOutageEvent/>", code="N1"), "sr:PowerOutageEvent"),
    ],
)
def test_unsimulated_responses_are_unsupported(data: bytes, element: str) -> None:
    with pytest.raises(DuisUnsupportedError, match="not") as caught:
        parse_response(data)
    assert caught.value.element == element
    assert caught.value.response_code == UNSUPPORTED


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: DeviceAlertMessage(0x10000, b""), "AlertCode 65536 is outside"),
        (lambda: DeviceAlertMessage(0x8F84, b"", -1), "ThrottledAlertSequenceId -1 is outside"),
        (lambda: FutureDatedDeviceAlertMessage(0x8F84, b"", 1, 1), "is not 8F66 or 8F67"),
        (lambda: DSPInventory(()), "1 to 17 devices"),
        (
            lambda: DSPInventory((InventoryDevice(ESME, DeviceType.ESME, "", ""),) * 18),
            "1 to 17 devices, not 18",
        ),
    ],
)
def test_invalid_responses_cannot_be_built(make: Callable[[], object], reason: str) -> None:
    with pytest.raises(DuisSchemaError, match=reason):
        make()
