"""DUIS responses (``sr:Response``): what the DCC sends back, and the alerts it delivers (spec §2).

A ResponseMessage names the SRV it answers and carries at most one content: the GBCS pre-command
of a transform (CV 4), a device's GBCS response, a command for local delivery, the inventory
(SR 8.2) or the outcome of a future-dated command. Acknowledgements and refusals carry none and
are unsigned (the E65 sample). A SMETS1 device's alert comes in an SMETS1ResponseMessage
(:mod:`dcc.duis.smets1`). Other contents are refused with :class:`DuisUnsupportedError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from lxml import etree

from .alerts import DCCAlertMessage, DeviceAlertMessage, FutureDatedDeviceAlertMessage
from .codes import DuisUnsupportedError, ResponseCode
from .elements import (
    SCHEMA_VERSION,
    Children,
    add,
    append_signature,
    base64,
    check_signature,
    date_time,
    label,
    located,
    open_document,
    optional_value,
    root,
    sr,
    text,
    value,
)
from .ids import RequestID, ResponseID, check_service_reference
from .inventory import DSPInventory
from .smets1 import SMETS1ResponseMessage
from .values import (
    check_datetime,
    check_decimal,
    enum_parser,
    format_base64,
    format_datetime,
)
from .xmlparse import MAX_DOCUMENT_BYTES, parse_xml


@dataclass(frozen=True, slots=True)
class ResponseHeader:
    """A device response has both IDs; acknowledgements and non-device answers the RequestID."""

    response_code: ResponseCode
    response_datetime: datetime
    request_id: RequestID | None = None
    response_id: ResponseID | None = None

    def __post_init__(self) -> None:
        check_datetime(self.response_datetime)

    @classmethod
    def from_element(cls, element: etree._Element) -> ResponseHeader:
        children = Children(element)
        request_id = optional_value(children.optional("RequestID"), RequestID.parse)
        response_id = optional_value(children.optional("ResponseID"), ResponseID.parse)
        code = value(children.required("ResponseCode"), enum_parser(ResponseCode), preserve=True)
        at = date_time(children.required("ResponseDateTime"))
        children.finish()
        return cls(code, at, request_id, response_id)

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, "Header")
        if self.request_id is not None:
            add(element, "RequestID", str(self.request_id))
        if self.response_id is not None:
            add(element, "ResponseID", str(self.response_id))
        add(element, "ResponseCode", str(self.response_code))
        add(element, "ResponseDateTime", format_datetime(self.response_datetime))


@dataclass(frozen=True, slots=True)
class PreCommand:
    """The DCC's transform of a critical SR: the GBCS command for the User to sign."""

    ELEMENT: ClassVar[str] = "PreCommand"

    gbcs_version: str
    gbcs_payload: bytes

    @classmethod
    def from_element(cls, element: etree._Element) -> PreCommand:
        children = Children(element)
        version = text(children.required("GBCSVersion"))
        payload = base64(children.required("GBCSPayload"))
        children.finish()
        return cls(version, payload)

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, self.ELEMENT)
        add(element, "GBCSVersion", self.gbcs_version)
        add(element, "GBCSPayload", format_base64(self.gbcs_payload))


@dataclass(frozen=True, slots=True)
class LocalCommand:
    """A command returned to the User for delivery over the HAN (CV 2, 3, 6, 7)."""

    ELEMENT: ClassVar[str] = "LocalCommand"

    gbcs_payload: bytes

    @classmethod
    def from_element(cls, element: etree._Element) -> LocalCommand:
        children = Children(element)
        payload = base64(children.required("GBCSPayload"))
        children.finish()
        return cls(payload)

    def append_to(self, parent: etree._Element) -> None:
        add(add(parent, self.ELEMENT), "GBCSPayload", format_base64(self.gbcs_payload))


_Content = PreCommand | LocalCommand | DSPInventory | FutureDatedDeviceAlertMessage
# ``bytes`` is a bare sr:GBCSPayload: a device's GBCS response.
ResponseContent = _Content | bytes
_CONTENTS: dict[str, type[_Content]] = {
    sr(kind.ELEMENT): kind
    for kind in (PreCommand, LocalCommand, DSPInventory, FutureDatedDeviceAlertMessage)
}
# The other members of the XSD's ResponseMessage choice: valid DUIS, not simulated.
_OTHER_CONTENTS = frozenset(
    sr(name)
    for name in (
        "CINMessage",
        "DSPOptIn",
        "DSPSchedulesRead",
        "DSPScheduledMessage",
        "DSPScheduleID",
        "DSPUpdateFirmwareWarning",
        "DSPUpdatePPMIDFirmwareWarning",
        "DSPWANMatrix",
    )
)


@dataclass(frozen=True, slots=True)
class ResponseMessage:
    """The answer to one SRV; no content for acknowledgements (I99) and refusals."""

    ELEMENT: ClassVar[str] = "ResponseMessage"

    service_reference: str
    service_reference_variant: str
    content: ResponseContent | None = None

    def __post_init__(self) -> None:
        check_service_reference(self.service_reference, self.service_reference_variant)

    @classmethod
    def from_element(cls, element: etree._Element) -> ResponseMessage:
        children = Children(element)
        reference = text(children.required("ServiceReference"))
        variant = text(children.required("ServiceReferenceVariant"))
        found = children.optional_any()
        content = None if found is None else _read_content(found)
        children.finish()
        return cls(reference, variant, content)

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, self.ELEMENT)
        add(element, "ServiceReference", self.service_reference)
        add(element, "ServiceReferenceVariant", self.service_reference_variant)
        if isinstance(self.content, bytes):
            add(element, "GBCSPayload", format_base64(self.content))
        elif self.content is not None:
            self.content.append_to(element)


def _read_content(element: etree._Element) -> ResponseContent:
    if element.tag == sr("GBCSPayload"):
        return base64(element)
    if (kind := _CONTENTS.get(element.tag)) is not None:
        return kind.from_element(element)
    if element.tag in _OTHER_CONTENTS:
        raise DuisUnsupportedError(
            f"response content {label(element)} is not one solrsim simulates", label(element)
        )
    raise located(element, "not a ResponseMessage content")


ResponseBody = ResponseMessage | DeviceAlertMessage | DCCAlertMessage | SMETS1ResponseMessage
_BODIES: dict[str, type[ResponseBody]] = {
    sr(kind.ELEMENT): kind
    for kind in (ResponseMessage, DeviceAlertMessage, DCCAlertMessage, SMETS1ResponseMessage)
}


@dataclass(frozen=True, slots=True)
class Response:
    """A whole DUIS response; ``signature`` is its ``ds:Signature`` in exclusive C14N, if any."""

    header: ResponseHeader
    body: ResponseBody
    schema_version: str = SCHEMA_VERSION
    signature: bytes | None = None

    def __post_init__(self) -> None:
        check_decimal(self.schema_version)
        if self.signature is not None:
            object.__setattr__(self, "signature", check_signature(self.signature))


def read_response(tree: etree._ElementTree) -> Response:
    """The typed response in a tree parsed by :func:`parse_xml`; the tree is left untouched."""
    schema_version, children = open_document(tree, "Response")
    header = ResponseHeader.from_element(children.required("Header"))
    body = _read_body(children.required("Body"))
    signature = children.signature()
    children.finish()
    return Response(header, body, schema_version, signature)


def _read_body(element: etree._Element) -> ResponseBody:
    children = Children(element)
    body = children.any()
    children.finish()
    if (kind := _BODIES.get(body.tag)) is not None:
        return kind.from_element(body)
    raise located(body, "not a response body")


def parse_response(data: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Response:
    return read_response(parse_xml(data, max_bytes=max_bytes))


def build_response(response: Response) -> etree._Element:
    """The ``sr:Response`` element; serialise it with :func:`dcc.duis.elements.to_bytes`."""
    element = root("Response", response.schema_version)
    response.header.append_to(element)
    response.body.append_to(add(element, "Body"))
    append_signature(element, response.signature)
    return element
