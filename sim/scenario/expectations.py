"""A scenario's expectations judged on what the run captured, each with the numbers behind it.

The verdicts come from the wire: a switch counts when the device's I0 reached the SRP, an alert
when the DCC delivered it, a refusal as the DCC's answer said. "Reachable" meters are those no
WAN fault window hits: the scenario asks for the others to be tried, not to be reached.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from sim.report.events import Event, EventKind, Expectation
from sim.report.figures import STAGES, hours, moment
from sim.report.wire_log import DCC
from sim.scenario.model import (
    AlertsReachSrp,
    FailedSupplierRefused,
    NoPrepaymentActioned,
    PrepaymentInCredit,
    RejectedAt,
    Scenario,
)
from sim.scenario.model import Expectation as ExpectationModel


@dataclass
class AlertWatch:
    """Counts, as the wire log records them, the failed supplier's meters' alerts from the
    revocation of its certificates on: those that reached the DCC, and the device alerts the DCC
    delivered to the SRP (at once, or on Ofgem's instruction after holding them). Register with
    :meth:`sim.report.wire_log.WireLog.observe` for its :attr:`KINDS`; no list of events is
    kept or scanned afterwards."""

    KINDS: ClassVar[tuple[EventKind, ...]] = (
        EventKind.GBCS_ALERT,
        EventKind.SMETS1_ALERT,
        EventKind.ALERT_HELD,
        EventKind.DEVICE_ALERT,
    )

    revocation: datetime
    instruction: datetime
    srp: str  # the SRP as the log names it
    failed_supplier_device: Callable[[str], bool]
    arrived: int = 0
    to_srp: int = 0
    held: int = 0  # of those arrived, how many the DCC held for Ofgem's SRP

    def __call__(self, event: Event) -> None:
        if event.time < self.revocation:
            return
        if event.kind in (EventKind.GBCS_ALERT, EventKind.SMETS1_ALERT):
            if event.recipient == DCC and self.failed_supplier_device(event.sender):
                self.arrived += 1
        elif event.kind is EventKind.ALERT_HELD:
            self.held += 1
        elif event.kind is EventKind.DEVICE_ALERT and event.recipient == self.srp:
            self.to_srp += 1


@dataclass
class FailedSupplierWatch:
    """Counts, as the wire log records them, the failed supplier's DUIS requests from Ofgem's
    revocation on: those the DCC accepted, and the others by the stage and code that refused
    them. Register with :meth:`sim.report.wire_log.WireLog.observe` for its :attr:`KINDS`."""

    KINDS: ClassVar[tuple[EventKind, ...]] = (EventKind.DUIS_REQUEST,)

    revocation: datetime
    supplier: str  # the failed supplier as the log names it
    name: str  # the failed supplier as people name it
    accepted: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # "stage code" -> count

    def __call__(self, event: Event) -> None:
        if (
            event.kind is not EventKind.DUIS_REQUEST
            or event.sender != self.supplier
            or event.time < self.revocation
        ):
            return
        if event.verdict in _ACCEPTED:
            self.accepted += 1
        else:
            stage = event.detail.partition(":")[0] or "unknown stage"
            self.refused[f"{stage} {event.verdict}"] += 1


# The MP134B rule ids each kind of expectation shows (rejected_at: its stage's, from the
# pipeline's table).
RULES: dict[str, str] = {
    "prepayment_in_credit": "R6.3, R6.4",
    "no_prepayment_actioned": "R5.1, R5.2, R5.3",
    "alerts_reach_srp": "R7.1, R7.2",
    "failed_supplier_refused": "R6.3-R6.5",
}

# Stages the pipeline's table gives no SoLR rule, for what refusals there show in a SoLR event:
# the failed supplier's revoked xmlSign certificate, its suspended User.
_STAGE_RULES = {"signature": "R6.3-R6.5", "user": "R6.3-R6.5"}

# What the DCC answers a request it acts on: a transform issued, a command sent to a device.
_ACCEPTED = frozenset({"I0", "I99"})


@dataclass(frozen=True)
class Evidence:
    """What the judging needs beyond the metrics and the log."""

    failure: float  # seconds into the run
    srp: str  # the SRP as the log names it
    to_switch: Sequence[bytes]
    reachable: Sequence[bytes]
    switched_at: Mapping[bytes, float]  # device ID -> seconds into the run
    alerts: AlertWatch  # counted as the run logged them
    failed_supplier: FailedSupplierWatch  # counted as the run logged them


def evaluate(
    scenario: Scenario, evidence: Evidence, metrics: Mapping[str, Any]
) -> list[Expectation]:
    return [judge(expectation, evidence, metrics) for expectation in scenario.expectations]


def judge(
    expectation: ExpectationModel, evidence: Evidence, metrics: Mapping[str, Any]
) -> Expectation:
    """One expectation's verdict and evidence: for a scenario file's list and a Then step alike."""
    match expectation:
        case PrepaymentInCredit():
            return _in_credit(expectation, evidence)
        case NoPrepaymentActioned():
            return _no_prepayment(metrics)
        case AlertsReachSrp():
            return _alerts_reach_srp(evidence)
        case RejectedAt():
            return _rejected_at(expectation, metrics)
        case FailedSupplierRefused():
            return _failed_supplier_refused(evidence.failed_supplier)
    raise TypeError(f"no judge for {type(expectation).__name__}")


def _in_credit(expectation: PrepaymentInCredit, evidence: Evidence) -> Expectation:
    deadline = evidence.failure + expectation.within_hours * 3600
    reachable = len(evidence.reachable)
    in_time = sum(
        1
        for device in evidence.reachable
        if evidence.switched_at.get(device, deadline + 1) <= deadline
    )
    needed = expectation.share * reachable
    left_out = len(evidence.to_switch) - reachable
    share = in_time / reachable if reachable else 1.0
    within = hours(expectation.within_hours)
    return Expectation(
        f"prepayment_in_credit: {expectation.share:.0%} within {within}",
        in_time >= needed,
        f"{in_time} of {reachable} reachable prepayment meters of the failed supplier "
        f"{evidence.failed_supplier.name} ({share:.1%}) confirmed in credit within {within} of "
        f"its failure (needed {expectation.share:.0%}); {left_out} meters hit by WAN faults not "
        "counted",
        RULES["prepayment_in_credit"],
    )


def _no_prepayment(metrics: Mapping[str, Any]) -> Expectation:
    actioned = metrics["prepayment_actioned"]
    held = metrics["quarantined"].get("ADAttributeLimitsBreach", 0)
    return Expectation(
        "no_prepayment_actioned",
        actioned == 0,
        f"{actioned} commands setting prepayment reached a meter; "
        f"{held} requests quarantined for ADAttributeLimitsBreach",
        RULES["no_prepayment_actioned"],
    )


def _alerts_reach_srp(evidence: Evidence) -> Expectation:
    watch = evidence.alerts
    arrived, to_srp = watch.arrived, watch.to_srp
    return Expectation(
        "alerts_reach_srp",
        arrived > 0 and to_srp == arrived,
        f"{to_srp} of {arrived} alerts from the failed supplier's meters that reached the DCC "
        f"after its revocation ({moment(watch.revocation)}) were delivered to the SRP; "
        f"{watch.held} of them held by the DCC until Ofgem's instruction "
        f"({moment(watch.instruction)})",
        RULES["alerts_reach_srp"],
    )


def _rejected_at(expectation: RejectedAt, metrics: Mapping[str, Any]) -> Expectation:
    by_code = metrics["rejections"].get(expectation.stage, {})
    total = sum(by_code.values())
    codes = ", ".join(f"{code} x{n}" for code, n in sorted(by_code.items())) or "none"
    return Expectation(
        f"rejected_at: {expectation.stage} >= {expectation.min_count}",
        total >= expectation.min_count,
        f"{total} requests rejected or quarantined at stage {expectation.stage!r} ({codes}); "
        f"needed at least {expectation.min_count}",
        STAGES.get(expectation.stage, ("", ""))[0] or _STAGE_RULES.get(expectation.stage, ""),
    )


def _failed_supplier_refused(watch: FailedSupplierWatch) -> Expectation:
    refused = sum(watch.refused.values())
    sent = refused + watch.accepted
    by_stage = ", ".join(f"{what} x{n}" for what, n in sorted(watch.refused.items())) or "none"
    return Expectation(
        "failed_supplier_refused",
        sent > 0 and watch.accepted == 0,
        f"{refused} of {sent} requests from the failed supplier {watch.name} "
        f"({watch.supplier}) after its revocation ({moment(watch.revocation)}) were refused "
        f"({by_stage}); {watch.accepted} accepted (a transform issued or a command sent to a "
        "meter)",
        RULES["failed_supplier_refused"],
    )
