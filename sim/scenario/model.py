"""A SoLR rehearsal as data: the fleet, the cast, the WAN, the faults and what the run must show.

An assurance team writes these files by hand (``scenarios/*.yaml``) and the runner trusts them,
so the model refuses anything it would have to guess about: unknown keys, text where a number
goes, shares that do not add up, a second failing supplier, events after the run has ended.
:func:`load_scenario` reports every such problem at its line (see :mod:`sim.scenario.loader`).

Times are hours from ``start`` unless the name says otherwise; Ofgem's delays are minutes after
the supplier fails, and the SRP's ``start_delay_minutes`` counts from Ofgem's instruction.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dcc.duis.ids import format_eui64
from dcc.pipeline import STAGE_NAMES
from sim.scenario.loader import FieldErrors, FieldPath, ScenarioError, validate_yaml

DeviceClass = Literal["esme", "gsme", "smets1"]
DEVICE_CLASSES: tuple[DeviceClass, ...] = ("esme", "gsme", "smets1")
SHARE_TOLERANCE = 1e-9
# The virtual fleet's device IDs are this plus the meter's index.
FLEET_BASE = 0x00DB_5000_0000_0000

# Validation context of a scenario whose expectations are Then steps (see Scenario.expectations).
STEPS_JUDGE: dict[str, bool] = {"expectations_in_steps": True}

_EUI64 = re.compile(r"[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){7}|[0-9A-Fa-f]{16}")
_ALERT_CODE = re.compile(r"[0-9A-Fa-f]{4}")


def _eui64(value: object) -> object:
    """Either DUIS form (dashed) or bare hex, any case; kept as upper-case DUIS text."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text; write an EUI-64 as 90-B3-D5-1F-30-01-00-00")
    if not _EUI64.fullmatch(value):
        raise ValueError(f"{value!r} is not an EUI-64: eight hex bytes, as 90-B3-D5-1F-30-01-00-00")
    return format_eui64(bytes.fromhex(value.replace("-", "")))


def _alert_code(value: object) -> object:
    """Text, because YAML would read 8154 as a decimal number and 0810 as octal."""
    if not isinstance(value, str) or not _ALERT_CODE.fullmatch(value):
        raise ValueError(f"{value!r} is not an alert code: four hex digits in quotes, as '8F3F'")
    return value.upper()


def _in_utc(value: datetime) -> datetime:
    """A run replays byte for byte only if its clock does not depend on the host's zone."""
    if value.utcoffset() is None:
        raise ValueError(f"{value.isoformat()} has no time zone; add one, as 2026-11-02T08:00:00Z")
    return value.astimezone(UTC)


def _iso_text(value: object) -> object:
    """A quoted timestamp is text to YAML; read it as ISO 8601 (a bare one is a datetime)."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 date and time") from None
    return value


Eui64 = Annotated[str, BeforeValidator(_eui64)]
AlertCodeText = Annotated[str, BeforeValidator(_alert_code)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Share = Annotated[float, Field(gt=0, le=1)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class _Model(BaseModel):
    """Strict: a file typed by hand, where an unknown key is a typo and ``yes`` is no number."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Latency(_Model):
    """Round-trip time on the WAN for one device class, lognormal around the median."""

    median_seconds: float = Field(gt=0)
    sigma: float = Field(ge=0)


class Wan(_Model):
    latency: dict[DeviceClass, Latency]
    loss: float = Field(ge=0, le=0.5)
    response_timeout_seconds: float = Field(gt=0)

    @field_validator("latency")
    @classmethod
    def _every_device_class(cls, latency: dict[DeviceClass, Latency]) -> dict[DeviceClass, Latency]:
        missing = [name for name in DEVICE_CLASSES if name not in latency]
        if missing:
            raise ValueError(f"no latency for {', '.join(missing)}; give esme, gsme and smets1")
        return latency


class FleetMix(_Model):
    """Shares of the fleet by device class."""

    esme: Fraction
    gsme: Fraction
    smets1: Fraction

    @model_validator(mode="after")
    def _adds_up(self) -> FleetMix:
        total = self.esme + self.gsme + self.smets1
        if abs(total - 1) > SHARE_TOLERANCE:
            raise ValueError(f"esme + gsme + smets1 = {total:.9g}, not 1")
        return self


class Fleet(_Model):
    meters: int = Field(ge=1, le=40_000_000)  # GB has about 30 million smart meters
    mix: FleetMix
    prepayment_share: Fraction


class Supplier(_Model):
    """A supplier of the fleet; ``srp`` is the SRP it arranged in advance to act for it should it
    fail (MP134B 2.1.1): its meters' alerts go there from the revocation of its certificates.
    Without one the DCC holds them until Ofgem instructs an SRP (R7.1)."""

    name: Name
    user_id: Eui64
    share: Share
    fails_after_hours: float | None = Field(default=None, ge=0)
    srp: Eui64 | None = None

    @property
    def eui(self) -> bytes:
        return bytes.fromhex(self.user_id.replace("-", ""))

    @property
    def srp_eui(self) -> bytes | None:
        return None if self.srp is None else bytes.fromhex(self.srp.replace("-", ""))


class Srp(_Model):
    """The Shared Resource Provider: how fast it sends, and how it retries what goes unanswered."""

    name: Name
    user_id: Eui64
    rate_per_second: float = Field(gt=0)
    batch_size: int = Field(ge=1)
    max_attempts: int = Field(ge=1)
    backoff_seconds: float = Field(gt=0)
    adt_count: int = Field(ge=0)
    start_delay_minutes: float = Field(default=0.0, ge=0)

    @property
    def eui(self) -> bytes:
        return bytes.fromhex(self.user_id.replace("-", ""))


class Ofgem(_Model):
    """Minutes after the supplier fails: SMKI revocation, and the instruction naming the SRP."""

    revocation_delay_minutes: float = Field(ge=0)
    instruction_delay_minutes: float = Field(ge=0)


class _Window(_Model):
    """A fault over a span of the run, hitting ``share`` of the fleet."""

    start_hours: float = Field(ge=0)
    duration_hours: float = Field(gt=0)
    share: Share

    @property
    def end_hours(self) -> float:
        return self.start_hours + self.duration_hours


class WanOutage(_Window):
    """The WAN carries nothing to or from the affected meters."""

    kind: Literal["wan_outage"]


class HubsOffline(_Window):
    """The affected meters' communications hubs are down: commands to them go unanswered."""

    kind: Literal["hubs_offline"]


class MaliciousPrepayment(_Model):
    """A compromised SRP tries to put ``count`` meters into prepayment (R5: only credit)."""

    kind: Literal["malicious_prepayment"]
    at_hours: float = Field(ge=0)
    count: int = Field(ge=1)


class RequestBeforeInstruction(_Model):
    """The SRP sends ``count`` requests before Ofgem's instruction is on record (R6.2)."""

    kind: Literal["request_before_instruction"]
    at_hours: float = Field(ge=0)
    count: int = Field(ge=1)


class FailedSupplierRequests(_Model):
    """After Ofgem's revocation the failed supplier sends SR 1.6 to ``count`` of its own meters,
    signed with its revoked xmlSign key, setting ``mode`` (R6.3-R6.5: refused, none actioned)."""

    kind: Literal["failed_supplier_requests"]
    at_hours: float = Field(ge=0)
    count: int = Field(ge=1)
    mode: Literal["credit", "prepayment"] = "credit"


Fault = Annotated[
    WanOutage
    | HubsOffline
    | MaliciousPrepayment
    | RequestBeforeInstruction
    | FailedSupplierRequests,
    Field(discriminator="kind"),
]


class AlertBurst(_Model):
    """``count`` alerts of one code, raised by meters spread over the hours given (R7)."""

    code: AlertCodeText
    count: int = Field(ge=1)
    start_hours: float = Field(ge=0)
    end_hours: float

    @model_validator(mode="after")
    def _ends_after_start(self) -> AlertBurst:
        if self.end_hours <= self.start_hours:
            why = f"{self.end_hours:g} h is not after start_hours ({self.start_hours:g} h)"
            raise FieldErrors([(("end_hours",), why)])
        return self

    @property
    def alert_code(self) -> int:
        return int(self.code, 16)


class PrepaymentInCredit(_Model):
    """``share`` of the failed supplier's reachable prepayment meters are in credit in time."""

    kind: Literal["prepayment_in_credit"]
    within_hours: float = Field(gt=0)
    share: Share = 1.0


class NoPrepaymentActioned(_Model):
    """No request to put a meter into prepayment is ever actioned (R5)."""

    kind: Literal["no_prepayment_actioned"]


class AlertsReachSrp(_Model):
    """From the revocation of the failed supplier's certificates on, every alert of its meters
    that reached the DCC is delivered to the SRP: the arranged one at once, or Ofgem's when it
    instructs, none held at the end and none sent to the failed supplier (R7.1)."""

    kind: Literal["alerts_reach_srp"]


class FailedSupplierRefused(_Model):
    """Every request the failed supplier sends after Ofgem's revocation is refused; none is
    actioned (R6.3-R6.5)."""

    kind: Literal["failed_supplier_refused"]


def _known_stage(stage: str) -> str:
    """A misspelt stage would make the expectation fail for a reason nobody is looking for."""
    if stage not in STAGE_NAMES:
        raise ValueError(f"no pipeline stage {stage!r}; stages: {', '.join(STAGE_NAMES)}")
    return stage


class RejectedAt(_Model):
    """At least ``min_count`` requests are rejected or quarantined by the named DCC stage."""

    kind: Literal["rejected_at"]
    stage: Annotated[str, AfterValidator(_known_stage)]
    min_count: int = Field(ge=1)


Expectation = Annotated[
    PrepaymentInCredit | NoPrepaymentActioned | AlertsReachSrp | RejectedAt | FailedSupplierRefused,
    Field(discriminator="kind"),
]


class KeystoreKeys(_Model):
    """A key folder in the RTDS layout holding the meter's ``-ds.pem`` and ``-ka.pem``."""

    keystore: Name


def _serial_port(value: object) -> object:
    """A device path (/dev/ttyUSB0, COM3) or a URL pyserial opens; refused here, not mid-run."""
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not a port: a device path or a pyserial URL")
    scheme, sep, rest = value.partition("://")
    if not sep:
        return value
    if scheme not in SERIAL_SCHEMES:
        known = ", ".join(f"{name}://" for name in SERIAL_SCHEMES)
        raise ValueError(f"{value!r}: pyserial opens no {scheme}:// port; it opens {known}")
    if scheme in ("socket", "rfc2217"):
        host, _, port = rest.partition("/")[0].partition("?")[0].rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{value!r} is not {scheme}://HOST:PORT")
    return value


def _serial_class(value: object) -> object:
    if value == "smets1":
        raise ValueError(
            "a SMETS1 meter cannot stand in over serial: its commands reach it through the "
            "SMETS1 service provider; use esme or gsme"
        )
    return value


SERIAL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "hwgrep", "alt")


class PhysicalMeter(_Model):
    """A meter on a serial port in the rehearsal (docs/serial.md), enrolled like the fleet's:
    registered to ``supplier``, in ``payment_mode``, holding the keys ``keys`` says (``seed``:
    derived from the run's seed, as the fleet's are)."""

    port: Annotated[str, BeforeValidator(_serial_port)]
    device_class: Annotated[Literal["esme", "gsme"], BeforeValidator(_serial_class)]
    eui: Eui64
    supplier: Eui64
    payment_mode: Literal["credit", "prepayment"]
    keys: Literal["seed"] | KeystoreKeys = "seed"

    @property
    def eui64(self) -> bytes:
        return bytes.fromhex(self.eui.replace("-", ""))

    @property
    def supplier_eui(self) -> bytes:
        return bytes.fromhex(self.supplier.replace("-", ""))


class Scenario(_Model):
    name: Name
    description: str = ""
    seed: int = Field(ge=0)
    start: Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_in_utc)]
    duration_hours: float = Field(gt=0)
    fleet: Fleet
    suppliers: list[Supplier] = Field(min_length=1)
    srp: Srp
    ofgem: Ofgem
    wan: Wan
    faults: list[Fault] = []
    alerts: list[AlertBurst] = []
    physical_meters: list[PhysicalMeter] = []
    expectations: list[Expectation]

    @field_validator("expectations")
    @classmethod
    def _something_to_show(
        cls, expectations: list[Expectation], info: ValidationInfo
    ) -> list[Expectation]:
        """A file states what the run must show. A rehearsal written in Gherkin states it in
        its Then steps instead, after the run: validated with ``context=STEPS_JUDGE``."""
        if not expectations and info.context is not STEPS_JUDGE:
            raise ValueError("no expectations: list at least one thing the run must show")
        return expectations

    @field_validator("suppliers")
    @classmethod
    def _one_failing_supplier(cls, suppliers: list[Supplier]) -> list[Supplier]:
        problems: list[tuple[FieldPath, str]] = []
        total = sum(supplier.share for supplier in suppliers)
        if abs(total - 1) > SHARE_TOLERANCE:
            problems.append(((), f"the shares add up to {total:.9g}, not 1"))
        names: dict[str, int] = {}
        user_ids: dict[str, int] = {}
        for i, supplier in enumerate(suppliers):
            if supplier.name in names:
                problems.append(((i, "name"), f"also the name of suppliers.{names[supplier.name]}"))
            if supplier.user_id in user_ids:
                why = f"also the User ID of suppliers.{user_ids[supplier.user_id]}"
                problems.append(((i, "user_id"), why))
            names.setdefault(supplier.name, i)
            user_ids.setdefault(supplier.user_id, i)
        failing = [i for i, s in enumerate(suppliers) if s.fails_after_hours is not None]
        if not failing:
            problems.append(((), "no supplier fails: give exactly one of them fails_after_hours"))
        for i in failing[1:]:
            why = f"suppliers.{failing[0]} fails already; a rehearsal has one failing supplier"
            problems.append(((i, "fails_after_hours"), why))
        if problems:
            raise FieldErrors(problems)
        return suppliers

    @model_validator(mode="after")
    def _fits_together(self) -> Scenario:
        """Checks across sections: all that is scheduled happens before the run ends (or the run
        could not show it), and the SRP is a DCC User of its own."""
        problems: list[tuple[FieldPath, str]] = []
        end = self.duration_hours

        def after_end(path: FieldPath, what: str, hours: float) -> None:
            problems.append((path, f"{what} at {hours:g} h, but the run ends at {end:g} h"))

        index = self.suppliers.index(self.failing_supplier)
        failure = self.failure_hours
        instruction = failure + self.ofgem.instruction_delay_minutes / 60
        srp_start = instruction + self.srp.start_delay_minutes / 60
        if failure >= end:
            after_end(("suppliers", index, "fails_after_hours"), "the supplier fails", failure)
        elif instruction >= end:
            after_end(("ofgem", "instruction_delay_minutes"), "the instruction comes", instruction)
        elif srp_start >= end:
            after_end(("srp", "start_delay_minutes"), "the SRP starts", srp_start)
        revocation = failure + self.ofgem.revocation_delay_minutes / 60
        if failure < end <= revocation:
            after_end(("ofgem", "revocation_delay_minutes"), "the revocation comes", revocation)

        for i, fault in enumerate(self.faults):
            if isinstance(fault, WanOutage | HubsOffline):
                if fault.start_hours >= end:
                    after_end(("faults", i, "start_hours"), "it starts", fault.start_hours)
                elif fault.end_hours > end:
                    after_end(("faults", i, "duration_hours"), "it ends", fault.end_hours)
            elif fault.at_hours >= end:
                after_end(("faults", i, "at_hours"), "it comes", fault.at_hours)
            elif isinstance(fault, RequestBeforeInstruction) and fault.at_hours >= instruction:
                why = f"{fault.at_hours:g} h is not before Ofgem's instruction at {instruction:g} h"
                problems.append((("faults", i, "at_hours"), why))
            elif isinstance(fault, FailedSupplierRequests) and fault.at_hours <= revocation:
                why = f"{fault.at_hours:g} h is not after Ofgem's revocation at {revocation:g} h"
                problems.append((("faults", i, "at_hours"), why))
        for i, burst in enumerate(self.alerts):
            if burst.start_hours >= end:
                after_end(("alerts", i, "start_hours"), "it starts", burst.start_hours)
            elif burst.end_hours > end:
                after_end(("alerts", i, "end_hours"), "it ends", burst.end_hours)

        for i, supplier in enumerate(self.suppliers):
            if supplier.srp is not None and supplier.srp != self.srp.user_id:
                why = f"{supplier.srp} is not the SRP's User ID ({self.srp.user_id})"
                problems.append((("suppliers", i, "srp"), why))
        clash = next((s for s in self.suppliers if s.user_id == self.srp.user_id), None)
        if clash is not None:
            why = f"also the User ID of supplier {clash.name!r}; the SRP is a DCC User of its own"
            problems.append((("srp", "user_id"), why))
        problems += self._physical_meter_problems()
        if problems:
            raise FieldErrors(problems)
        return self

    def _physical_meter_problems(self) -> list[tuple[FieldPath, str]]:
        """Each physical meter's supplier is one of the scenario's, its EUI-64 its own and not
        one the virtual fleet uses."""
        problems: list[tuple[FieldPath, str]] = []
        suppliers = {supplier.user_id for supplier in self.suppliers}
        fleet_end = FLEET_BASE + self.fleet.meters
        seen: dict[str, int] = {}
        for i, meter in enumerate(self.physical_meters):
            path: FieldPath = ("physical_meters", i)
            if meter.supplier not in suppliers:
                why = f"{meter.supplier} is not the User ID of any of the scenario's suppliers"
                problems.append(((*path, "supplier"), why))
            if meter.eui in seen:
                why = f"also the EUI-64 of physical_meters.{seen[meter.eui]}"
                problems.append(((*path, "eui"), why))
            elif FLEET_BASE <= int.from_bytes(meter.eui64, "big") < fleet_end:
                first, last = (FLEET_BASE.to_bytes(8, "big"), (fleet_end - 1).to_bytes(8, "big"))
                why = (
                    f"{meter.eui} is a device ID of the virtual fleet "
                    f"({format_eui64(first)} to {format_eui64(last)})"
                )
                problems.append(((*path, "eui"), why))
            seen.setdefault(meter.eui, i)
        return problems

    @property
    def failing_supplier(self) -> Supplier:
        return next(s for s in self.suppliers if s.fails_after_hours is not None)

    @property
    def failure_hours(self) -> float:
        """Hours from ``start`` to the failure: the clock Ofgem's delays count from."""
        hours = self.failing_supplier.fails_after_hours
        assert hours is not None  # the supplier validator makes sure one supplier fails
        return hours


def parse_scenario(text: str, origin: str = "<scenario>", *, seed: int | None = None) -> Scenario:
    """Validate scenario YAML; ``seed``, if given, replaces the file's (to replay or vary a run).

    Raises :class:`ScenarioError` naming each problem's line, as ``origin:LINE: path: why``.
    """
    return validate_yaml(Scenario, text, origin, {} if seed is None else {"seed": seed})


def load_scenario(path: Path | str, *, seed: int | None = None) -> Scenario:
    """Read and validate a scenario file; see :func:`parse_scenario`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ScenarioError([f"{path}:{line}: not UTF-8 text ({exc.reason})"]) from None
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read the file: {exc.strerror}"]) from None
    return parse_scenario(text, str(path), seed=seed)


__all__ = [
    "DEVICE_CLASSES",
    "AlertBurst",
    "AlertsReachSrp",
    "DeviceClass",
    "Expectation",
    "FailedSupplierRefused",
    "FailedSupplierRequests",
    "Fault",
    "Fleet",
    "FleetMix",
    "HubsOffline",
    "KeystoreKeys",
    "Latency",
    "MaliciousPrepayment",
    "NoPrepaymentActioned",
    "Ofgem",
    "PhysicalMeter",
    "PrepaymentInCredit",
    "RejectedAt",
    "RequestBeforeInstruction",
    "Scenario",
    "ScenarioError",
    "Srp",
    "Supplier",
    "Wan",
    "WanOutage",
    "load_scenario",
    "parse_scenario",
]
