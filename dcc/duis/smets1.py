"""SMETS1 device alerts in DUIS (``sr:SMETS1ResponseMessage``): how the DCC passes on R7 alerts
from a SMETS1 meter, which speaks no GBCS and so has no GBCSPayload to forward.

The alert travels in an ``sr:SMETS1SignedResponse``: an ``sr:SMETS1Response`` whose Header and
DeviceAlertMessage content are MMC ``ra:`` types, then the S1SP's ``ds:Signature``, which the
schema requires. Only that shape is modelled: a SMETS1ResponseMessage answering a request
(ServiceReference, ``ra:ResponsePayload``), the optional ``ra:Header`` fields after
OriginatorCounter, ``ra:GBCSData`` and an alert ``ra:Payload`` are refused with
:class:`DuisUnsupportedError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from lxml import etree

from ._layout import write_fields
from .alerts import (
    ALERT_CODE_RANGE,
    THROTTLING,
    check_throttling,
    format_alert_code,
    parse_alert_code,
)
from .elements import (
    NSMAP,
    RA,
    SCHEMA_VERSION,
    Children,
    add,
    append_signature,
    check_signature,
    date_time,
    eui64,
    integer,
    label,
    located,
    sr,
    text,
    value,
)
from .errors import DuisUnsupportedError
from .ids import check_eui64, format_eui64
from .values import (
    check_datetime,
    check_decimal,
    check_length,
    check_range,
    collapse,
    format_datetime,
)

COUNTER_RANGE = (0, 2**64 - 1)
DESCRIPTION_LENGTH = (0, 250)
SIGNED_RESPONSE = "SMETS1SignedResponse"
# Members of SMETS1ResponseMessage that belong to answers to requests, not to alerts.
_REQUEST_FIELDS = ("ServiceReference", "ServiceReferenceVariant", "DSPScheduleID")


@dataclass(frozen=True, slots=True)
class Smets1AlertContent:
    """What a SMETS1 meter's alert says: ``ra:Header`` (device, recipient, the device's alert
    counter) and ``ra:DeviceAlertContent`` (code, description, when the meter raised it)."""

    device_id: bytes
    target_id: bytes
    originator_counter: int
    alert_code: int
    description: str
    raised_at: datetime

    def __post_init__(self) -> None:
        check_eui64(self.device_id, "BusinessOriginatorID")
        check_eui64(self.target_id, "BusinessTargetID")
        check_range(self.originator_counter, *COUNTER_RANGE, what="OriginatorCounter")
        check_range(self.alert_code, *ALERT_CODE_RANGE, what="GBCSHexAlertCode")
        check_length(self.description, *DESCRIPTION_LENGTH, what="AlertDescription")
        check_datetime(self.raised_at)

    @classmethod
    def from_element(cls, element: etree._Element) -> Smets1AlertContent:
        """``element`` is the ``sr:SMETS1Response``."""
        children = Children(element)
        header = Children(children.required("Header"), namespace=RA)
        device = eui64(header.required("BusinessOriginatorID"))
        target = eui64(header.required("BusinessTargetID"))
        counter = integer(header.required("OriginatorCounter"), *COUNTER_RANGE)
        _refuse_extra(header, "ra:Header")
        body = Children(children.required("Body"))
        message = Children(_alert_message(body.any()), namespace=RA)
        _refuse_if(message.optional("GBCSData"))
        content = Children(message.required("DeviceAlertContent"), namespace=RA)
        code = value(content.required("GBCSHexAlertCode"), parse_alert_code)
        description = text(content.required("AlertDescription"))
        raised_at = date_time(content.required("Timestamp"))
        _refuse_extra(content, "ra:DeviceAlertContent")
        for finished in (message, body, children):
            finished.finish()
        return cls(device, target, counter, code, description, raised_at)

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, "SMETS1Response")
        header = add(element, "Header")
        add(header, "BusinessOriginatorID", format_eui64(self.device_id), RA)
        add(header, "BusinessTargetID", format_eui64(self.target_id), RA)
        add(header, "OriginatorCounter", str(self.originator_counter), RA)
        message = add(add(element, "Body"), "DeviceAlertMessage")
        content = add(message, "DeviceAlertContent", namespace=RA)
        add(content, "GBCSHexAlertCode", format_alert_code(self.alert_code), RA)
        add(content, "AlertDescription", self.description, RA)
        add(content, "Timestamp", format_datetime(self.raised_at), RA)


def _alert_message(element: etree._Element) -> etree._Element:
    if element.tag == sr("DeviceAlertMessage"):
        return element
    if element.tag == sr("ResponseMessage"):
        raise DuisUnsupportedError("SMETS1 responses to requests are not simulated", label(element))
    raise located(element, "not a SMETS1Response body")


def _refuse_if(element: etree._Element | None) -> None:
    if element is not None:
        raise DuisUnsupportedError(f"{label(element)} is not simulated", label(element))


def _refuse_extra(children: Children, where: str) -> None:
    """Valid optional fields solrsim does not model are refused, not silently dropped."""
    extra = children.optional_any()
    if extra is not None:
        raise DuisUnsupportedError(f"{label(extra)} in {where} is not simulated", label(extra))


@dataclass(frozen=True, slots=True)
class SMETS1ResponseMessage:
    """A SMETS1 device alert as delivered to a User; ``signature`` is the S1SP's ``ds:Signature``
    over the SMETS1SignedResponse (exclusive C14N), which the schema requires."""

    ELEMENT: ClassVar[str] = "SMETS1ResponseMessage"

    alert: Smets1AlertContent
    signature: bytes
    schema_version: str = SCHEMA_VERSION  # the SMETS1SignedResponse's own schemaVersion
    throttled_alert_sequence_id: int | None = None
    throttled_alert_count: int | None = None

    def __post_init__(self) -> None:
        check_decimal(self.schema_version)
        check_throttling(self.throttled_alert_sequence_id, self.throttled_alert_count)
        object.__setattr__(self, "signature", check_signature(self.signature))

    @classmethod
    def signed(
        cls, alert: Smets1AlertContent, sign: Callable[[etree._Element], bytes]
    ) -> SMETS1ResponseMessage:
        """The message with ``alert`` signed by ``sign``, which is given the SMETS1SignedResponse
        as a document of its own and returns the ``ds:Signature`` that envelops it, in exclusive
        C14N (as :func:`~dcc.duis.xmldsig.enveloped_signature`)."""
        unsigned = etree.Element(
            sr(SIGNED_RESPONSE), {"schemaVersion": SCHEMA_VERSION}, nsmap={**NSMAP, "ra": RA}
        )
        alert.append_to(unsigned)
        return cls(alert, sign(unsigned))

    @classmethod
    def from_element(cls, element: etree._Element) -> SMETS1ResponseMessage:
        children = Children(element)
        for name in _REQUEST_FIELDS:
            _refuse_if(children.optional(name))
        sequence_id, count = (field.read(children) for field in THROTTLING)
        signed = children.required(SIGNED_RESPONSE)
        children.finish()
        version = signed.get("schemaVersion")
        if version is None:
            raise located(signed, "the schemaVersion attribute is missing")
        parts = Children(signed, frozenset({"schemaVersion"}))
        alert = Smets1AlertContent.from_element(parts.required("SMETS1Response"))
        signature = parts.signature()
        if signature is None:
            raise located(signed, "ds:Signature is missing")
        parts.finish()
        return cls(alert, signature, collapse(version), sequence_id, count)

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, self.ELEMENT)
        write_fields(element, THROTTLING, self)
        signed = etree.SubElement(
            element, sr(SIGNED_RESPONSE), {"schemaVersion": self.schema_version}, nsmap={"ra": RA}
        )
        self.alert.append_to(signed)
        append_signature(signed, self.signature)
