"""The words of the Gherkin steps: the named cast and meters, the rehearsal week, and the parse
types a step pattern uses (``{meter:Meter}``, ``{when:Time}``, ...).

Names: parties by name ("Bright Energy", "the SRP"), meters by kind and premises ("the ESME of
"Flat 3""), times by day of the rehearsal week ("Monday 09:00"; 2026-11-02 is a Monday).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import parse
from pytest_bdd import parsers

from dcc.duis.request import (
    Prepayment,
)
from dcc.users import OfficerKind
from devices.gbcs.payment_mode import (
    ECS02,
    GCS02,
    PaymentMode,
)
from sim.world.testbed import (
    BRIGHT,
    ESME_ID,
    GSME_ID,
    NEVER,
    NEVER_ESME_ID,
    ROGUE_SRP,
    SMETS1_ID,
    SRP,
    STEADY,
    STEADY_ESME_ID,
    T0,
)

MONDAY = T0.replace(hour=0)  # 2026-11-02 00:00 UTC, the start of the rehearsal week
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
START = T0  # Monday 09:00, when the testbed's certificates were issued and a scenario starts

PARTIES: dict[str, bytes] = {
    "Bright Energy": BRIGHT,
    "Steady Power": STEADY,
    "Never Supplied": NEVER,
    "Shared Resource Provider": SRP,
    "Rogue Resources": ROGUE_SRP,
}
THE_SRP = "Shared Resource Provider"

# The SR 1.6 requests a step can name (see features/content_checks.feature for the disguises).
CREDIT, PREPAYMENT, DISGUISED = "Credit", "Prepayment", "Prepayment disguised as Credit"
PREPAYMENT_BODY = Prepayment(False, False, 0)
CREDIT_CODES = {"ESME": ECS02, "GSME": GCS02}


@dataclass(frozen=True)
class Meter:
    """A meter as the features name it: its kind, its premises, and whose customer it serves."""

    kind: str  # "ESME", "GSME" or "SMETS1 meter"
    premises: str
    device_id: bytes
    supplier: str

    @property
    def smets1(self) -> bool:
        return self.kind == "SMETS1 meter"

    def __str__(self) -> str:
        return f'{self.kind} of "{self.premises}"'


FLEET: tuple[Meter, ...] = (
    Meter("ESME", "Flat 3", ESME_ID, "Bright Energy"),
    Meter("GSME", "Flat 3", GSME_ID, "Bright Energy"),
    Meter("SMETS1 meter", "Flat 5", SMETS1_ID, "Bright Energy"),
    Meter("ESME", "Flat 7", STEADY_ESME_ID, "Steady Power"),
    Meter("ESME", "The Old Forge", NEVER_ESME_ID, "Never Supplied"),
)


# --- the words of the steps: parse types --------------------------------------------------------

_T = TypeVar("_T")


def _pattern(regex: str) -> Callable[[Callable[[str], _T]], Callable[[str], _T]]:
    """:func:`parse.with_pattern`, which carries no annotations: it marks a converter with the
    pattern its text matches and gives the converter back."""
    mark: Callable[[Callable[[str], _T]], Callable[[str], _T]] = parse.with_pattern(regex)
    return mark


@_pattern(r'(?:ESME|GSME|SMETS1 meter) of "[^"]+"')
def meter_type(text: str) -> Meter:
    """A meter of the fleet: `ESME of "Flat 3"`, `GSME of "Flat 3"`, `SMETS1 meter of "Flat 5"`,
    `ESME of "Flat 7"` (Steady Power), `ESME of "The Old Forge"` (Never Supplied)."""
    kind, premises = text[:-1].split(' of "', 1)
    for meter in FLEET:
        if (meter.kind, meter.premises) == (kind, premises):
            return meter
    known = ", ".join(str(meter) for meter in FLEET)
    raise ValueError(f"no {text} in the fleet; it has: {known}")


@_pattern(r'the SRP|"[^"]+"')
def actor_type(text: str) -> str:
    """Who acts: `the SRP` (Shared Resource Provider) or a party by name in quotes."""
    return THE_SRP if text == "the SRP" else text.strip('"')


@_pattern(r'"[^"]+"')
def party_type(text: str) -> str:
    """A party by name in quotes: `"Bright Energy"`, `"Steady Power"`, `"Never Supplied"`,
    `"Shared Resource Provider"`, `"Rogue Resources"`, or one a step introduced."""
    return text.strip('"')


@_pattern(r'"[^"]*"')
def quoted_type(text: str) -> str:
    """Any text in quotes, taken without them: a stage `"content"`, a code `"E4"`, a breach
    `"ADUserThresholdBreach"`, an officer `"srp-aro"`, a User ID `"90-B3-D5-1F-30-0A-00-00"`."""
    return text[1:-1]


@_pattern(r'"(?:Credit|Prepayment|Prepayment disguised as Credit)"')
def request_type(text: str) -> str:
    """What an SR 1.6 asks for: `"Credit"`, `"Prepayment"` or `"Prepayment disguised as Credit"`
    (see features/content_checks.feature for the disguise on each kind of meter)."""
    return text[1:-1]


@_pattern(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day [0-2]\d:[0-5]\d")
def time_type(text: str) -> datetime:
    """A time in the rehearsal week: `Monday 09:00` ... `Sunday 23:59` (UTC)."""
    day, clock = text.split()
    hours, minutes = clock.split(":")
    return MONDAY + timedelta(days=DAYS.index(day), hours=int(hours), minutes=int(minutes))


@_pattern(r"0x[0-9A-F]{4}")
def alert_code_type(text: str) -> int:
    """A GBCS alert code as written in GBCS: `0x8F3F`."""
    return int(text, 16)


@_pattern(r"credit|prepayment")
def mode_type(text: str) -> PaymentMode:
    """A payment mode: `credit` or `prepayment`."""
    return PaymentMode(text)


@_pattern(r"ARO|SRO")
def officer_kind_type(text: str) -> OfficerKind:
    """A responsible officer's kind: `ARO` (Authorised) or `SRO` (Senior)."""
    return OfficerKind(text)


@_pattern(r"flags|does not flag")
def flags_type(text: str) -> bool:
    """`flags` or `does not flag`."""
    return text == "flags"


TYPES: dict[str, Callable[[str], object]] = {
    "Meter": meter_type,
    "Actor": actor_type,
    "Party": party_type,
    "Quoted": quoted_type,
    "Request": request_type,
    "Time": time_type,
    "AlertCode": alert_code_type,
    "Mode": mode_type,
    "OfficerKind": officer_kind_type,
    "Flags": flags_type,
}


def phrase(pattern: str) -> parsers.parse:
    """A step pattern in the suite's words: ``{meter:Meter}``, ``{user:Actor}`` and so on."""
    return parsers.parse(pattern, extra_types=TYPES)
