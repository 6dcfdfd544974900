"""The running counts of a rehearsal, kept as it goes so that a run of a million meters is not
re-read from its log at the end. Each count is taken where the thing crosses the wire: a
request's verdict as the DCC answers it, a switch when the device's I0 reaches the SRP."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

REPORTED = (0.5, 0.9, 0.99, 1.0)


@dataclass
class Tally:
    requests: int = 0
    # stage -> response code or quarantine breach -> count
    rejections: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    quarantined: Counter[str] = field(default_factory=Counter)
    no_response: int = 0  # E21 answers: the device's response did not come in time
    retries: int = 0
    alerts_raised: int = 0  # alert frames meters sent up the WAN, SMETS2+ and SMETS1
    alerts_to_srp: int = 0
    alerts_to_supplier: int = 0
    alerts_refused: int = 0  # reached the DCC, which did not pass them on (not authentic)
    alerts_safety_critical: int = 0
    prepayment_actioned: int = 0
    # device ID -> seconds into the run when its switch was confirmed to the SRP
    switched_at: dict[bytes, float] = field(default_factory=dict)
    switched: Counter[str] = field(default_factory=Counter)  # device class -> count
    latencies: list[float] = field(default_factory=list)

    def rejected(self, stage: str, code_or_breach: str) -> None:
        self.rejections[stage][code_or_breach] += 1

    def switch(self, device_id: bytes, device_class: str, at: float, latency: float) -> None:
        self.switched_at[device_id] = at
        self.switched[device_class] += 1
        self.latencies.append(latency)


def percentiles(values: Iterable[float], qs: Sequence[float] = REPORTED) -> dict[str, float | None]:
    """Nearest-rank percentiles named ``p50``, ``p99.9``... and ``max`` for q = 1, the way
    reports and benchmarks quote them; each None when there are no values."""
    ordered = sorted(values)

    def rank(q: float) -> float | None:
        if not ordered:
            return None
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    return {"max" if q == 1 else f"p{q * 100:g}": rank(q) for q in qs}
