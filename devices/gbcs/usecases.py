"""The GBCS use cases, keyed by the 2-byte message code of the grouping header.

A decoder needs to name a message from its code alone, and a simulated meter needs to know whether
a command must carry a Supplier signature (critical, SME.C.C) or only the ACB's MAC (SME.C.NC).

Sources: message codes and titles from SmartDCCInnovation/gbcs-parser ``src/util.ts``
(``messageCodes``); SRVs from HenryGiraldo/gbcs-parser-js
``service-request-use-cases_files/sheet001.htm`` and the RTDS 4.5.0 folder names; titles of codes
that util.ts lacks from the DUIS service-request names in SmartDCCInnovation/duis-parser
``src/duis-request-matrix.json``. The ``critical`` flag is how the RTDS 4.5.0 reference messages
frame each code: a critical command is MAC-wrapped and carries a 64-byte signature, a critical
alert is signed and not MAC-wrapped. Where RTDS has no command (CS02b 0x0100, 0x0101, 0x0109;
PECS01-03, HECS01; alert 0x00D5) the flag follows the sibling use cases and is unverified.

One code can serve several SRVs (ECS70 in 6.11 and 8.1.1), one SRV several codes (1.6 has four)
and one use case several codes (CS02b is 0x0100-0x0109, one per credential pair). Alerts without a
GBCS use-case ID are named by the initials of their title, as the RTDS folders do (GCA, MIIWA).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType


class DeviceType(Enum):
    """The device a use case addresses (commands) or comes from (alerts)."""

    ESME = "ESME"
    GSME = "GSME"
    CHF = "CHF"
    GPF = "GPF"
    PPMID = "PPMID"
    HCALCS = "HCALCS"
    ANY = "ANY"


class Kind(Enum):
    COMMAND = "command"
    ALERT = "alert"


@dataclass(frozen=True, slots=True)
class UseCase:
    name: str
    title: str
    message_code: int
    srvs: tuple[str, ...]
    critical: bool
    device: DeviceType
    kind: Kind

    @property
    def srv(self) -> str | None:
        """The first service reference variant, or None for alerts and non-SR commands."""
        return self.srvs[0] if self.srvs else None


_D = DeviceType


def _cmd(
    code: int, name: str, srvs: str, critical: bool, device: DeviceType, title: str
) -> UseCase:
    return UseCase(name, title, code, tuple(srvs.split()), critical, device, Kind.COMMAND)


def _alert(code: int, name: str, critical: bool, device: DeviceType, title: str) -> UseCase:
    return UseCase(name, title, code, (), critical, device, Kind.ALERT)


USE_CASES: tuple[UseCase, ...] = (
    _cmd(0x0001, "CCS01", "8.11", False, _D.CHF, "Add Device to CHF device log"),
    _cmd(0x0002, "CCS02", "8.11", False, _D.CHF, "Remove device from CHF device log"),
    _cmd(0x0003, "CCS03", "8.12.1", False, _D.CHF, "Restore CHF Device Log"),
    # Not in util.ts: RTDS folder 8.9_CCS05CCS04; title from the DUIS name of SR 8.9.
    _cmd(0x0004, "CCS05CCS04", "8.9", False, _D.CHF, "Read Device Log (CHF)"),
    _cmd(0x0007, "CS01a", "2.2", False, _D.ESME, "Apply Prepayment Top Up to an ESME"),
    # RTDS also sends CS02a and CS02f signed without a MAC header (folders NA_CS02*Signature).
    _cmd(0x0008, "CS02a", "6.24.1", False, _D.ANY, "Provide Security Credentials Details"),
    _cmd(0x000A, "CS02c", "6.17", True, _D.ANY, "Issue Security Credentials"),
    _cmd(0x000B, "CS02d", "6.15.2", True, _D.ANY, "Update Device Certificates on Device"),
    _cmd(0x000C, "CS02e", "6.24.2", True, _D.ANY, "Provide Device Certificates from Device"),
    _cmd(0x000D, "CS03A1", "8.7.1", True, _D.ANY, "Method A Join (Meter)"),
    _cmd(0x000E, "CS03B", "8.7.2", False, _D.ANY, "Method B Join"),
    _cmd(0x000F, "CS04AC", "8.8.1 8.8.2", True, _D.ANY, "Method A or C Unjoin"),
    _cmd(0x0010, "CS04B", "8.8.2", False, _D.ANY, "Method B Unjoin"),
    _cmd(0x0012, "CS06", "11.3", True, _D.ANY, "Activate Firmware"),
    _cmd(0x0013, "CS07", "8.9", False, _D.ANY, "Read Device Join Details"),
    _cmd(0x0014, "CS10a", "6.13", False, _D.ANY, "Read ZigBee Device Event Log"),
    _cmd(0x0015, "CS11", "3.3", False, _D.ANY, "Clear ZigBee Device Event Log"),
    _alert(
        0x0018,
        "CS14",
        False,
        _D.CHF,
        "Device Addition To / Removal From HAN Whitelist Alerts",
    ),
    _cmd(0x0019, "ECS01a", "1.1.1", True, _D.ESME, "Set Tariff and Price on ESME"),
    _cmd(0x001A, "ECS02", "1.6", True, _D.ESME, "Set ESME Payment Mode to Credit"),
    _cmd(0x001B, "ECS03", "1.6", True, _D.ESME, "Set ESME Payment Mode to Prepayment"),
    _cmd(0x001C, "ECS04a", "1.5", True, _D.ESME, "Adjust Meter Balance on the ESME"),
    _cmd(0x001D, "ECS05", "1.7", True, _D.ESME, "Reset Tariff Block Counter Matrix"),
    _cmd(0x001E, "ECS07", "2.3", True, _D.ESME, "Manage Debt on the ESME"),
    _cmd(0x001F, "ECS08", "2.1", True, _D.ESME, "Update Prepayment Configuration on ESME"),
    _cmd(0x0020, "ECS09", "2.5", True, _D.ESME, "Activate Emergency Credit Remotely on ESME"),
    _cmd(0x0021, "ECS10", "3.1", False, _D.ESME, "Send Message to ESME"),
    _cmd(0x0022, "ECS12", "3.2", False, _D.ESME, "Set Change of Tenancy date on ESME"),
    _cmd(0x0023, "ECS14", "3.5", False, _D.ESME, "Disable Privacy PIN Protection on ESME"),
    _cmd(0x0024, "ECS15a", "3.3", False, _D.ESME, "Clear ESME Event Log"),
    _cmd(0x0025, "ECS16", "3.4", False, _D.ESME, "Write Supplier Contact Details on ESME"),
    _cmd(0x0026, "ECS17a", "4.2", False, _D.ESME, "Read ESME Energy Registers (Export Energy)"),
    _cmd(0x0027, "ECS17b", "4.1.1", False, _D.ESME, "Read ESME Energy Registers (Import Energy)"),
    _cmd(0x0028, "ECS17c", "4.16", False, _D.ESME, "Read ESME Energy Registers (Power)"),
    _cmd(0x0029, "ECS17d", "4.1.2", False, _D.ESME, "Read ESME Energy Register (TOU)"),
    _cmd(0x002A, "ECS17e", "4.1.3", False, _D.ESME, "Read ESME Energy Register (TOU with Blocks)"),
    _cmd(0x002B, "ECS18a", "4.12.2", False, _D.ESME, "Read Maximum Demand Registers (export)"),
    _cmd(0x002C, "ECS18b", "4.12.1", False, _D.ESME, "Read Maximum Demand Registers (import)"),
    _cmd(0x002D, "ECS19", "4.3", False, _D.ESME, "Read ESME Prepayment Registers"),
    _cmd(
        0x002E,
        "ECS20a",
        "4.4.4",
        False,
        _D.ESME,
        "Read ESME Billing Data Log (payment based debt payments)",
    ),
    _cmd(
        0x002F,
        "ECS20b",
        "4.4.2",
        False,
        _D.ESME,
        "Read ESME Billing Data Log (change of mode / tariff triggered exc export)",
    ),
    _cmd(
        0x0030,
        "ECS20c",
        "4.4.3",
        False,
        _D.ESME,
        "Read ESME Billing Data Log (billing calendar triggered exc export)",
    ),
    _cmd(0x0033, "ECS21a", "4.6.1", False, _D.ESME, "Read Electricity Daily Read Log (exc export)"),
    _cmd(0x0034, "ECS21b", "4.14", False, _D.ESME, "Read Electricity (Prepayment) Daily Read Log"),
    _cmd(
        0x0035, "ECS21c", "4.6.2", False, _D.ESME, "Read Electricity Daily Read Log (export only)"
    ),
    _cmd(
        0x0036,
        "ECS22a",
        "4.8.3",
        False,
        _D.ESME,
        "Read Electricity Half Hour Profile Data (export)",
    ),
    _cmd(
        0x0037,
        "ECS22b",
        "4.8.1",
        False,
        _D.ESME,
        "Read Electricity Half Hour Profile Data (active import)",
    ),
    _cmd(
        0x0038,
        "ECS22c",
        "4.8.2",
        False,
        _D.ESME,
        "Read Electricity Half Hour Profile Data (reactive import)",
    ),
    _cmd(0x0039, "ECS23", "4.10", False, _D.ESME, "Read Voltage Operational Data"),
    _cmd(0x003A, "ECS24", "4.11.1", False, _D.ESME, "Read ESME Tariff Data"),
    _cmd(0x003B, "ECS26a", "4.13", False, _D.ESME, "Read ESME Configuration Data Prepayment"),
    _cmd(0x003C, "ECS26b", "6.2.1", False, _D.ESME, "Read ESME Configuration Voltage Data"),
    _cmd(
        0x003D,
        "ECS26c",
        "6.2.2",
        False,
        _D.ESME,
        "Read ESME Configuration Data Device Information (randomisation)",
    ),
    _cmd(
        0x003E,
        "ECS26d",
        "6.2.3",
        False,
        _D.ESME,
        "Read ESME Configuration Data Device Information (Billing Calendar)",
    ),
    _cmd(
        0x003F,
        "ECS26e",
        "6.2.4",
        False,
        _D.ESME,
        "Read ESME Configuration Data Device Information (device identity exc MPAN)",
    ),
    _cmd(
        0x0040,
        "ECS26f",
        "6.2.5",
        False,
        _D.ESME,
        "Read ESME Configuration Data Device Information (instantaneous power thresholds)",
    ),
    _cmd(0x0042, "ECS27", "4.15", False, _D.ESME, "Read ESME Load Limit Data"),
    _cmd(
        0x0043,
        "ECS28a",
        "6.4.1",
        True,
        _D.ESME,
        "Set Load Limit Configurations - General Settings",
    ),
    _cmd(0x0044, "ECS28b", "6.4.2", False, _D.ESME, "Set Load Limit Configuration Counter Reset"),
    _cmd(0x0045, "ECS29a", "6.5", False, _D.ESME, "Set Voltage Configurations on ESME"),
    _cmd(0x0046, "ECS30", "6.8", True, _D.ESME, "Set Billing Calendar on the ESME"),
    _cmd(
        0x0047, "ECS34", "6.12", False, _D.ESME, "Set Instantaneous Power Threshold Configuration"
    ),
    _cmd(0x0048, "ECS35a", "6.13", False, _D.ESME, "Read ESME Event Log"),
    _cmd(0x0049, "ECS35b", "6.13", False, _D.ESME, "Read ESME Security Log"),
    _cmd(0x004A, "ECS37", "6.18.1", False, _D.ESME, "Set Maximum Demand Configurable Time Period"),
    _cmd(0x004B, "ECS38", "7.12", True, _D.ESME, "Update Randomised Offset Limit"),
    _cmd(0x004C, "ECS39a", "6.20.1", False, _D.ESME, "Set MPAN Value on the ESME"),
    _cmd(0x004D, "ECS39b", "6.20.2", False, _D.ESME, "Set Export MPAN Value on the ESME"),
    _cmd(0x004E, "ECS40", "6.2.7", False, _D.ESME, "Read MPAN Value on the ESME"),
    _cmd(0x004F, "ECS42", "7.1", True, _D.ESME, "Remotely Close the Load Switch on the ESME"),
    _cmd(0x0050, "ECS43", "7.2", True, _D.ESME, "Remotely Open the Load Switch on the ESME"),
    _cmd(0x0051, "ECS44", "7.3", True, _D.ESME, "Arm Load Switch in ESME"),
    _cmd(0x0052, "ECS45", "7.4", False, _D.ESME, "Read Status of Load Switch in the ESME"),
    _cmd(0x0053, "ECS46a", "6.14.1", True, _D.ESME, "Set HC ALCS or ALCS Labels in ESME"),
    _cmd(
        0x0054,
        "ECS46c",
        "6.14.2",
        True,
        _D.ESME,
        "Set HC ALCS and ALCS configuration in ESME (excluding labels)",
    ),
    _cmd(0x0055, "ECS47", "7.5 7.6 7.8", True, _D.ESME, "Set or Reset HC ALCS or ALCS State"),
    _cmd(0x0058, "ECS50", "9.1", False, _D.ESME, "Send CIN to ESME"),
    _cmd(0x0059, "ECS52", "11.2", False, _D.ESME, "Read ESME/Comms Hub Firmware Version"),
    _cmd(0x005A, "ECS57", "6.18.2", False, _D.ESME, "Reset ESME Maximum Demand Registers"),
    _cmd(0x005E, "ECS61c", "7.11", False, _D.ESME, "Read Boost Button Data from ESME"),
    _cmd(0x005F, "ECS62", "7.9 7.10", False, _D.ESME, "Set ALCS and Boost Button Association"),
    _cmd(0x0060, "ECS66", "4.17", False, _D.ESME, "Read ESME Daily Consumption Log"),
    _alert(0x0061, "ECS68", True, _D.ESME, "ESME Critical Sensitive Alert (Billing Data Log)"),
    _cmd(0x0062, "ECS70", "6.11 8.1.1", True, _D.ESME, "Set Clock on ESME"),
    _alert(0x0067, "ECS80", True, _D.ESME, "Supply Outage Restore Alert from ESME"),
    _cmd(0x0068, "ECS81", "6.25", True, _D.ESME, "Set Supply Tamper State on ESME"),
    _cmd(0x0069, "ECS82", "4.18", False, _D.ESME, "Read Meter Balance for ESME"),
    _cmd(0x006B, "GCS01a", "1.1.1", True, _D.GSME, "Set Tariff and Price on GSME"),
    _cmd(0x006C, "GCS02", "1.6", True, _D.GSME, "Set GSME Payment Mode to Credit"),
    _cmd(0x006D, "GCS03", "1.6", True, _D.GSME, "Set GSME Payment Mode to Prepayment"),
    _cmd(0x006E, "GCS04", "2.3", True, _D.GSME, "Manage Debt on the GSME"),
    _cmd(0x006F, "GCS05", "2.1", True, _D.GSME, "Update Prepayment Configurations on GSME"),
    _cmd(0x0070, "GCS06", "2.5", True, _D.GSME, "Activate Emergency Credit Remotely on GSME"),
    _cmd(0x0071, "GCS07", "3.1", False, _D.GSME, "Send Message to GSME"),
    _cmd(0x0072, "GCS09", "3.2", False, _D.GPF, "Set Change of Tenancy date on GPF"),
    _cmd(0x0073, "GCS11", "3.5", False, _D.GSME, "Disable Privacy PIN Protection on GSME"),
    _cmd(0x0074, "GCS13a", "4.1.1", False, _D.GSME, "Read GSME Consumption Register"),
    _cmd(0x0075, "GCS14", "4.3", False, _D.GSME, "Read GSME Prepayment Registers"),
    _cmd(
        0x0076,
        "GCS15c",
        "4.4.3",
        False,
        _D.GSME,
        "Read GSME Billing Data Log (billing calendar triggered)",
    ),
    _cmd(0x0077, "GCS16a", "4.6.1", False, _D.GSME, "Read GSME Daily Read Log"),
    _cmd(0x0078, "GCS17", "4.8.1", False, _D.GSME, "Read GSME Profile Data Log"),
    _cmd(0x0079, "GCS18", "4.10", False, _D.GSME, "Read Gas Network Data Log"),
    _cmd(
        0x007B, "GCS21a", "6.2.8", False, _D.GSME, "Read Gas Configuration Data Device Information"
    ),
    _cmd(
        0x007C, "GCS23", "6.6", True, _D.GSME, "Set CV and Conversion Factor Value(s) on the GSME"
    ),
    _cmd(
        0x007D,
        "GCS24",
        "6.7",
        True,
        _D.GSME,
        "Set Uncontrolled Gas Flow Rate and Supply Tamper State on the GSME",
    ),
    _cmd(0x007E, "GCS25", "6.8", True, _D.GSME, "Set Billing Calendar on the GSME"),
    _cmd(0x007F, "GCS28", "6.11 8.1.1", True, _D.GSME, "Set Clock on GSME"),
    _cmd(0x0080, "GCS31", "14.1", False, _D.GSME, "Start Network Data Log on GSME"),
    _cmd(0x0081, "GCS32", "7.2", True, _D.GSME, "Remotely close the valve in the GSME"),
    _cmd(0x0082, "GCS33", "7.4", False, _D.GSME, "Read GSME Valve Status"),
    _cmd(0x0083, "GCS36", "9.1", False, _D.GSME, "Send CIN to GSME"),
    _cmd(0x0084, "GCS38", "11.2", False, _D.GSME, "Read GSME Firmware Version"),
    _cmd(0x0085, "GCS39", "7.3", True, _D.GSME, "Arm Valve in GSME"),
    _cmd(
        0x0086, "GCS40a", "1.5", True, _D.GSME, "Adjust Prepayment Mode Meter Balance on the GSME"
    ),
    _cmd(0x0087, "GCS41", "6.20.1", False, _D.GSME, "Set MPRN Value on the GSME"),
    _cmd(0x0088, "GCS44", "3.4", False, _D.GSME, "Write Contact Details on GSME"),
    _cmd(0x0089, "GCS46", "6.2.7", False, _D.GSME, "Read MPRN on the GSME"),
    _alert(0x008B, "GCS53", True, _D.GSME, "Push Billing Data Log as an Alert"),
    _cmd(0x008C, "GCS59", "8.12.2", False, _D.GPF, "Restore GPF Device Log"),
    _cmd(0x008D, "GCS60", "4.18", False, _D.GSME, "Read Meter Balance for GSME"),
    _cmd(0x0090, "PCS02", "", False, _D.GSME, "Activate Emergency Credit on GSME from PPMID"),
    _cmd(
        0x0092,
        "ECS26i",
        "6.2.4",
        False,
        _D.CHF,
        "Read Configuration Data Device Information (CHF identity)",
    ),
    _cmd(0x0093, "ECS35c", "6.13", False, _D.CHF, "Read CHF Event Log"),
    _cmd(0x0094, "ECS35d", "6.13", False, _D.CHF, "Read CHF Security Log"),
    _cmd(0x0096, "GCS16b", "4.14", False, _D.GSME, "Read GSME Daily Read log(s) (prepayment)"),
    _cmd(0x0097, "CS01b", "2.2", False, _D.GSME, "Apply Prepayment Top Up to a GSME"),
    _cmd(0x009B, "PCS01", "", False, _D.GSME, "Apply Prepayment Top Up to a GSME using PPMID"),
    _cmd(
        0x009D,
        "GCS21d",
        "6.2.3",
        False,
        _D.GSME,
        "Read GSME Configuration Data Device Information (BillingCalendar)",
    ),
    _cmd(
        0x009E,
        "GCS21e",
        "6.2.4",
        False,
        _D.GSME,
        "Read GSME/GPF Configuration Data Device Information (device identity)",
    ),
    _cmd(0x009F, "GCS21f", "4.11.1", False, _D.GSME, "Read GSME Tariff Data"),
    _cmd(0x00A0, "GCS61", "4.17", False, _D.GPF, "Read Gas Daily Consumption Log"),
    _cmd(0x00A1, "CS10b", "6.13", False, _D.ANY, "Read ZigBee Device Security Log"),
    _cmd(0x00A2, "ECS01b", "1.2.1", True, _D.ESME, "Set Price on ESME"),
    _cmd(0x00A3, "GCS01b", "1.2.1", True, _D.GSME, "Set Price on GSME"),
    _cmd(0x00AB, "CS03A2", "8.7.1 8.7.2", True, _D.ANY, "Method A Join (non Meter)"),
    _cmd(0x00AC, "ECS25a", "6.22", False, _D.ESME, "Set Alert Behaviours - ESME - Supplier"),
    _cmd(0x00AD, "GCS20", "6.22", False, _D.GSME, "Set Alert Behaviours - GSME"),
    _cmd(0x00AE, "ECS29b", "6.5", False, _D.ESME, "Set Voltage Configurations on ESME - 3ph"),
    _cmd(0x00AF, "CS03C", "8.7.1 8.7.2", True, _D.ANY, "Method C Join"),
    _cmd(
        0x00B0, "ECS25b", "6.22", False, _D.ESME, "Set Alert Behaviours - ESME - Network Operator"
    ),
    _alert(0x00B2, "GCS62", False, _D.GPF, "Backup GPF Device Log"),
    _cmd(0x00B3, "ECS04b", "1.5", True, _D.ESME, "Reset Meter Balance on the ESME"),
    _cmd(
        0x00B4,
        "GCS40b",
        "1.5",
        True,
        _D.GSME,
        "Reset Prepayment Mode Meter Balance on the GSME",
    ),
    _cmd(0x00B5, "GCS21b", "4.13", False, _D.GSME, "Read GSME Configuration Data Prepayment"),
    _cmd(0x00B6, "GCS13c", "4.1.2", False, _D.GSME, "Read GSME Register (TOU)"),
    _cmd(0x00B7, "ECS01c", "1.1.2", True, _D.ESME, "Set Tariff and Price on ESME secondary"),
    _cmd(0x00B8, "GCS13b", "4.1.4", False, _D.GSME, "Read GSME Block Counters"),
    _cmd(0x00B9, "ECS35e", "6.13", False, _D.ESME, "Read ESME Power Event Log"),
    _cmd(0x00BA, "ECS35f", "6.13", False, _D.ESME, "Read ALCS Event Log"),
    _cmd(0x00BB, "ECS61a", "7.7", False, _D.ESME, "Read HC ALCS and ALCS Data from ESME"),
    _cmd(0x00BC, "ECS23b", "4.10", False, _D.ESME, "Read Voltage Operational Data - 3 Phase"),
    _cmd(0x00BD, "ECS24b", "4.11.2", False, _D.ESME, "Read ESME Tariff Data - second element"),
    _cmd(
        0x00BE,
        "ECS26j",
        "6.2.9",
        False,
        _D.ESME,
        "Read ESME Configuration Data Device Information (Payment Mode)",
    ),
    _cmd(
        0x00BF,
        "GCS21j",
        "6.2.9",
        False,
        _D.GSME,
        "Read GSME Configuration Data Device Information (Payment Mode)",
    ),
    _cmd(0x00C0, "GCS40c", "1.5", True, _D.GSME, "Adjust Credit Mode Meter Balance on the GSME"),
    _cmd(0x00C1, "ECS15c", "3.3", False, _D.ESME, "Clear ALCS Event Log"),
    _cmd(0x00C2, "GCS40d", "1.5", True, _D.GSME, "Reset Credit Mode Meter Balance on the GSME"),
    _cmd(
        0x00C3,
        "GCS15b",
        "4.4.2",
        False,
        _D.GSME,
        "Read GSME Billing Data Log (change of mode / tariff triggered)",
    ),
    _cmd(
        0x00C4,
        "GCS15d",
        "4.4.4",
        False,
        _D.GSME,
        "Read GSME Billing Data Log (payment-based debt payments)",
    ),
    _cmd(
        0x00C5,
        "GCS15e",
        "4.4.5",
        False,
        _D.GSME,
        "Read GSME Billing Data Log (prepayment credits)",
    ),
    _cmd(
        0x00C6, "ECS26k", "6.2.1", False, _D.ESME, "Read ESME Configuration Voltage Data - 3 phase"
    ),
    _cmd(0x00C7, "ECS01d", "1.2.2", True, _D.ESME, "Set Price on ESME secondary"),
    _cmd(
        0x00C9,
        "ECS20d",
        "4.4.5",
        False,
        _D.ESME,
        "Read ESME Billing Data Log (prepayment credits)",
    ),
    _alert(0x00CA, "FDFAA", True, _D.ANY, "Future Dated Firmware Activation Alert"),
    _alert(0x00CB, "FDUSCA", True, _D.ANY, "Future Dated Update Security Credentials Alert"),
    _alert(
        0x00CC,
        "FDEIA-DLMS",
        True,
        _D.ESME,
        "Future Dated Execution Of Instruction Alert (DLMS COSEM)",
    ),
    _alert(0x00CD, "FDEIA-GBZ", True, _D.GSME, "Future Dated Execution Of Instruction Alert (GBZ)"),
    _alert(0x00CE, "FDRA-DLMS", True, _D.ESME, "Firmware Distribution Receipt Alert (ESME)"),
    _alert(0x00CF, "FDRA-ZigBee", True, _D.GSME, "Firmware Distribution Receipt Alert (GSME)"),
    _cmd(
        0x00D1,
        "ECS29c",
        "6.5",
        False,
        _D.ESME,
        "Set Voltage Configurations on ESME without counter reset",
    ),
    _cmd(
        0x00D2,
        "ECS29d",
        "6.5",
        False,
        _D.ESME,
        "Set Voltage Configurations on polyphase ESME without counter reset",
    ),
    _cmd(0x00D3, "ECS29e", "6.27", False, _D.ESME, "Reset RMS Voltage Counters on ESME"),
    _cmd(0x00D4, "ECS29f", "6.27", False, _D.ESME, "Reset RMS Voltage Counters on polyphase ESME"),
    _alert(
        0x00D5,
        "FDRPMA",
        False,
        _D.CHF,
        "Failure to Deliver Remote Party Message to ESME Alert",
    ),
    _cmd(
        0x00D7,
        "ECS30a",
        "6.8",
        True,
        _D.ESME,
        "Set Billing Calendar on the ESME - all periodicities",
    ),
    _cmd(
        0x00D8,
        "GCS25a",
        "6.8",
        True,
        _D.GSME,
        "Set Billing Calendar on the GSME - all periodicities",
    ),
    _cmd(
        0x00D9,
        "ECS26l",
        "6.2.3",
        False,
        _D.ESME,
        "Read ESME Configuration Data Device Information (Billing Calendar - all periodicities)",
    ),
    _cmd(
        0x00DA,
        "GCS21k",
        "6.2.3",
        False,
        _D.GSME,
        "Read GSME Configuration Data Device Information (BillingCalendar - all periodicities)",
    ),
    _cmd(
        0x00DB,
        "ECS48",
        "6.26",
        True,
        _D.ESME,
        "Configure daily resetting of Tariff Block Counter Matrix",
    ),
    _cmd(0x00DE, "ECS08a", "2.1", True, _D.ESME, "Update Prepayment Configuration on ESME"),
    _cmd(
        0x00EA,
        "ECS25a1",
        "6.22",
        False,
        _D.ESME,
        "Set Event Behaviours - ESME to HAN Device - Supplier",
    ),
    _cmd(
        0x00EB,
        "ECS25a2",
        "6.22",
        False,
        _D.ESME,
        "Set Event Behaviours - ESME audible alarm - Supplier",
    ),
    _cmd(
        0x00EC, "ECS25a3", "6.22", False, _D.ESME, "Set Event Behaviours - ESME logging - Supplier"
    ),
    _cmd(
        0x00ED,
        "ECS25b3",
        "6.22",
        False,
        _D.ESME,
        "Set Event Behaviours - ESME logging - Network Operator",
    ),
    _cmd(
        0x00EE,
        "ECS25r1",
        "6.2.10",
        False,
        _D.ESME,
        "Read non-critical event and alert behaviours - ESME - Supplier",
    ),
    _cmd(
        0x00EF,
        "ECS25r2",
        "6.2.10",
        False,
        _D.ESME,
        "Read non-critical event and alert behaviours - ESME - Network Operator",
    ),
    _alert(0x00F0, "MIIWA-DLMS", False, _D.ESME, "Meter Integrity Issue Warning Alert - ESME"),
    _cmd(
        0x00F1,
        "GCS20r",
        "6.2.10",
        False,
        _D.GSME,
        "Read non-critical event and alert behaviours - GSME - Supplier",
    ),
    _alert(0x00F2, "MIIWA-ZigBee", False, _D.GSME, "Meter Integrity Issue Warning Alert - GSME"),
    _cmd(
        0x00F9,
        "ECS26m",
        "6.2.4",
        False,
        _D.ESME,
        "Read ESME Configuration Data Device Information (identity, type and supply tamper state)",
    ),
    _cmd(
        0x00FA,
        "ECS26n",
        "6.2.4",
        False,
        _D.CHF,
        "Read CHF Configuration Data Device Information (CH identity and type)",
    ),
    _cmd(
        0x00FB,
        "GCS21m",
        "6.2.4",
        False,
        _D.GSME,
        "Read GSME Configuration Data Device Information "
        "(identity, type and supply tamper / depletion state)",
    ),
    _cmd(
        0x00FC,
        "GCS24a",
        "6.7",
        True,
        _D.GSME,
        "Set Uncontrolled Gas Flow Rate and Supply Tamper State on the GSME (SMETS4)",
    ),
    _cmd(0x00FD, "ECS35g", "6.13", False, _D.ESME, "Read ALCS Event Log"),
    _cmd(0x00FE, "CCS07", "8.9", False, _D.CHF, "Read CHF Device Logs"),
    _cmd(0x0100, "CS02b", "", True, _D.ANY, "Update Security Credentials (rootBySupplier)"),
    _cmd(0x0101, "CS02b", "", True, _D.ANY, "Update Security Credentials (rootByWanProvider)"),
    _cmd(
        0x0102,
        "CS02b",
        "6.15.1 6.21",
        True,
        _D.ANY,
        "Update Security Credentials (supplierBySupplier)",
    ),
    _cmd(
        0x0103,
        "CS02b",
        "6.15.1 6.21",
        True,
        _D.ANY,
        "Update Security Credentials (networkOperatorByNetworkOperator)",
    ),
    _cmd(
        0x0104,
        "CS02b",
        "8.5",
        False,
        _D.ANY,
        "Update Security Credentials (accessControlBrokerByACB)",
    ),
    _cmd(
        0x0105, "CS02b", "", True, _D.ANY, "Update Security Credentials (wanProviderByWanProvider)"
    ),
    _cmd(0x0106, "CS02b", "", True, _D.ANY, "Update Security Credentials (transCoSByTransCoS)"),
    _cmd(0x0107, "CS02b", "6.23", True, _D.ANY, "Update Security Credentials (supplierByTransCoS)"),
    # Recovery and Contingency sign without a MAC header (RTDS NA_CS02bAny*).
    _cmd(
        0x0108,
        "CS02b",
        "",
        True,
        _D.ANY,
        "Update Security Credentials (anyExceptAbnormalRootByRecovery)",
    ),
    _cmd(0x0109, "CS02b", "", True, _D.ANY, "Update Security Credentials (anyByContingency)"),
    _cmd(0x010A, "DBCH01", "6.31", False, _D.CHF, "Read CHF Sub GHz Channel"),
    _cmd(0x010B, "DBCH02", "6.32", False, _D.CHF, "Read CHF Sub GHz Channel Log"),
    _cmd(0x010C, "DBCH03", "6.30", False, _D.CHF, "Read CHF Sub GHz Configuration"),
    _cmd(0x010D, "DBCH04", "6.28", False, _D.CHF, "Set CHF Sub GHz Configuration"),
    _cmd(0x010E, "DBCH05", "6.29", False, _D.CHF, "Request CHF Sub GHz Channel Scan"),
    _cmd(0x010F, "CCS06", "8.9", False, _D.CHF, "Read CHF device log and check HAN communications"),
    _alert(0x0110, "DBCH06", False, _D.CHF, "Limited Duty Cycle Action Taken Sub GHz Alert"),
    _alert(0x0111, "DBCH07", False, _D.CHF, "Sub GHz Channel Changed Sub GHz Alert"),
    _alert(
        0x0112,
        "DBCH08",
        False,
        _D.CHF,
        "Sub GHz Channel Scan Request Assessment Outcome Sub GHz Alert",
    ),
    _alert(0x0113, "DBCH09", False, _D.CHF, "Sub GHz Configuration Changed Sub GHz Alert"),
    _alert(
        0x0114,
        "DBCH10",
        False,
        _D.CHF,
        "Message Discarded Due to Duty Cycle Management Sub GHz Alert",
    ),
    _alert(0x0115, "DBCH11", False, _D.CHF, "No More Sub GHz Device Capacity Sub GHz Alert"),
    _cmd(0x0116, "PECS01", "", False, _D.ESME, "Apply Prepayment Top Up to an ESME using PPMID"),
    _cmd(0x0117, "PECS02", "", False, _D.ESME, "Activate Emergency Credit on ESME from PPMID"),
    _cmd(0x0118, "PECS03", "", False, _D.ESME, "Request to Enable ESME Supply from PPMID"),
    _cmd(
        0x0119,
        "HECS01",
        "",
        False,
        _D.ESME,
        "Request Control of a HAN Connected Auxiliary Load Control Switch from HCALCS",
    ),
    # 0x011A-0x0127, 0x012A and 0x012B are not in util.ts: names from the RTDS folders, titles
    # from the DUIS service-request names.
    _cmd(
        0x011A,
        "ECS46d",
        "6.14.3",
        True,
        _D.ESME,
        "Update Device Configuration (Auxiliary Controller Scheduler)",
    ),
    _cmd(0x011B, "CS02f", "6.24.1", False, _D.ANY, "Retrieve Device Security Credentials (KRP)"),
    _cmd(0x011C, "ECS61d", "7.14", False, _D.ESME, "Read Auxiliary Controller Configuration Data"),
    _cmd(0x011D, "ECS61e", "7.15", False, _D.ESME, "Read Auxiliary Controller Operational Data"),
    _cmd(0x011E, "ECS47a", "7.13", True, _D.ESME, "Set Auxiliary Controller State"),
    _cmd(0x011F, "ECS47e", "7.16", True, _D.ESME, "Limit APC Level"),
    _alert(0x0120, "ECS100", True, _D.ESME, "ECS100 Alert (alert code 0x8F85)"),
    _alert(0x0121, "ECS101", True, _D.ESME, "ECS101 Alert (alert code 0x8F86)"),
    _alert(0x0122, "ECS102", True, _D.ESME, "ECS102 Alert (alert code 0x8F87)"),
    _alert(0x0123, "ECS200", True, _D.ESME, "ECS200 Alert (alert code 0x8F88)"),
    _alert(
        0x0124,
        "CS02g",
        True,
        _D.ANY,
        "Future Dated Update Security Credentials Alert (loadController)",
    ),
    _cmd(
        0x0125,
        "CS02g",
        "",
        True,
        _D.ANY,
        "Update Security Credentials (loadControllerByLoadController)",
    ),
    _cmd(
        0x0126,
        "CS02g",
        "6.15.1",
        True,
        _D.ANY,
        "Update Security Credentials (loadControllerBySupplier)",
    ),
    _alert(0x0128, "CCS08", True, _D.CHF, "Firmware Transfer Alert"),
    _cmd(0x0129, "CS08", "11.2", False, _D.ANY, "Read PPMID/HCALCS Firmware Version"),
    _cmd(0x012A, "GCS60a", "4.18", False, _D.GSME, "Read Meter Balance (GSME or GPF)"),
    _alert(0x012B, "CS09", True, _D.ANY, "Read Firmware Version Alert"),
    _alert(0x1000, "GCA", True, _D.ANY, "Generic Critical Alert"),
    _alert(0x1001, "GNCA", False, _D.ANY, "Generic Non Critical Alert"),
)

_BY_CODE = MappingProxyType({uc.message_code: uc for uc in USE_CASES})


def use_case_for(message_code: int) -> UseCase | None:
    """The use case of a message code, or None for a code this catalogue does not know."""
    return _BY_CODE.get(message_code)


def use_cases_named(name: str) -> tuple[UseCase, ...]:
    """Every code of a use case: one for most, ten for CS02b (one per credential pair)."""
    return tuple(uc for uc in USE_CASES if uc.name == name)


def use_cases_for_srv(srv: str) -> tuple[UseCase, ...]:
    """The use cases of a service reference or variant; "1.1" also finds 1.1.1 and 1.1.2."""
    return tuple(
        uc for uc in USE_CASES if any(s == srv or s.startswith(srv + ".") for s in uc.srvs)
    )
