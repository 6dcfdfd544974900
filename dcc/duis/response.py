"""DUIS responses (``sr:Response``): what the DCC sends back, and the alerts it delivers (spec §2).

A ResponseMessage names the SRV it answers and carries at most one content: the GBCS pre-command
of a transform (CV 4), a device's GBCS response, a command for local delivery, the inventory
(SR 8.2) or the outcome of a future-dated command. Acknowledgements and refusals carry none and
are unsigned (the E65 sample). A SMETS1 device's alert comes in an SMETS1ResponseMessage
(:mod:`dcc.duis.smets1`). Other contents are refused with :class:`DuisUnsupportedError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from lxml import etree

from devices.gbcs.frame import GbcsMessage

from ._layout import (
    BASE64,
    DATE_TIME,
    REQUEST_ID,
    RESPONSE_ID,
    TEXT,
    Alternatives,
    Child,
    Choice,
    Document,
    Field,
    Record,
    enumeration,
)
from ._markup import NoMarkup
from .alerts import DCCAlertMessage, DeviceAlertMessage, FutureDatedDeviceAlertMessage
from .codes import ResponseCode
from .elements import (
    add,
    sr,
)
from .ids import RequestID, ResponseID, check_service_reference
from .inventory import DSPInventory
from .smets1 import SMETS1ResponseMessage
from .values import (
    check_datetime,
)
from .xmlparse import MAX_DOCUMENT_BYTES, parse_xml


@dataclass(frozen=True, slots=True)
class ResponseHeader(Record):
    """A device response has both IDs; acknowledgements and non-device answers the RequestID."""

    ELEMENT: ClassVar[str] = "Header"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Child("RequestID", "request_id", REQUEST_ID, optional=True),
        Child("ResponseID", "response_id", RESPONSE_ID, optional=True),
        Child("ResponseCode", "response_code", enumeration(ResponseCode)),
        Child("ResponseDateTime", "response_datetime", DATE_TIME),
    )

    response_code: ResponseCode
    response_datetime: datetime
    request_id: RequestID | None = None
    response_id: ResponseID | None = None

    def __post_init__(self) -> None:
        check_datetime(self.response_datetime)


@dataclass(frozen=True, slots=True)
class PreCommand(Record):
    """The DCC's transform of a critical SR: the GBCS command for the User to sign."""

    ELEMENT: ClassVar[str] = "PreCommand"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Child("GBCSVersion", "gbcs_version", TEXT),
        Child("GBCSPayload", "gbcs_payload", BASE64),
    )

    gbcs_version: str
    gbcs_payload: bytes
    # The message the payload encodes, when the DCC in this process made it: a User's system
    # there takes it in place of decoding the payload only if it encodes to the payload.
    message: GbcsMessage | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class LocalCommand(Record):
    """A command returned to the User for delivery over the HAN (CV 2, 3, 6, 7)."""

    ELEMENT: ClassVar[str] = "LocalCommand"
    FIELDS: ClassVar[tuple[Field, ...]] = (Child("GBCSPayload", "gbcs_payload", BASE64),)

    gbcs_payload: bytes


_Content = PreCommand | LocalCommand | DSPInventory | FutureDatedDeviceAlertMessage
# ``bytes`` is a bare sr:GBCSPayload: a device's GBCS response.
ResponseContent = _Content | bytes
# The XSD's ResponseMessage choice: the members solrsim models, and the rest (valid DUIS, not
# simulated); a bare sr:GBCSPayload is read apart.
_CONTENTS: Alternatives[_Content] = Alternatives(
    "ResponseMessage content",
    (PreCommand, LocalCommand, DSPInventory, FutureDatedDeviceAlertMessage),
    others=(
        "CINMessage",
        "DSPOptIn",
        "DSPSchedulesRead",
        "DSPScheduledMessage",
        "DSPScheduleID",
        "DSPUpdateFirmwareWarning",
        "DSPUpdatePPMIDFirmwareWarning",
        "DSPWANMatrix",
    ),
    named="response content",
)


def _read_content(element: etree._Element) -> ResponseContent:
    if element.tag == sr("GBCSPayload"):
        return BASE64.read(element)
    return _CONTENTS.read(element)


def _append_content(parent: etree._Element, content: ResponseContent) -> None:
    if isinstance(content, bytes):
        BASE64.write(add(parent, "GBCSPayload"), content)
    else:
        content.append_to(parent)


def _content_markup(parts: list[str], content: ResponseContent) -> None:
    if isinstance(content, bytes):
        BASE64.markup(parts, "sr:GBCSPayload", content)
        return
    markup_to = getattr(content, "markup_to", None)
    if markup_to is None:
        raise NoMarkup(content.ELEMENT)
    markup_to(parts)


@dataclass(frozen=True, slots=True)
class ResponseMessage(Record):
    """The answer to one SRV; no content for acknowledgements (I99) and refusals."""

    ELEMENT: ClassVar[str] = "ResponseMessage"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Child("ServiceReference", "service_reference", TEXT),
        Child("ServiceReferenceVariant", "service_reference_variant", TEXT),
        Choice(
            "content", _read_content, _append_content, optional=True, markup_writer=_content_markup
        ),
    )

    service_reference: str
    service_reference_variant: str
    content: ResponseContent | None = None

    def __post_init__(self) -> None:
        check_service_reference(self.service_reference, self.service_reference_variant)


ResponseBody = ResponseMessage | DeviceAlertMessage | DCCAlertMessage | SMETS1ResponseMessage
_BODIES: Alternatives[ResponseBody] = Alternatives(
    "response body",
    (ResponseMessage, DeviceAlertMessage, DCCAlertMessage, SMETS1ResponseMessage),
)


@dataclass(frozen=True, slots=True)
class Response(Document[ResponseHeader, ResponseBody]):
    """A whole DUIS response (``sr:Response``)."""

    ROOT: ClassVar[str] = "Response"

    header: ResponseHeader
    body: ResponseBody

    @classmethod
    def read_header(cls, element: etree._Element) -> ResponseHeader:
        return ResponseHeader.from_element(element)

    @classmethod
    def read_body(cls, element: etree._Element, header: ResponseHeader) -> ResponseBody:
        return _BODIES.read_only_child(element)


def read_response(tree: etree._ElementTree) -> Response:
    """The typed response in a tree parsed by :func:`parse_xml`; the tree is left untouched."""
    return Response.read(tree)


def parse_response(data: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Response:
    return read_response(parse_xml(data, max_bytes=max_bytes))


def build_response(response: Response) -> etree._Element:
    """The ``sr:Response`` element; serialise it with :func:`dcc.duis.elements.to_bytes`."""
    return response.build()
