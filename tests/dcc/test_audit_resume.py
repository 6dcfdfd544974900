"""An audit trail reopened under a DCC that runs its history again keeps each row once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dcc.audit import AuditTrail, DeliveryKind, StageDecision, Verdict
from dcc.audit_resume import AuditReplayError, ResumedAuditTrail
from dcc.duis.ids import RequestID

SRP = bytes.fromhex("90B3D51F300A0000")
SUPPLIER = bytes.fromhex("90B3D51F30010000")
METER = bytes.fromhex("00DB1234567890A0")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _history(trail: AuditTrail, counter: int) -> tuple[int, int, int, int]:
    """What a DCC records for one request, a delivery, an alert and a revocation."""
    raw = f"<request {counter}/>".encode()
    entry = trail.record_request(raw, T0, request_id=RequestID(SRP, METER, counter))
    trail.record_decisions(entry, [StageDecision(s, Verdict.PASS, T0) for s in ("schema", "act")])
    delivery = trail.record_delivery(
        DeliveryKind.COMMAND_TO_DEVICE, sender="DCC", recipient=METER, data=raw, at=T0, entry=entry
    )
    alert = trail.record_alert(
        METER,
        0x8F3F,
        addressed_to=SUPPLIER,
        delivered_to=SRP,
        reason="routed",
        safety_critical=False,
        at=T0,
    )
    revocation = trail.record_ofgem_revocation(SUPPLIER, [f"serial {counter}"], "suspended", T0)
    return entry, delivery, alert, revocation


def test_a_history_run_again_is_answered_from_the_file_and_what_follows_is_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.sqlite"
    with AuditTrail(path) as trail:
        before = [_history(trail, 1), _history(trail, 2)]
    with ResumedAuditTrail(path) as resumed:
        again = [_history(resumed, 1), _history(resumed, 2)]
        after = _history(resumed, 3)
        counts = resumed.counts()
        revocations = resumed.ofgem_revocations()
    assert again == before
    assert after == (3, 3, 3, 3)
    assert (counts.requests, counts.decisions, counts.deliveries, counts.alerts) == (3, 6, 3, 3)
    assert [r.certificates for r in revocations] == [("serial 1",), ("serial 2",), ("serial 3",)]


def test_a_crash_within_a_history_is_completed_from_where_it_stopped(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    with AuditTrail(path) as trail:
        trail.record_request(b"<request 1/>", T0, request_id=RequestID(SRP, METER, 1))
    with ResumedAuditTrail(path) as resumed:
        assert _history(resumed, 1) == (1, 1, 1, 1)
        assert resumed.counts().decisions == 2
        assert resumed.history(RequestID(SRP, METER, 1)).requests[0].raw == b"<request 1/>"
        assert len(resumed.history(RequestID(SRP, METER, 1)).requests) == 1


def test_another_history_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    with AuditTrail(path) as trail:
        _history(trail, 1)
    with (
        ResumedAuditTrail(path) as resumed,
        pytest.raises(AuditReplayError, match="entry 1 holds another request"),
    ):
        _history(resumed, 2)
