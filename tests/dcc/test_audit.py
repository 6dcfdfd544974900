"""The audit trail: what it keeps (bad input included), how it is queried, and its file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from dcc.audit import (
    SCHEMA_VERSION,
    AuditCounts,
    AuditError,
    AuditTrail,
    DatabaseError,
    DeliveryKind,
    DeliveryStatus,
    NotRecordedError,
    StageDecision,
    Verdict,
)
from dcc.duis.ids import RequestID
from dcc.sqlite_file import SchemaVersionError
from sim.bench.audit_trail import requests_per_second

SUPPLIER = bytes.fromhex("90B3D51F30010000")
SRP = bytes.fromhex("90B3D51F30020000")
METER = bytes.fromhex("00DB1234567890A0")
OTHER_METER = bytes.fromhex("00DB1234567890B0")
T0 = datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)
REQUEST_ID = RequestID(SRP, METER, 7)
REQUEST = b"<sr:Request>ECS02 signed pre-command</sr:Request>"
TAMPER = 0x8F3F


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "dcc.sqlite3"


@pytest.fixture
def trail(path: Path) -> Iterator[AuditTrail]:
    with AuditTrail(path) as trail:
        yield trail


def _pass(stage: str, at: datetime = T0) -> StageDecision:
    return StageDecision(stage, Verdict.PASS, at)


def _record_switch(trail: AuditTrail) -> int:
    entry = trail.record_request(REQUEST, T0, request_id=REQUEST_ID, srv="1.6", command_variant=5)
    trail.record_decisions(entry, [_pass("schema"), _pass("xml signature"), _pass("credit only")])
    trail.record_delivery(
        DeliveryKind.COMMAND_TO_DEVICE,
        sender="DCC",
        recipient=METER,
        data=b"\xdd\x01",
        at=T0,
        entry=entry,
    )
    trail.record_delivery(
        DeliveryKind.RESPONSE_TO_USER,
        sender="DCC",
        recipient=SRP,
        data=b"<sr:Response/>",
        at=T0 + timedelta(seconds=2),
        status=DeliveryStatus.DELIVERED,
        entry=entry,
    )
    return entry


# --- the file -----------------------------------------------------------------------------------


def test_a_file_is_opened_in_wal_mode_with_normal_sync(trail: AuditTrail, path: Path) -> None:
    assert trail.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert trail.connection.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    with sqlite3.connect(path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_second_connection_reads_what_is_committed(trail: AuditTrail, path: Path) -> None:
    reader = sqlite3.connect(path)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM requests").fetchone() == (0,)
        _record_switch(trail)  # the reader's open snapshot does not block the writer
        assert reader.execute("SELECT count(*) FROM requests").fetchone() == (0,)
        reader.execute("COMMIT")
        row = reader.execute("SELECT request_id, raw FROM requests").fetchone()
        assert row == (str(REQUEST_ID), REQUEST)
    finally:
        reader.close()


def test_records_survive_a_restart(path: Path) -> None:
    with AuditTrail(path) as trail:
        entry = _record_switch(trail)
    with AuditTrail(path) as reopened:
        history = reopened.history(REQUEST_ID)
    assert [request.entry for request in history.requests] == [entry]
    assert len(history.decisions) == 3 and len(history.deliveries) == 2


def test_a_newer_schema_version_is_refused(path: Path) -> None:
    AuditTrail(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE schema_version SET version = ? WHERE component = 'audit'",
            (SCHEMA_VERSION + 1,),
        )
    connection.close()
    newer = f"audit schema version {SCHEMA_VERSION + 1} is newer than version {SCHEMA_VERSION}"
    with pytest.raises(SchemaVersionError, match=newer):
        AuditTrail(path)


def test_an_older_schema_version_is_refused(path: Path) -> None:
    AuditTrail(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE schema_version SET version = 1 WHERE component = 'audit'")
    connection.close()
    with pytest.raises(
        SchemaVersionError, match=f"audit schema version 1 is older than {SCHEMA_VERSION}"
    ):
        AuditTrail(path)


def test_ofgem_revocations_survive_a_restart(path: Path) -> None:
    with AuditTrail(path) as trail:
        trail.record_ofgem_revocation(SUPPLIER, ["xmlSign", "supplier DS"], "suspended", T0)
        trail.record_ofgem_revocation(SRP, [], None, T0)
    with AuditTrail(path) as reopened:
        first, second = reopened.ofgem_revocations()
    assert (first.failed_supplier, first.certificates, first.user_status, first.at) == (
        SUPPLIER,
        ("xmlSign", "supplier DS"),
        "suspended",
        T0,
    )
    assert (second.failed_supplier, second.certificates, second.user_status) == (SRP, (), None)


def test_a_file_that_is_not_a_database_is_refused(path: Path) -> None:
    path.write_bytes(b"not SQLite at all, but long enough to look like a header" * 4)
    with pytest.raises(DatabaseError, match="cannot use database"):
        AuditTrail(path)


def test_memory_trail_for_tests() -> None:
    with AuditTrail(":memory:") as trail:
        _record_switch(trail)
        assert trail.counts().requests == 1


def test_closing_closes_the_connection(path: Path) -> None:
    with AuditTrail(path) as trail:
        pass
    with pytest.raises(sqlite3.ProgrammingError):
        trail.connection.execute("SELECT 1")


def test_times_are_iso_utc_text_with_microseconds(trail: AuditTrail) -> None:
    paris = timezone(timedelta(hours=1))
    entry = trail.record_request(REQUEST, T0.astimezone(paris), request_id=REQUEST_ID)
    stored = trail.connection.execute(
        "SELECT received_at FROM requests WHERE entry = ?", (entry,)
    ).fetchone()
    assert stored == ("2026-03-01T09:30:00.123456+00:00",)
    assert trail.history(REQUEST_ID).requests[0].received_at == T0


def test_a_naive_time_is_refused(trail: AuditTrail) -> None:
    with pytest.raises(DatabaseError, match="naive datetime"):
        trail.record_request(REQUEST, datetime(2026, 3, 1), request_id=REQUEST_ID)


# --- requests, decisions, deliveries ----------------------------------------------------------


def test_history_of_a_request(trail: AuditTrail) -> None:
    entry = _record_switch(trail)
    history = trail.history(str(REQUEST_ID).lower())  # the ID in any hex case
    (request,) = history.requests
    assert history.request_id == "90-B3-D5-1F-30-02-00-00:00-DB-12-34-56-78-90-A0:7"
    assert (request.entry, request.originator, request.target) == (entry, SRP, METER)
    assert (request.srv, request.command_variant, request.raw) == ("1.6", 5, REQUEST)
    assert [d.stage for d in history.decisions] == ["schema", "xml signature", "credit only"]
    assert {d.verdict for d in history.decisions} == {Verdict.PASS}
    command, response = history.deliveries
    assert (command.kind, command.sender, command.recipient) == (
        DeliveryKind.COMMAND_TO_DEVICE,
        "DCC",
        "00-DB-12-34-56-78-90-A0",
    )
    assert (command.data, command.status) == (b"\xdd\x01", DeliveryStatus.SENT)
    assert (response.kind, response.status) == (DeliveryKind.RESPONSE_TO_USER, "delivered")
    assert response.at == T0 + timedelta(seconds=2)


def test_a_malformed_request_is_kept_with_its_bytes(trail: AuditTrail) -> None:
    raw = b"<sr:Request><Header><RequestID>90-B3:oops</RequestID>\x00\xff"
    entry = trail.record_request(raw, T0, request_id="90-B3:oops")
    refusal = StageDecision("schema", Verdict.REJECT, T0, "E1000", "not well-formed XML")
    trail.record_decision(entry, refusal)
    history = trail.history("90-B3:oops")
    (request,) = history.requests
    assert (request.raw, request.originator, request.srv) == (raw, None, None)
    (decision,) = history.decisions
    assert (decision.stage, decision.verdict, decision.response_code, decision.reason) == (
        "schema",
        Verdict.REJECT,
        "E1000",
        "not well-formed XML",
    )


def test_a_request_without_a_readable_id_is_found_by_its_entry(trail: AuditTrail) -> None:
    entry = trail.record_request(b"\x00garbage", T0)
    trail.record_decision(entry, StageDecision("schema", Verdict.REJECT, T0, "E1000", "not XML"))
    (rejected,) = trail.decisions(verdict=Verdict.REJECT)
    history = trail.entry_history(rejected.entry)
    assert history.request_id is None
    assert history.requests[0].raw == b"\x00garbage"


def test_decisions_keep_the_order_made_even_at_equal_times(trail: AuditTrail) -> None:
    entry = trail.record_request(REQUEST, T0, request_id=REQUEST_ID)
    stages = ["schema", "xml signature", "user and role", "SRV eligibility", "anomaly detection"]
    trail.record_decisions(entry, [_pass(stage) for stage in stages[:3]])
    trail.record_decision(entry, _pass(stages[3]))
    trail.record_decision(entry, StageDecision(stages[4], Verdict.QUARANTINE, T0, "E50", "ADT"))
    assert [d.stage for d in trail.history(REQUEST_ID).decisions] == stages


def test_a_replayed_request_id_keeps_both_receipts(trail: AuditTrail) -> None:
    first = _record_switch(trail)
    replay = trail.record_request(REQUEST, T0 + timedelta(minutes=1), request_id=REQUEST_ID)
    trail.record_decision(replay, StageDecision("replay", Verdict.REJECT, T0, "E3", "seen"))
    history = trail.history(REQUEST_ID)
    assert [r.entry for r in history.requests] == [first, replay]
    assert [(d.entry, d.verdict) for d in history.decisions][-1] == (replay, Verdict.REJECT)


def test_decisions_by_stage_and_verdict(trail: AuditTrail) -> None:
    first = _record_switch(trail)
    other = trail.record_request(REQUEST, T0, request_id=RequestID(SRP, OTHER_METER, 1))
    trail.record_decisions(
        other, [_pass("schema"), StageDecision("xml signature", Verdict.REJECT, T0, "E2", "bad")]
    )
    assert len(trail.decisions()) == 5
    assert [d.entry for d in trail.decisions(stage="schema")] == [first, other]
    (rejected,) = trail.decisions(verdict=Verdict.REJECT)
    assert (rejected.request_id, rejected.stage) == (
        str(RequestID(SRP, OTHER_METER, 1)),
        "xml signature",
    )
    assert trail.decisions(stage="schema", verdict=Verdict.REJECT) == []


def test_a_decision_for_an_unknown_entry_is_refused(trail: AuditTrail) -> None:
    with pytest.raises(AuditError, match="decisions for entry 99: FOREIGN KEY"):
        trail.record_decision(99, _pass("schema"))
    assert trail.counts().decisions == 0


def test_a_delivery_belongs_to_a_request_or_an_alert(trail: AuditTrail) -> None:
    with pytest.raises(AuditError, match="one request entry or one alert"):
        trail.record_delivery(
            DeliveryKind.COUNTERSIGNED_TO_S1SP, sender="DCC", recipient="S1SP", data=b"", at=T0
        )


def test_an_unknown_request_id_is_not_recorded(trail: AuditTrail) -> None:
    with pytest.raises(NotRecordedError, match="no request with RequestID"):
        trail.history(REQUEST_ID)


# --- alerts -------------------------------------------------------------------------------------


def test_alert_routing_with_its_delivery(trail: AuditTrail) -> None:
    reason = "supplier revoked; routed to SRP per Ofgem instruction"
    alert = trail.record_alert(
        METER,
        TAMPER,
        addressed_to=SUPPLIER,
        delivered_to=SRP,
        reason=reason,
        safety_critical=True,
        at=T0,
    )
    trail.record_delivery(
        DeliveryKind.ALERT_TO_USER,
        sender="DCC",
        recipient=SRP,
        data=b"<alert/>",
        at=T0,
        alert=alert,
    )
    held = trail.record_alert(
        OTHER_METER,
        0x8F1C,
        addressed_to=SUPPLIER,
        delivered_to=None,
        reason="supplier revoked and no SoLR instruction",
        safety_critical=False,
        at=T0,
    )
    by_meter = trail.alerts_for(METER)
    assert by_meter == trail.alerts_for(SRP)
    (routed,) = by_meter
    assert (routed.device, routed.alert_code, routed.addressed_to, routed.delivered_to) == (
        METER,
        TAMPER,
        SUPPLIER,
        SRP,
    )
    assert (routed.reason, routed.safety_critical, routed.at) == (reason, True, T0)
    assert [d.data for d in routed.deliveries] == [b"<alert/>"]
    assert [a.number for a in trail.alerts_for(SUPPLIER)] == [alert, held]
    assert trail.alerts_for(OTHER_METER)[0].delivered_to is None


def test_counts(trail: AuditTrail) -> None:
    _record_switch(trail)
    trail.record_alert(
        METER,
        TAMPER,
        addressed_to=SUPPLIER,
        delivered_to=SRP,
        reason="routed",
        safety_critical=True,
        at=T0,
    )
    trail.record_refused_frame(OTHER_METER, b"\x01", "not a GBCS message", T0)
    expected = AuditCounts(requests=1, decisions=3, deliveries=2, alerts=1, refused_frames=1)
    assert trail.counts() == expected


def test_refused_frames_are_kept_whole_with_why(path: Path) -> None:
    with AuditTrail(path) as trail:
        trail.record_refused_frame(METER, b"\xdd\x00", "does not authenticate", T0)
        trail.record_refused_frame(OTHER_METER, b"\x00", "not a GBCS message", T0)
    with AuditTrail(path) as reopened:
        (refused,) = reopened.refused_frames(METER)
        assert (refused.device, refused.frame, refused.reason, refused.at) == (
            METER,
            b"\xdd\x00",
            "does not authenticate",
            T0,
        )
        assert [r.device for r in reopened.refused_frames()] == [METER, OTHER_METER]


def test_the_benchmark_runs() -> None:
    assert requests_per_second(count=20) > 0
