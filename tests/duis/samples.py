"""One document of every kind solrsim builds, for round-trip and schema tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

from dcc.duis.alerts import (
    BreachKind,
    CommandFailure,
    DCCAlertMessage,
    DeviceAlertMessage,
    FutureDatedDeviceAlertMessage,
    QuarantinedRequest,
)
from dcc.duis.codes import DCCAlertCode, ResponseCode
from dcc.duis.ids import RequestID, ResponseID
from dcc.duis.inventory import (
    DeviceStatus,
    DeviceType,
    DSPInventory,
    InventoryDevice,
    PropertyFilter,
    ReadInventory,
)
from dcc.duis.request import (
    SIGNED_PRE_COMMAND_VARIANTS,
    CommandVariant,
    Credit,
    Prepayment,
    Request,
    RequestHeader,
    SignedPreCommand,
    UpdatePaymentMode,
)
from dcc.duis.response import LocalCommand, PreCommand, Response, ResponseHeader, ResponseMessage
from dcc.duis.smets1 import Smets1AlertContent, SMETS1ResponseMessage

SUPPLIER = bytes.fromhex("90B3D51F30010000")
ESME = bytes.fromhex("00DB1234567890A0")
GSME = bytes.fromhex("00DB1234567890A1")
DCC = bytes.fromhex("90B3D51F30000002")
AT = datetime(2026, 3, 1, 9, 30, 15, 804000, tzinfo=UTC)
# A GBCS pre-command starts with the General Signing tag 0xDF (spec §1.5).
PRE_COMMAND = bytes.fromhex("DF09010000000000000001080090B3D51F30010000") + bytes(20)
SIGNATURE = (
    b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    b'<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    b'<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>'
    b'<ds:Reference URI=""><ds:Transforms>'
    b'<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
    b'</ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
    b"<ds:DigestValue>ZGVmYXVsdA==</ds:DigestValue></ds:Reference></ds:SignedInfo>"
    b"<ds:SignatureValue>ZGVmYXVsdA==</ds:SignatureValue><ds:KeyInfo><ds:X509Data>"
    b"<ds:X509IssuerSerial><ds:X509IssuerName>CN=Z1,OU=07</ds:X509IssuerName>"
    b"<ds:X509SerialNumber>27572613927499351639968579586655397031</ds:X509SerialNumber>"
    b"</ds:X509IssuerSerial></ds:X509Data></ds:KeyInfo></ds:Signature>"
)


def request_id(target: bytes = ESME, counter: int = 1011) -> RequestID:
    return RequestID(SUPPLIER, target, counter)


def header(cv: CommandVariant, srv: str = "1.6", target: bytes = ESME) -> RequestHeader:
    return RequestHeader(request_id(target), cv, srv, srv)


def to_credit(cv: CommandVariant = CommandVariant.TRANSFORM) -> Request:
    return Request(header(cv), UpdatePaymentMode(Credit()))


REQUESTS: dict[str, Request] = {
    "1.6 credit, on demand": to_credit(),
    "1.6 prepayment, future dated": Request(
        header(CommandVariant.TRANSFORM, target=GSME),
        UpdatePaymentMode(
            Prepayment(True, False, 556677),
            datetime(2030, 1, 15, 9, 0, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
        ),
    ),
    "1.6 prepayment, extreme threshold, sequenced": Request(
        RequestHeader(
            request_id(counter=2**64 - 1),
            CommandVariant.TRANSFORM,
            "1.6",
            "1.6",
            first_in_sequence=False,
            preceding_request_id=request_id(counter=0),
        ),
        UpdatePaymentMode(Prepayment(False, True, -(2**31))),
    ),
    "1.6 signed pre-command, CV 5": Request(
        header(CommandVariant.SIGNED_SEND_COMMAND), SignedPreCommand(PRE_COMMAND)
    ),
    "1.6 signed pre-command, CV 6, future dated, signed": Request(
        header(CommandVariant.SIGNED_LOCAL_COMMAND),
        SignedPreCommand(PRE_COMMAND, datetime(2030, 1, 15, 9, 0)),
        signature=SIGNATURE,
    ),
    "8.2 by device": Request(header(CommandVariant.NON_DEVICE, "8.2", DCC), ReadInventory(ESME)),
    "8.2 by UPRN": Request(
        header(CommandVariant.NON_DEVICE, "8.2", DCC), ReadInventory(uprn=123456789012)
    ),
    "8.2 by MPxN": Request(
        header(CommandVariant.NON_DEVICE, "8.2", DCC), ReadInventory(mpxn="1234567890123")
    ),
    "8.2 by address": Request(
        header(CommandVariant.NON_DEVICE, "8.2", DCC),
        ReadInventory(property_filter=PropertyFilter("SW1A 1AA", "10 Downing Street")),
    ),
}


def response_header(code: ResponseCode = ResponseCode.I0, device: bool = True) -> ResponseHeader:
    rid = request_id()
    return ResponseHeader(code, AT, rid, ResponseID.answering(rid) if device else None)


FULL_DEVICE = InventoryDevice(
    device_id=ESME,
    device_type=DeviceType.ESME,
    manufacturer="1234",
    model="ABCD0001",
    status=DeviceStatus.COMMISSIONED,
    smets_chts_version="SMETS2 V4.2",
    firmware_version="0001",
    firmware_version_status="Active",
    cpl_status="Active",
    date_commissioned="2025-12-28Z",
    import_mpxn="1234567890123",
    secondary_import_mpan="1234567890124",
    export_mpan="1234567890125",
    esme_variant="A",
    uprn=1,
    property_filter=PropertyFilter("AB1 2CD", "1"),
    csp_region="4G Central",
    gbcs_version="4.2",
    han_variant="Single Band",
    s1sp="none",
    connectivity="Cellular",
)

RESPONSES: dict[str, Response] = {
    "acknowledgement I99": Response(
        response_header(ResponseCode.I99, device=False), ResponseMessage("1.6", "1.6")
    ),
    "refusal E12 of an unsupported SRV": Response(
        response_header(ResponseCode.E12, device=False), ResponseMessage("4.1", "4.1.1")
    ),
    "pre-command": Response(
        response_header(device=False),
        ResponseMessage("1.6", "1.6", PreCommand("4.3", PRE_COMMAND)),
        signature=SIGNATURE,
    ),
    "device response": Response(response_header(), ResponseMessage("1.6", "1.6", PRE_COMMAND)),
    "local command": Response(
        response_header(device=False), ResponseMessage("1.6", "1.6", LocalCommand(PRE_COMMAND))
    ),
    "future-dated outcome": Response(
        response_header(),
        ResponseMessage("1.6", "1.6", FutureDatedDeviceAlertMessage(0x8F66, PRE_COMMAND, 1, 65535)),
    ),
    "inventory": Response(
        response_header(device=False),
        ResponseMessage(
            "8.2",
            "8.2",
            DSPInventory((FULL_DEVICE, InventoryDevice(GSME, DeviceType.GSME, "", ""))),
        ),
    ),
    "device alert": Response(
        ResponseHeader(ResponseCode.I0, AT, response_id=ResponseID(ESME, SUPPLIER, 7)),
        DeviceAlertMessage(0x8F84, PRE_COMMAND),
    ),
    "throttled device alert": Response(
        ResponseHeader(ResponseCode.I0, AT),
        DeviceAlertMessage(0x0000, b"", 2**32 - 1, 0),
    ),
    "SMETS1 device alert": Response(
        ResponseHeader(ResponseCode.I0, AT, response_id=ResponseID(ESME, SUPPLIER, 2**64 - 1)),
        SMETS1ResponseMessage(
            Smets1AlertContent(ESME, SUPPLIER, 2**64 - 1, 0x8F3F, "Tamper Detection", AT),
            SIGNATURE,
        ),
    ),
    "throttled SMETS1 device alert": Response(
        ResponseHeader(ResponseCode.I0, AT),
        SMETS1ResponseMessage(
            Smets1AlertContent(GSME, SUPPLIER, 0, 0x0000, "", AT),
            SIGNATURE,
            "5.1",
            throttled_alert_sequence_id=2**32 - 1,
            throttled_alert_count=0,
        ),
    ),
    "quarantine": Response(
        ResponseHeader(ResponseCode.I0, AT),
        DCCAlertMessage(
            DCCAlertCode.AD1,
            QuarantinedRequest(BreachKind.USER_THRESHOLD, request_id(), 10**20 - 1),
        ),
    ),
    "attribute-limit quarantine, throttled": Response(
        ResponseHeader(ResponseCode.I0, AT),
        DCCAlertMessage(
            DCCAlertCode.AD1,
            QuarantinedRequest(BreachKind.ATTRIBUTE_LIMITS, request_id(), -1),
            throttled_alert_sequence_id=3,
            throttled_alert_count=4,
        ),
    ),
    "command failure": Response(
        ResponseHeader(ResponseCode.I0, AT),
        DCCAlertMessage(DCCAlertCode.N12, CommandFailure(request_id(), ESME, 10**12)),
    ),
}


# Hypothesis: any SR 1.6 request solrsim can build, Service Request or Signed Pre-Command.
eui64s = st.binary(min_size=8, max_size=8)
request_ids = st.builds(RequestID, eui64s, eui64s, st.integers(0, 2**64 - 1))
zones = st.one_of(
    st.none(),
    st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes))),
)
datetimes = st.one_of(st.none(), st.datetimes(timezones=zones))
modes = st.one_of(
    st.just(Credit()),
    st.builds(Prepayment, st.booleans(), st.booleans(), st.integers(-(2**31), 2**31 - 1)),
)


@st.composite
def requests(draw: st.DrawFn) -> Request:
    body: UpdatePaymentMode | SignedPreCommand
    if draw(st.booleans()):
        cv = draw(st.sampled_from(sorted(SIGNED_PRE_COMMAND_VARIANTS)))
        body = SignedPreCommand(draw(st.binary()), draw(datetimes))
    else:
        cv = CommandVariant.TRANSFORM
        body = UpdatePaymentMode(draw(modes), draw(datetimes))
    header = RequestHeader(
        draw(request_ids),
        cv,
        "1.6",
        "1.6",
        draw(st.one_of(st.none(), st.booleans())),
        draw(st.one_of(st.none(), request_ids)),
    )
    return Request(header, body, signature=draw(st.sampled_from([None, SIGNATURE])))
