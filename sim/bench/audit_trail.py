"""Audit trail write rate on a real WAL file: how many requests per second the DCC can record.

Run with ``python -m sim.bench.audit_trail``. One request's life is what the DCC writes for an
SR 1.6 that passes: the request with 4 KiB of raw XML, the decision of every pipeline stage (one
transaction, ``executemany``), the command to the device and the response to the user: four
transactions.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dcc.audit import AuditTrail, DeliveryKind, DeliveryStatus, StageDecision, Verdict
from dcc.duis.ids import RequestID
from dcc.pipeline import STAGE_NAMES

ROWS_PER_REQUEST = 1 + len(STAGE_NAMES) + 2
SRP = bytes.fromhex("90B3D51F30020000")
METER = bytes.fromhex("00DB1234567890A0")
RAW = b"<sr:Request>" + b"x" * 4072 + b"</sr:Request>"
START = datetime(2026, 1, 1, tzinfo=UTC)


def record_one(trail: AuditTrail, counter: int) -> None:
    at = START + timedelta(seconds=counter)
    request_id = RequestID(SRP, METER, counter)
    entry = trail.record_request(RAW, at, request_id=request_id, srv="1.6", command_variant=5)
    trail.record_decisions(entry, [StageDecision(stage, Verdict.PASS, at) for stage in STAGE_NAMES])
    trail.record_delivery(
        DeliveryKind.COMMAND_TO_DEVICE,
        sender="DCC",
        recipient=METER,
        data=RAW[:200],
        at=at,
        entry=entry,
    )
    trail.record_delivery(
        DeliveryKind.RESPONSE_TO_USER,
        sender="DCC",
        recipient=SRP,
        data=RAW[:800],
        at=at,
        status=DeliveryStatus.DELIVERED,
        entry=entry,
    )


def requests_per_second(count: int = 5000) -> float:
    """Requests recorded per second into a fresh file (each is ROWS_PER_REQUEST rows)."""
    with tempfile.TemporaryDirectory() as folder, AuditTrail(Path(folder) / "audit.db") as trail:
        start = time.perf_counter()
        for counter in range(count):
            record_one(trail, counter)
        return count / (time.perf_counter() - start)


def run(count: int = 5000) -> float:
    """Print and return audited requests per second."""
    rate = requests_per_second(count)
    print(
        f"audit trail, WAL, synchronous=NORMAL: {rate:,.0f} requests/s "
        f"({rate * ROWS_PER_REQUEST:,.0f} rows/s, {ROWS_PER_REQUEST} rows and 4 transactions each)"
    )
    return rate


if __name__ == "__main__":
    run()
