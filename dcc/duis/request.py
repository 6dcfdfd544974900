"""DUIS requests (``sr:Request``) for the service requests solrsim simulates (spec §1).

A SoLR switch uses SR 1.6 Update Payment Mode twice: as a Service Request with CV 4 (the DCC
transforms it into a GBCS pre-command) and, once the pre-command is signed, as a Signed
Pre-Command with CV 5, 6 or 7. SR 8.2 Read Inventory (CV 8) finds the meters. Any other SRV is
refused with :class:`DuisUnsupportedError` (E2: the DCC does not offer it); see
:mod:`dcc.duis.codes` for every refusal's code.

The pipeline reads a document once (:func:`dcc.duis.xmlparse.parse_xml`), validates that tree,
verifies its signature (:mod:`dcc.duis.xmldsig`) and then calls :func:`read_request` on the
same tree, or takes the Request a sender in its process wrote the bytes from, once it is known
to be what the signature covers (:mod:`dcc.duis.signed_document`). The ``ds:Signature``
survives in :attr:`Request.signature`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import ClassVar

from lxml import etree

from devices.gbcs.payment_mode import Activation, PaymentMode, PaymentModeChange

from ._layout import (
    BASE64,
    BOOLEAN,
    DATE_TIME,
    REQUEST_ID,
    TEXT,
    Alternatives,
    Child,
    Document,
    Field,
    Record,
    Text,
    bounded,
)
from ._markup import element
from .codes import COMMAND_VARIANT_INVALID, SRV_NOT_OFFERED
from .elements import (
    Children,
    add,
    label,
    located,
    open_document,
)
from .errors import DuisSchemaError, DuisUnsupportedError, invalid
from .ids import RequestID, check_service_reference
from .inventory import ReadInventory
from .values import (
    INT32,
    check_datetime,
    check_range,
    parse_int,
    shown,
)
from .xmlparse import MAX_DOCUMENT_BYTES, parse_xml

DCC_INTERNAL_COMMAND_VARIANT = 9


class CommandVariant(IntEnum):
    """What the DCC does with a request (spec §1.3); 9 is internal to the DCC, never sent."""

    SEND_COMMAND = 1
    LOCAL_COMMAND = 2
    SEND_AND_LOCAL_COMMAND = 3
    TRANSFORM = 4
    SIGNED_SEND_COMMAND = 5
    SIGNED_LOCAL_COMMAND = 6
    SIGNED_SEND_AND_LOCAL_COMMAND = 7
    NON_DEVICE = 8


SIGNED_PRE_COMMAND_VARIANTS = frozenset(
    {
        CommandVariant.SIGNED_SEND_COMMAND,
        CommandVariant.SIGNED_LOCAL_COMMAND,
        CommandVariant.SIGNED_SEND_AND_LOCAL_COMMAND,
    }
)


def parse_command_variant(raw: str) -> CommandVariant:
    try:
        number = parse_int(raw, 1, DCC_INTERNAL_COMMAND_VARIANT)
    except DuisSchemaError:
        raise invalid(f"CommandVariant {shown(raw)} is not one of 1..8") from None
    if number == DCC_INTERNAL_COMMAND_VARIANT:
        raise DuisSchemaError(
            "CommandVariant 9 is internal to the DCC and never valid in a request",
            COMMAND_VARIANT_INVALID,
        )
    return CommandVariant(number)


COMMAND_VARIANT = Text(parse_command_variant, lambda variant: str(int(variant)))


@dataclass(frozen=True, slots=True)
class RequestHeader(Record):
    """Who asks what of which device: the DCC's routing, access control and replay key."""

    ELEMENT: ClassVar[str] = "Header"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Child("RequestID", "request_id", REQUEST_ID),
        Child("FirstInSequence", "first_in_sequence", BOOLEAN, optional=True),
        Child("PrecedingServiceRequestID", "preceding_request_id", REQUEST_ID, optional=True),
        Child("CommandVariant", "command_variant", COMMAND_VARIANT),
        Child("ServiceReference", "service_reference", TEXT),
        Child("ServiceReferenceVariant", "service_reference_variant", TEXT),
    )

    request_id: RequestID
    command_variant: CommandVariant
    service_reference: str
    service_reference_variant: str
    first_in_sequence: bool | None = None
    preceding_request_id: RequestID | None = None

    def __post_init__(self) -> None:
        check_service_reference(self.service_reference, self.service_reference_variant)


@dataclass(frozen=True, slots=True)
class Credit(Record):
    """Switch the meter to credit mode: the one change MP134B lets the SRP make."""

    ELEMENT: ClassVar[str] = "Credit"
    FIELDS: ClassVar[tuple[Field, ...]] = ()


@dataclass(frozen=True, slots=True)
class Prepayment(Record):
    """Switch to prepayment: a supplier's request, never the SRP's (the pipeline checks that)."""

    ELEMENT: ClassVar[str] = "Prepayment"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Child("SuspendDebtDisabled", "suspend_debt_disabled", BOOLEAN),
        Child("SuspendDebtEmergency", "suspend_debt_emergency", BOOLEAN),
        Child("DisablementThreshold", "disablement_threshold", bounded(*INT32)),
    )

    suspend_debt_disabled: bool
    suspend_debt_emergency: bool
    disablement_threshold: int

    def __post_init__(self) -> None:
        check_range(self.disablement_threshold, *INT32, what="DisablementThreshold")


# An ExecutionDateTime in this year or later cancels (RTDS templates: 3000-12-31).
CANCELLATION_YEAR = 3000
_EXECUTION = Child("ExecutionDateTime", "execution_datetime", DATE_TIME, optional=True)


@dataclass(frozen=True, slots=True)
class UpdatePaymentMode:
    """SR 1.6 body; no ``execution_datetime`` means on demand, one means future dated."""

    ELEMENT: ClassVar[str] = "UpdatePaymentMode"

    mode: Credit | Prepayment
    execution_datetime: datetime | None = None

    def __post_init__(self) -> None:
        if self.execution_datetime is not None:
            check_datetime(self.execution_datetime)

    def change(self) -> PaymentModeChange:
        """The payment-mode change this body asks a device for. An execution time in the year
        3000 or later cancels the pending change, as the RTDS cancellation templates do
        (3000-12-31T00:00:00Z); a time without a zone is UTC, as DUIS times are."""
        when = self.execution_datetime
        activation, execute_at = Activation.IMMEDIATE, None
        if when is not None:
            when = when if when.utcoffset() is not None else when.replace(tzinfo=UTC)
            if when.year >= CANCELLATION_YEAR:
                activation = Activation.CANCELLATION
            else:
                activation, execute_at = Activation.FUTURE_DATED, when
        if isinstance(self.mode, Credit):
            return PaymentModeChange(PaymentMode.CREDIT, activation, execute_at)
        return PaymentModeChange(
            PaymentMode.PREPAYMENT,
            activation,
            execute_at,
            suspend_debt_disabled=self.mode.suspend_debt_disabled,
            suspend_debt_emergency=self.mode.suspend_debt_emergency,
            disablement_threshold=self.mode.disablement_threshold,
        )

    @classmethod
    def from_element(cls, element: etree._Element) -> UpdatePaymentMode:
        children = Children(element)
        execution = _EXECUTION.read(children)
        mode: Credit | Prepayment | None = None
        for kind in (Credit, Prepayment):
            if mode is None and (found := children.optional(kind.ELEMENT)) is not None:
                mode = kind.from_element(found)
        if mode is None:
            raise located(element, "sr:Credit or sr:Prepayment is missing")
        children.finish()
        return cls(mode, execution)

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, self.ELEMENT)
        _EXECUTION.write(element, self.execution_datetime)
        self.mode.append_to(element)

    def markup_to(self, parts: list[str]) -> None:
        """What :meth:`append_to` appends, written as text (:mod:`dcc.duis._markup`)."""
        inner: list[str] = []
        _EXECUTION.markup(inner, self.execution_datetime)
        self.mode.markup_to(inner)
        element(parts, f"sr:{self.ELEMENT}", inner)


@dataclass(frozen=True, slots=True)
class SignedPreCommand(Record):
    """The User's signed GBCS pre-command for a critical SR, sent back with CV 5, 6 or 7."""

    ELEMENT: ClassVar[str] = "SignedPreCommand"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        _EXECUTION,
        Child("GBCSPayload", "gbcs_payload", BASE64),
    )

    gbcs_payload: bytes
    execution_datetime: datetime | None = None

    def __post_init__(self) -> None:
        if self.execution_datetime is not None:
            check_datetime(self.execution_datetime)


RequestBody = UpdatePaymentMode | SignedPreCommand | ReadInventory

# Each Service Request body: the SRV it belongs to and the command variants it may travel with.
# SR 1.6 is transformed (CV 4) for SMETS2+ devices; for SMETS1 devices the Service Request itself
# is sent (CV 1) and the DCC countersigns it (MP134B 2.1.2). The DCC checks which applies.
_SERVICE_REQUESTS: dict[type[RequestBody], tuple[str, frozenset[CommandVariant]]] = {
    UpdatePaymentMode: (
        "1.6",
        frozenset({CommandVariant.TRANSFORM, CommandVariant.SEND_COMMAND}),
    ),
    ReadInventory: ("8.2", frozenset({CommandVariant.NON_DEVICE})),
}
# Critical SRVs whose Signed Pre-Commands solrsim takes: MP134B lets the SRP send only SR 1.6.
SIGNED_PRE_COMMAND_SRVS = frozenset({"1.6"})
SIMULATED_SRVS = frozenset(srv for srv, _ in _SERVICE_REQUESTS.values()) | SIGNED_PRE_COMMAND_SRVS
_BODIES: Alternatives[RequestBody] = Alternatives(
    "request body", (UpdatePaymentMode, SignedPreCommand, ReadInventory)
)


def _check_fit(header: RequestHeader, body: RequestBody) -> None:
    """The body must be the one of the header's SRV, and travel with a CV it allows."""
    srv, cv = header.service_reference_variant, header.command_variant
    if isinstance(body, SignedPreCommand):
        srvs, variants = SIGNED_PRE_COMMAND_SRVS, SIGNED_PRE_COMMAND_VARIANTS
    else:
        own_srv, variants = _SERVICE_REQUESTS[type(body)]
        srvs = frozenset({own_srv})
    if srv not in srvs:
        raise invalid(f"sr:{body.ELEMENT} is not a body of SRV {srv}")
    if cv not in variants:
        allowed = ", ".join(str(int(variant)) for variant in sorted(variants))
        raise DuisSchemaError(
            f"sr:{body.ELEMENT} for SRV {srv} travels with CommandVariant {allowed}, not {int(cv)}",
            COMMAND_VARIANT_INVALID,
        )


@dataclass(frozen=True, slots=True)
class Request(Document[RequestHeader, RequestBody]):
    """A whole DUIS request (``sr:Request``)."""

    ROOT: ClassVar[str] = "Request"

    header: RequestHeader
    body: RequestBody

    def __post_init__(self) -> None:
        Document.__post_init__(self)  # not super(): slots=True makes a new class (Python 3.11)
        _check_fit(self.header, self.body)

    @classmethod
    def read_header(cls, element: etree._Element) -> RequestHeader:
        return RequestHeader.from_element(element)

    @classmethod
    def read_body(cls, element: etree._Element, header: RequestHeader) -> RequestBody:
        children = Children(element)
        body = children.any()
        children.finish()
        srv = header.service_reference_variant
        if srv not in SIMULATED_SRVS:
            raise DuisUnsupportedError(
                f"the DCC does not offer SRV {srv} ({label(body)}); "
                f"it offers {', '.join(sorted(SIMULATED_SRVS))}",
                label(body),
                SRV_NOT_OFFERED,
            )
        return _BODIES.read(body, what=f"request body for SRV {srv}")


def read_request(tree: etree._ElementTree, header: RequestHeader | None = None) -> Request:
    """The typed request in a tree parsed by :func:`parse_xml`; the tree is left untouched.
    ``header`` is what :func:`read_request_header` read from this tree, if it was."""
    return Request.read(tree, header)


def read_request_header(tree: etree._ElementTree) -> RequestHeader:
    """The header alone, for access control to decide on before the body is read."""
    _, children = open_document(tree, "Request")
    return RequestHeader.from_element(children.required("Header"))


def parse_request(data: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Request:
    return read_request(parse_xml(data, max_bytes=max_bytes))


def build_request(request: Request) -> etree._Element:
    """The ``sr:Request`` element; serialise it with :func:`dcc.duis.elements.to_bytes`."""
    return request.build()
