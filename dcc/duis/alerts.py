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

from ._layout import (
    BASE64,
    EUI64,
    REQUEST_ID,
    Alternatives,
    Child,
    Content,
    Field,
    Record,
    Text,
    bounded,
    enumeration,
    read_fields,
    write_fields,
)
from .codes import DCCAlertCode
from .elements import (
    Children,
    add,
    located,
    sr,
)
from .errors import invalid
from .ids import RequestID, check_eui64
from .values import (
    UNSIGNED_INT,
    UNSIGNED_SHORT,
    check_range,
    format_hex,
    parse_hex,
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


def check_throttling(sequence_id: int | None, count: int | None) -> None:
    for name, number in (("ThrottledAlertSequenceId", sequence_id), ("ThrottledAlertCount", count)):
        if number is not None:
            check_range(number, *UNSIGNED_INT, what=name)


ALERT_CODE = Text(parse_alert_code, format_alert_code)
_COUNTER = bounded(*UNSIGNED_INT)
THROTTLING = (
    Child("ThrottledAlertSequenceId", "throttled_alert_sequence_id", _COUNTER, optional=True),
    Child("ThrottledAlertCount", "throttled_alert_count", _COUNTER, optional=True),
)


@dataclass(frozen=True, slots=True)
class DeviceAlertMessage(Record):
    """A device's GBCS alert passed on by the DCC; ``alert_code`` is hexBinary on the wire."""

    ELEMENT: ClassVar[str] = "DeviceAlertMessage"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Child("AlertCode", "alert_code", ALERT_CODE),
        *THROTTLING,
        Child("GBCSPayload", "gbcs_payload", BASE64),
    )

    alert_code: int
    gbcs_payload: bytes
    throttled_alert_sequence_id: int | None = None
    throttled_alert_count: int | None = None

    def __post_init__(self) -> None:
        check_range(self.alert_code, *ALERT_CODE_RANGE, what="AlertCode")
        check_throttling(self.throttled_alert_sequence_id, self.throttled_alert_count)


@dataclass(frozen=True, slots=True)
class FutureDatedDeviceAlertMessage(Record):
    """The outcome of a future-dated command (alert 8F66 / 8F67), inside a ResponseMessage."""

    ELEMENT: ClassVar[str] = "FutureDatedDeviceAlertMessage"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Child("FutureDatedAlertCode", "alert_code", ALERT_CODE),
        Child("GBCSPayload", "gbcs_payload", BASE64),
        Child("InstructionNumber", "instruction_number", bounded(*UNSIGNED_SHORT)),
        Child("TotalCommandInstructions", "total_command_instructions", bounded(*UNSIGNED_SHORT)),
    )

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


class BreachKind(StrEnum):
    """Which anomaly-detection threshold quarantined a request (spec §6)."""

    USER_THRESHOLD = "ADUserThresholdBreach"
    DCC_THRESHOLD = "ADDCCThresholdBreach"
    ATTRIBUTE_LIMITS = "ADAttributeLimitsBreach"


_BREACHES = {sr(kind): kind for kind in BreachKind}
# Every breach element holds the same two children.
_BREACH_FIELDS = (
    Child("RequestID", "request_id", REQUEST_ID),
    Child("QuarantineEventRef", "quarantine_event_ref", bounded(*QUARANTINE_EVENT_REF_RANGE)),
)


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
        kind = _BREACHES.get(breach.tag) if isinstance(breach.tag, str) else None
        if kind is None:
            raise located(breach, f"not one of {', '.join(BreachKind)}")
        return cls(kind, **read_fields(breach, _BREACH_FIELDS))

    def append_to(self, parent: etree._Element) -> None:
        write_fields(add(add(parent, self.ELEMENT), str(self.kind)), _BREACH_FIELDS, self)


@dataclass(frozen=True, slots=True)
class CommandFailure(Record):
    """A command the DCC could not deliver to its device."""

    ELEMENT: ClassVar[str] = "CommandFailure"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Child("CommandRequestID", "command_request_id", REQUEST_ID),
        Child("DSPScheduleID", "dsp_schedule_id", bounded(*SCHEDULE_ID_RANGE), optional=True),
        Child("DeviceID", "device_id", EUI64),
    )

    command_request_id: RequestID
    device_id: bytes
    dsp_schedule_id: int | None = None

    def __post_init__(self) -> None:
        check_eui64(self.device_id, "DeviceID")
        if self.dsp_schedule_id is not None:
            check_range(self.dsp_schedule_id, *SCHEDULE_ID_RANGE, what="DSPScheduleID")


DCCAlert = QuarantinedRequest | CommandFailure
# The XSD's DCCAlert choice: the members solrsim models, and the rest (valid DUIS, not simulated).
_DCC_ALERTS: Alternatives[DCCAlert] = Alternatives(
    "DCC alert",
    (QuarantinedRequest, CommandFailure),
    others=(
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
    ),
)


def _append_dcc_alert(element: etree._Element, alert: DCCAlert) -> None:
    alert.append_to(element)


@dataclass(frozen=True, slots=True)
class DCCAlertMessage(Record):
    """An alert the DCC raises itself; ``AD1`` is the likely code for quarantines (spec §6)."""

    ELEMENT: ClassVar[str] = "DCCAlertMessage"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Child("DCCAlertCode", "dcc_alert_code", enumeration(DCCAlertCode)),
        *THROTTLING,
        Child("DCCAlert", "dcc_alert", Content(_DCC_ALERTS.read_only_child, _append_dcc_alert)),
    )

    dcc_alert_code: DCCAlertCode
    dcc_alert: DCCAlert
    throttled_alert_sequence_id: int | None = None
    throttled_alert_count: int | None = None

    def __post_init__(self) -> None:
        check_throttling(self.throttled_alert_sequence_id, self.throttled_alert_count)
