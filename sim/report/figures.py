"""Reading a run's figures for people: tolerant of missing metrics, in plain words.

The reports and the ``solrsim run`` summary read :attr:`RunResult.metrics` through here, so a
metric a runner did not produce shows as ``n/a`` instead of crashing a report that an assurance
team is waiting for.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dcc.pipeline import STAGES as PIPELINE

NA = "n/a"

METER_TYPES: dict[str, str] = {
    "esme": "ESME (SMETS2+ electricity)",
    "gsme": "GSME (SMETS2+ gas)",
    "smets1": "SMETS1",
}

# Where the alerts meters raised ended, in words: the "raised" figure is the sum of these.
ALERT_OUTCOMES: dict[str, str] = {
    "delivered_to_srp": "delivered to the SRP (supplier revoked, R7.1)",
    "delivered_to_supplier": "delivered to the supplier they were addressed to",
    "held": "held by the DCC for the SRP Ofgem has yet to instruct",
    "lost_on_wan": "lost on the WAN before reaching the DCC",
    "in_flight": "still on the WAN when the run ended",
    "refused": "not passed on by the DCC (not authentic)",
}

# The alert series a run samples over time, and how the charts label them.
ALERT_SERIES: dict[str, str] = {
    "alerts_raised": "raised by meters",
    "alerts_to_srp": "delivered to the SRP",
    "alerts_to_supplier": "delivered to a supplier",
    "alerts_held": "held by the DCC",
}

# DCC pipeline stage -> (rule ids of the SoLR requirements, what a refusal there means in plain
# words), from the pipeline's own table.
STAGES: dict[str, tuple[str, str]] = {
    stage.name: (stage.rules, stage.meaning) for stage in PIPELINE
}

BREACHES: dict[str, str] = {
    "ADAttributeLimitsBreach": "attribute limits (R5): a request to set anything but credit",
    "ADUserThresholdBreach": "the User's anomaly detection threshold (R6.1)",
    "ADDCCThresholdBreach": "the DCC-wide anomaly detection threshold",
}


def moment(when: datetime) -> str:
    """A simulated time as people say it: ``Monday 2 November 09:05 UTC``."""
    return f"{when:%A} {when.day} {when:%B %H:%M} UTC"


def duration(seconds: float) -> str:
    """A span in the unit people would use: seconds under two minutes, minutes under two hours,
    then hours (and minutes)."""
    if seconds < 120:
        return f"{seconds:.3g} seconds"
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"{minutes} minutes"
    hours, rest = divmod(minutes, 60)
    return f"{hours} hours" + (f" {rest} minutes" if rest else "")


def hours(value: float) -> str:
    """A number of hours in words: ``1 hour``, ``24 hours``, ``1.5 hours``."""
    return f"{value:g} hour" + ("" if value == 1 else "s")


def lookup(metrics: Mapping[str, Any], *path: str) -> Any:
    """``metrics[path[0]][path[1]]...``, or None where any step is missing or not a mapping."""
    value: Any = metrics
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def counts(metrics: Mapping[str, Any], *path: str) -> dict[str, int]:
    """A ``{name: count}`` metric, empty where it is missing or malformed."""
    value = lookup(metrics, *path)
    if not isinstance(value, Mapping):
        return {}
    return {str(key): count for key, count in value.items() if _is_number(count)}


def total(metrics: Mapping[str, Any], *path: str) -> int | None:
    """The sum of a ``{name: count}`` metric, or None where it is missing."""
    value = lookup(metrics, *path)
    return sum(counts(metrics, *path).values()) if isinstance(value, Mapping) else None


def show(value: Any, unit: str = "") -> str:
    """A figure as people read it: thousands separated, floats to 3 significant places."""
    if value is None or not _is_number(value):
        return NA if value is None else str(value)
    if isinstance(value, int):
        text = f"{value:,}"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".rstrip()


def share(part: int | None, whole: int | None) -> str:
    """``part`` of ``whole`` as a percentage, ``n/a`` when either is unknown or whole is 0."""
    if part is None or not whole:
        return NA
    return f"{100 * part / whole:.1f}%"


def stage_rule(stage: str) -> str:
    return STAGES.get(stage, ("", ""))[0]


def stage_meaning(stage: str) -> str:
    return STAGES.get(stage, ("", "a check of the DCC pipeline"))[1]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


PHYSICAL_COLUMNS = (
    "EUI-64",
    "Type",
    "Port",
    "Mode declared",
    "Switched to credit",
    "Answers",
    "Refusals",
    "Silences",
)


def physical_rows(metrics: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """One row per physical meter (``metrics["physical_meters"]``), in :data:`PHYSICAL_COLUMNS`;
    empty for a run without any."""
    meters = metrics.get("physical_meters")
    if not isinstance(meters, list):
        return []
    rows: list[tuple[str, ...]] = []
    for meter in meters:
        if not isinstance(meter, Mapping):
            continue
        switched = meter.get("switched")
        silences = show(meter.get("silences"))
        faults = meter.get("faults")
        if faults:
            silences += f" ({show(faults)} port faults)"
        rows.append(
            (
                show(meter.get("eui")),
                show(meter.get("device_class")).upper(),
                show(meter.get("port")),
                show(meter.get("payment_mode")),
                NA if switched is None else ("yes" if switched else "no"),
                show(meter.get("answers")),
                show(meter.get("refusals")),
                silences,
            )
        )
    return rows
