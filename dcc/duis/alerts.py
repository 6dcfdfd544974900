"""Alerts the DCC sends Users (spec §2.3): device alerts, and the DCC's own alerts.

After a SoLR switch the failed supplier's meters keep alerting (tamper, battery, supply loss)
and the DCC delivers those to the SRP; a quarantined request (anomaly detection) and a command
that never reached its device come back as DCC alerts. Other DCC alert kinds are refused with
:class:`DuisUnsupportedError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from lxml import etree

from .codes import DCCAlertCode, DuisUnsupportedError, invalid
from .elements import (
    Children,
    add,
    add_optional,
    base64,
    eui64,
    integer,
    label,
    located,
    optional_value,
    request_id,
    sr,
    value,
)
from .ids import RequestID, check_eui64, format_eui64
from .values import (
    UNSIGNED_INT,
    UNSIGNED_SHORT,
    check_range,
    enum_parser,
    format_base64,
    format_hex,
    parse_hex,
    parse_int,
    shown,
)

ALERT_CODE_RANGE = (0, 0xFFFF)
FUTURE_DATED_ALERT_CODES = frozenset({0x8F66, 0x8F67})
SCHEDULE_ID_RANGE = (0, 10**12)
QUARANTINE_EVENT_REF_RANGE = (-(10**20) + 1, 10**20 - 1)  # xs:integer, totalDigits 20


def parse_alert_code(raw: str) -> int:
    code = parse_hex(raw)
    if len(code) != 2:
        raise invalid(f"alert code {shown(raw)} is not two bytes of hex, as GBCS alert codes are")
    return int.from_bytes(code, "big")


def format_alert_code(code: int) -> str:
    return format_hex(code.to_bytes(2, "big"))


def read_throttling(children: Children) -> tuple[int | None, int | None]:
    def unsigned_int(raw: str) -> int:
        return parse_int(raw, *UNSIGNED_INT)

    sequence_id = optional_value(children.optional("ThrottledAlertSequenceId"), unsigned_int)
    count = optional_value(children.optional("ThrottledAlertCount"), unsigned_int)
    return sequence_id, count


def append_throttling(parent: etree._Element, sequence_id: int | None, count: int | None) -> None:
    add_optional(parent, "ThrottledAlertSequenceId", sequence_id)
    add_optional(parent, "ThrottledAlertCount", count)


def check_throttling(sequence_id: int | None, count: int | None) -> None:
    for name, number in (("ThrottledAlertSequenceId", sequence_id), ("ThrottledAlertCount", count)):
        if number is not None:
            check_range(number, *UNSIGNED_INT, what=name)


@dataclass(frozen=True, slots=True)
class DeviceAlertMessage:
    """A device's GBCS alert passed on by the DCC; ``alert_code`` is hexBinary on the wire."""

    ELEMENT: ClassVar[str] = "DeviceAlertMessage"

    alert_code: int
    gbcs_payload: bytes
    throttled_alert_sequence_id: int | None = None
    throttled_alert_count: int | None = None

    def __post_init__(self) -> None:
        check_range(self.alert_code, *ALERT_CODE_RANGE, what="AlertCode")
        check_throttling(self.throttled_alert_sequence_id, self.throttled_alert_count)

    @classmethod
    def from_element(cls, element: etree._Element) -> DeviceAlertMessage:
        children = Children(element)
        code = value(children.required("AlertCode"), parse_alert_code)
        sequence_id, count = read_throttling(children)
        payload = base64(children.required("GBCSPayload"))
        children.finish()
        return cls(code, payload, sequence_id, count)

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, self.ELEMENT)
        add(element, "AlertCode", format_alert_code(self.alert_code))
        append_throttling(element, self.throttled_alert_sequence_id, self.throttled_alert_count)
        add(element, "GBCSPayload", format_base64(self.gbcs_payload))


@dataclass(frozen=True, slots=True)
class FutureDatedDeviceAlertMessage:
    """The outcome of a future-dated command (alert 8F66 / 8F67), inside a ResponseMessage."""

    ELEMENT: ClassVar[str] = "FutureDatedDeviceAlertMessage"

    alert_code: int
    gbcs_payload: bytes
    instruction_number: int
    total_command_instructions: int

    def __post_init__(self) -> None:
        if self.alert_code not in FUTURE_DATED_ALERT_CODES:
            raise invalid(f"future-dated alert code {self.alert_code:04X} is not 8F66 or 8F67")
        check_range(self.instruction_number, *UNSIGNED_SHORT, what="InstructionNumber")
        check_range(
            self.total_command_instructions, *UNSIGNED_SHORT, what="TotalCommandInstructions"
        )

    @classmethod
    def from_element(cls, element: etree._Element) -> FutureDatedDeviceAlertMessage:
        children = Children(element)
        code = value(children.required("FutureDatedAlertCode"), parse_alert_code)
        payload = base64(children.required("GBCSPayload"))
        number = integer(children.required("InstructionNumber"), *UNSIGNED_SHORT)
        total = integer(children.required("TotalCommandInstructions"), *UNSIGNED_SHORT)
        children.finish()
        return cls(code, payload, number, total)

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, self.ELEMENT)
        add(element, "FutureDatedAlertCode", format_alert_code(self.alert_code))
        add(element, "GBCSPayload", format_base64(self.gbcs_payload))
        add(element, "InstructionNumber", str(self.instruction_number))
        add(element, "TotalCommandInstructions", str(self.total_command_instructions))


class BreachKind(StrEnum):
    """Which anomaly-detection threshold quarantined a request (spec §6)."""

    USER_THRESHOLD = "ADUserThresholdBreach"
    DCC_THRESHOLD = "ADDCCThresholdBreach"
    ATTRIBUTE_LIMITS = "ADAttributeLimitsBreach"


_BREACHES = {sr(kind): kind for kind in BreachKind}


@dataclass(frozen=True, slots=True)
class QuarantinedRequest:
    """A request anomaly detection held back; the event reference identifies it in reports."""

    ELEMENT: ClassVar[str] = "QuarantinedRequest"

    kind: BreachKind
    request_id: RequestID
    quarantine_event_ref: int

    def __post_init__(self) -> None:
        check_range(
            self.quarantine_event_ref, *QUARANTINE_EVENT_REF_RANGE, what="QuarantineEventRef"
        )

    @classmethod
    def from_element(cls, element: etree._Element) -> QuarantinedRequest:
        children = Children(element)
        breach = children.any()
        children.finish()
        kind = _BREACHES.get(breach.tag)
        if kind is None:
            raise located(breach, f"not one of {', '.join(BreachKind)}")
        fields = Children(breach)
        rid = request_id(fields.required("RequestID"))
        event_ref = integer(fields.required("QuarantineEventRef"), *QUARANTINE_EVENT_REF_RANGE)
        fields.finish()
        return cls(kind, rid, event_ref)

    def append_to(self, parent: etree._Element) -> None:
        breach = add(add(parent, self.ELEMENT), str(self.kind))
        add(breach, "RequestID", str(self.request_id))
        add(breach, "QuarantineEventRef", str(self.quarantine_event_ref))


@dataclass(frozen=True, slots=True)
class CommandFailure:
    """A command the DCC could not deliver to its device."""

    ELEMENT: ClassVar[str] = "CommandFailure"

    command_request_id: RequestID
    device_id: bytes
    dsp_schedule_id: int | None = None

    def __post_init__(self) -> None:
        check_eui64(self.device_id, "DeviceID")
        if self.dsp_schedule_id is not None:
            check_range(self.dsp_schedule_id, *SCHEDULE_ID_RANGE, what="DSPScheduleID")

    @classmethod
    def from_element(cls, element: etree._Element) -> CommandFailure:
        children = Children(element)
        rid = request_id(children.required("CommandRequestID"))
        schedule = optional_value(
            children.optional("DSPScheduleID"), lambda raw: parse_int(raw, *SCHEDULE_ID_RANGE)
        )
        device = eui64(children.required("DeviceID"))
        children.finish()
        return cls(rid, device, schedule)

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, self.ELEMENT)
        add(element, "CommandRequestID", str(self.command_request_id))
        add_optional(element, "DSPScheduleID", self.dsp_schedule_id)
        add(element, "DeviceID", format_eui64(self.device_id))


DCCAlert = QuarantinedRequest | CommandFailure
_DCC_ALERTS: dict[str, type[DCCAlert]] = {
    sr(kind.ELEMENT): kind for kind in (QuarantinedRequest, CommandFailure)
}
# The other members of the XSD's DCCAlert choice: valid DUIS, not simulated.
_OTHER_DCC_ALERTS = frozenset(
    sr(name)
    for name in (
        "PowerOutageEvent",
        "DeviceStatusChangeEvent",
        "DSPScheduleRemoval",
        "FirmwareDistributionFailure",
        "UpdateHANDeviceLogResult",
        "ChangeOfSupplier",
        "DeviceLogRestored",
        "PPMIDAlert",
        "SecurityCredentialsUpdated",
        "PPMIDRemoval",
        "FirmwareVersionMismatch",
        "DualBandCHAlert",
        "S1SPAlertDSP",
        "SMETS1CHFirmwareNotification",
        "ALCSHCALCSConfigurationChange",
        "FirmwareUpgradeRequested",
        "CSPFirmwareDeliveryStatus",
        "CommsHubAlert",
        "ECoSAlert",
        "CommsHubFirmwareActivation",
        "CoSCertificateAlert",
        "DUISVersionMismatch",
    )
)


def _read_dcc_alert(element: etree._Element) -> DCCAlert:
    children = Children(element)
    alert = children.any()
    children.finish()
    if (kind := _DCC_ALERTS.get(alert.tag)) is not None:
        return kind.from_element(alert)
    if alert.tag in _OTHER_DCC_ALERTS:
        raise DuisUnsupportedError(
            f"DCC alert {label(alert)} is not one solrsim simulates", label(alert)
        )
    raise located(alert, "not a DCC alert")


@dataclass(frozen=True, slots=True)
class DCCAlertMessage:
    """An alert the DCC raises itself; ``AD1`` is the likely code for quarantines (spec §6)."""

    ELEMENT: ClassVar[str] = "DCCAlertMessage"

    dcc_alert_code: DCCAlertCode
    dcc_alert: DCCAlert
    throttled_alert_sequence_id: int | None = None
    throttled_alert_count: int | None = None

    def __post_init__(self) -> None:
        check_throttling(self.throttled_alert_sequence_id, self.throttled_alert_count)

    @classmethod
    def from_element(cls, element: etree._Element) -> DCCAlertMessage:
        children = Children(element)
        code = value(children.required("DCCAlertCode"), enum_parser(DCCAlertCode), preserve=True)
        sequence_id, count = read_throttling(children)
        alert = _read_dcc_alert(children.required("DCCAlert"))
        children.finish()
        return cls(code, alert, sequence_id, count)

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, self.ELEMENT)
        add(element, "DCCAlertCode", str(self.dcc_alert_code))
        append_throttling(element, self.throttled_alert_sequence_id, self.throttled_alert_count)
        self.dcc_alert.append_to(add(element, "DCCAlert"))
