"""GBCS alert codes: their names, and which of them are safety-critical.

Devices send alert codes we may not know, so a lookup never fails: an unknown code gets the name
"Unknown alert 0xXXXX". R7.2 of the SoLR requirements names nine safety-critical alerts that the
DCC must always deliver, and says the list is configuration; :func:`catalogue` builds a view with
another list.

Names from SmartDCCInnovation/gbcs-parser ``src/util.ts`` (``alertCodes``), trailing spaces and
doubled words removed. The 48 power-quality codes there (RMS voltage swell/sag and average-voltage
thresholds, 0x8002-0x809C) are left out: they fall back to the unknown name. 0x8F85-0x8F88 occur in
RTDS 4.5.0 (folders NA_ECS100-NA_ECS200) but have no public name; they are named after their use
case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

from .errors import LocalProtocolError


@dataclass(frozen=True, slots=True)
class AlertCode:
    code: int
    name: str
    safety_critical: bool


_NAMES = MappingProxyType(
    {
        0x8010: "Over Current",
        0x8011: "Over Current L1",
        0x8013: "Over Current L3",
        0x8014: "Power Factor Threshold Below",
        0x8015: "Power Factor Threshold Ok",
        0x8016: "Over Current L2",
        0x8071: "GPF Device Log Changed",
        0x810D: "Combined Credit Below Low Credit Threshold (prepayment mode)",
        0x810E: "Credit Added Locally",
        0x8119: "Emergency Credit Has Become Available (prepayment mode)",
        0x8145: "Clock adjusted (within tolerance)",
        0x8154: "Immediate HAN Interface Command Received and Successfully Actioned",
        0x8155: "Immediate HAN Interface Command Received but not Successfully Actioned",
        0x8161: "User Interface Command Input and Successfully Actioned",
        0x8162: "User Interface Command Input but not Successfully Actioned",
        0x8168: "Supply Disabled then Armed - Activate Emergency Credit triggered",
        0x8183: "Device joined SMHAN",
        0x8184: "Valve tested",
        0x819D: "GSME Command Not Retrieved",
        0x819E: "Tap Off Message Response or Alert Failure",
        0x81A0: "Smart Meter Integrity Issue - Warning",
        0x81A1: "Battery Cover Closed",
        0x81A2: "CH Connected to ESME",
        0x81A3: "CH Disconnected from ESME",
        0x81A4: "Close Tunnel Command Rejected",
        0x81A5: "Communication From Local Port (e.g. Optical)",
        0x81A6: "Customer Acknowledged Message on HAN Device",
        0x81A7: "Debt Collection Completed - Time Debt 1",
        0x81A8: "Debt Collection Completed - Time Debt 2",
        0x81A9: "Debt Collection Completed - Payment Debt",
        0x81AA: "Emergency Credit Exhausted",
        0x81AB: "Emergency Credit Activated",
        0x81AC: "Error Measurement Fault",
        0x81AD: "Error Metrology Firmware Verification Failure",
        0x81AE: "Error Non Volatile Memory",
        0x81AF: "Error Program Execution",
        0x81B0: "Error Program Storage",
        0x81B1: "Error RAM",
        0x81B2: "Error Unexpected Hardware Reset",
        0x81B3: "Error Watchdog",
        0x81B4: "Excess Gas Flow Beyond Meter Capacity",
        0x81B5: "Flow Sensor Detects Air in Gas Flow",
        0x81B6: "Flow Sensor Detects Reverse Flow of Gas",
        0x81B7: "Incorrect phase sequencing",
        0x81B8: "Incorrect Polarity",
        0x81B9: "Meter Cover Closed",
        0x81BA: "Request Tunnel Command Rejected",
        0x81BB: "Reverse Current",
        0x81BC: "Strong Magnetic Field Removed",
        0x81BD: "Supply Connect Failure (Valve or Load Switch)",
        0x81BE: "Supply Disabled Then Locked - Supply Tamper State Cause",
        0x81BF: "Supply Disabled Then Armed - Uncontrolled Gas Flow Rate",
        0x81C0: "Supply Disconnect Failure (Valve or Load Switch)",
        0x81C1: "Terminal Cover Closed",
        0x81C2: "Tilt Tamper Ended",
        0x81C3: "Tilt Tamper",
        0x81C4: "UTRN Manual Entry Suspended",
        0x81C5: "UTRN rejected as locked out",
        0x81C6: "Clock not adjusted (outside tolerance)",
        0x8F01: "Active Power Import above Load Limit Threshold",
        0x8F0A: "Billing Data Log Updated",
        0x8F0C: "Clock not adjusted (adjustment greater than 10 seconds)",
        0x8F0F: "Credit Below Disablement Threshold (prepayment mode)",
        0x8F12: "CHF Device Log Changed",
        0x8F1B: "Firmware Verification Failed At Power On",
        0x8F1C: "Firmware Verification Failed",
        0x8F1D: "GSME Power Supply Loss",
        0x8F1E: "Integrity check of content or format of command failed",
        0x8F1F: "Low Battery Capacity",
        0x8F20: "Limited Duty Cycle Action Taken",
        0x8F21: "Duty Cycle fallen below Normal-Limited Duty Cycle Threshold",
        0x8F22: "Critical Duty Cycle Action Taken",
        0x8F23: "Duty Cycle fallen below Limited-Critical Duty Cycle Threshold",
        0x8F24: "Regulated Duty Cycle Action Taken",
        0x8F25: "Duty Cycle fallen below Critical-Regulated Duty Cycle Threshold",
        0x8F26: "Sub GHz Channel Changed",
        0x8F27: "Sub GHz Channel Scan initiated",
        0x8F28: "Sub GHz Channel Scan Request Assessment Outcome",
        0x8F29: "Three Lost GSME Searches Failed",
        0x8F2A: "Sub GHz Configuration Changed",
        0x8F2B: "Sub GHz Channel not changed due to Frequency Agility Parameters",
        0x8F2C: "Message Discarded Due to Duty Cycle Management",
        0x8F2D: "No More Sub GHz Device Capacity",
        0x8F30: "Source Does not have Authority for Command",
        0x8F32: "Supply Armed",
        0x8F33: "Supply Disabled then Armed - Load Limit triggered",
        0x8F34: "Supply Enabled after Load Limit Restoration Period (Load Limit triggered)",
        0x8F35: "Supply Outage Restored",
        0x8F36: "Supply Outage Restored - Outage >= 3 minutes",
        0x8F37: "Supply Outage Restored on Phase 1",
        0x8F38: "Supply Outage Restored on Phase 1 - Outage >= 3 minutes",
        0x8F39: "Supply Outage Restored on Phase 2",
        0x8F3A: "Supply Outage Restored on Phase 2 - Outage >= 3 minutes",
        0x8F3B: "Supply Outage Restored on Phase 3",
        0x8F3C: "Supply Outage Restored on Phase 3 - Outage >= 3 minutes",
        0x8F3D: "Trusted Source Authentication Failure",
        0x8F3E: "Unauthorised Communication Access attempted",
        0x8F3F: "Unauthorised Physical Access - Tamper Detect",
        0x8F43: "Change in the executing Firmware version",
        0x8F47: "Credit would cause Meter Balance to exceed Maximum Meter Balance Threshold",
        0x8F48: "Device joining failed",
        0x8F49: "Device joining succeeded",
        0x8F4A: "Device Unjoining failed",
        0x8F4B: "Device Unjoining succeeded",
        0x8F4C: "Device's own Digital Signing Certificate replacement failed",
        0x8F4D: "Device's own Digital Signing Certificate replacement succeeded",
        0x8F4E: "Device's own Key Agreement Certificate replacement failed",
        0x8F4F: "Device's own Key Agreement Certificate replacement succeeded",
        0x8F51: "Duplicate UTRN entered",
        0x8F52: "Event Log Cleared",
        0x8F53: "Failed Authentication or Authorisation not covered by other codes",
        0x8F57: "Supply interrupted",
        0x8F58: "Supply interrupted on Phase 1",
        0x8F59: "Supply interrupted on Phase 2",
        0x8F5A: "Supply interrupted on Phase 3",
        0x8F5B: "UTRN exceeds Maximum Credit Threshold",
        0x8F60: "Unusual numbers of malformed, out-of-order or unexpected Commands received",
        0x8F63: "UTRN not Authentic",
        0x8F64: "UTRN not for this Device",
        0x8F66: "Future-date HAN Interface Command Successfully Actioned",
        0x8F67: "Future-date HAN Interface Command not Successfully Actioned",
        0x8F69: "Device commissioned",
        0x8F70: "Update Security Credentials",
        0x8F72: "Firmware Verification Successful",
        0x8F73: "Unauthorised Physical Access - Battery Cover Removed",
        0x8F74: "Unauthorised Physical Access - Meter Cover Removed",
        0x8F75: "Unauthorised Physical Access - Strong Magnetic field",
        0x8F76: "Unauthorised Physical Access - Terminal Cover Removed",
        0x8F77: "Unauthorised Physical Access - Second Terminal Cover Removed",
        0x8F78: "Unauthorised Physical Access - Other",
        0x8F82: "Remaining Battery Capacity reset",
        0x8F83: "Disablement of Supply due to insufficient credit has been suspended",
        0x8F84: "Failure to Deliver Remote Party Message to ESME",
        0x8F85: "ECS100 alert",
        0x8F86: "ECS101 alert",
        0x8F87: "ECS102 alert",
        0x8F88: "ECS200 alert",
        0x8F89: "Firmware transfer alert FAIL",
        0x8F8A: "Firmware transfer alert SUCCESS",
        0x8F8B: "Read Firmware version alert",
    }
)

R7_2_SAFETY_CRITICAL: frozenset[int] = frozenset(
    {0x8F1F, 0x8F3F, 0x8F73, 0x8F74, 0x8F75, 0x8F76, 0x8F77, 0x8F78, 0x8F1D}
)
"""The nine alerts R7.2 says are always delivered: low battery, tamper and GSME power loss."""


@dataclass(frozen=True, slots=True)
class AlertCatalogue:
    """The alert names with one choice of safety-critical codes.

    A configured code is flagged even when it has no name here, so configuration can add an alert
    this catalogue does not know yet.
    """

    safety_critical: frozenset[int]

    def alert(self, code: int) -> AlertCode:
        name = _NAMES.get(code, f"Unknown alert 0x{code:04X}")
        return AlertCode(code, name, code in self.safety_critical)

    def known(self) -> tuple[AlertCode, ...]:
        """Every named alert, in code order."""
        return tuple(self.alert(code) for code in sorted(_NAMES))


def catalogue(safety_critical: Iterable[int] = R7_2_SAFETY_CRITICAL) -> AlertCatalogue:
    """A catalogue that flags exactly ``safety_critical``, e.g. the list from the TOML config."""
    codes = frozenset(safety_critical)
    bad = sorted(c for c in codes if not 0 <= c <= 0xFFFF)
    if bad:
        raise LocalProtocolError(f"alert codes are 2 bytes, got {bad}")
    return AlertCatalogue(codes)


DEFAULT = catalogue()


def alert(code: int) -> AlertCode:
    """The alert of ``code`` under the R7.2 safety-critical list; never fails."""
    return DEFAULT.alert(code)
