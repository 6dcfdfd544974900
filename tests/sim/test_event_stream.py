"""The streamed event log: hashed and written as it is recorded, the same bytes and the same
digest as a log kept in memory, and the alert expectation counted without a list of events."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sim.report.events import EventKind, RunResult, digest
from sim.report.files import write_reports
from sim.report.wire_log import DCC
from sim.scenario.model import load_scenario
from sim.world.runner import Rehearsal

SMALL = Path(__file__).parents[2] / "scenarios" / "solr-small.yaml"
SRP = "90-B3-D5-1F-30-0A-00-00"


@pytest.fixture(scope="module")
def kept() -> RunResult:
    return Rehearsal(load_scenario(SMALL)).run()


@pytest.fixture(scope="module")
def streamed(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    path = tmp_path_factory.mktemp("stream") / "report" / "events.jsonl"
    return Rehearsal(load_scenario(SMALL), keep_events=False, events_path=path).run()


def test_the_running_hash_is_the_digest_of_the_kept_events(kept: RunResult) -> None:
    assert kept.events and kept.events_digest == digest(kept.events) == kept.metrics["digest"]


def test_a_streamed_run_keeps_nothing_and_digests_the_same(
    kept: RunResult, streamed: RunResult
) -> None:
    assert streamed.events == []
    assert streamed.digest == streamed.metrics["digest"] == kept.digest
    assert streamed.events_path is not None
    written = streamed.events_path.read_bytes()
    assert hashlib.sha256(written).hexdigest() == kept.digest
    assert len(written.splitlines()) == len(kept.events)


def test_expectations_are_judged_alike_without_the_events(
    kept: RunResult, streamed: RunResult
) -> None:
    assert streamed.expectations == kept.expectations
    assert any(item.name == "alerts_reach_srp" for item in kept.expectations)


def test_reports_do_not_write_a_streamed_log_again(streamed: RunResult) -> None:
    assert streamed.events_path is not None
    before = streamed.events_path.stat().st_mtime_ns
    reports = write_reports(streamed, streamed.events_path.parent)
    assert reports.digest == streamed.digest
    assert streamed.events_path.stat().st_mtime_ns == before


def test_reports_elsewhere_copy_a_streamed_log(streamed: RunResult, tmp_path: Path) -> None:
    reports = write_reports(streamed, tmp_path)
    written = (tmp_path / "events.jsonl").read_bytes()
    assert hashlib.sha256(written).hexdigest() == reports.digest == streamed.digest


def test_reports_refuse_a_run_that_kept_and_streamed_nothing(tmp_path: Path) -> None:
    result = Rehearsal(load_scenario(SMALL), keep_events=False).run()
    assert result.events == [] and result.digest != hashlib.sha256().hexdigest()
    with pytest.raises(ValueError, match="kept no events"):
        write_reports(result, tmp_path)


def test_the_alert_watch_counts_what_a_scan_of_the_log_would(kept: RunResult) -> None:
    """From the revocation on: every alert frame that reached the DCC (all from the failed
    supplier's meters here), SMETS2+ and SMETS1, against the device alerts the SRP got."""
    (verdict,) = [item for item in kept.expectations if item.name == "alerts_reach_srp"]
    revocation = next(e.time for e in kept.events if e.verdict == "revoked")
    after = [e for e in kept.events if e.time >= revocation]
    alert_kinds = (EventKind.GBCS_ALERT, EventKind.SMETS1_ALERT)
    arrived = sum(1 for e in after if e.kind in alert_kinds and e.recipient == DCC)
    to_srp = sum(1 for e in after if e.kind is EventKind.DEVICE_ALERT and e.recipient == SRP)
    assert arrived > 0
    assert verdict.detail.startswith(f"{to_srp} of {arrived} alerts from the failed supplier")
