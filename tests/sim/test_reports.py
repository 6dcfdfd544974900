"""The report folder, from a synthetic run: JSON round trip, JUnit counts, the streamed event log,
and a self-contained HTML page that escapes what it shows (and renders, where Chromium exists)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dcc.pipeline import STAGES as PIPELINE_STAGES
from sim.report._html import render_html
from sim.report.events import Event, EventKind, Expectation, RunResult
from sim.report.figures import STAGES, show
from sim.report.files import write_reports
from tests.sim.chromium import assert_renders

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script> & $unbalanced'


def _series(final: int, minutes: int = 120) -> list[tuple[datetime, float]]:
    return [(T0 + timedelta(minutes=m), float(final * m // minutes)) for m in range(minutes + 1)]


def _result(events: int = 50, hostile: str = "reason") -> RunResult:
    log = [
        Event(
            T0 + timedelta(seconds=n),
            EventKind.GBCS_COMMAND if n % 2 else EventKind.DUIS_REQUEST,
            "srp",
            "dcc",
            "accepted",
            b"\xdf\x09" if n % 2 else b"<Request/>",
        )
        for n in range(events)
    ]
    metrics = {
        "meters": 300,
        "meters_by_type": {"esme": 150, "gsme": 100, "smets1": 50},
        "failed_supplier_prepayment": {"esme": 40, "gsme": 30, "smets1": 10},
        "switched": {"esme": 40, "gsme": 29, "smets1": 10},
        "unreachable": 1,
        "requests": 170,
        "rejections": {"content": {"ADAttributeLimitsBreach": 3}, "srv": {hostile: 2}},
        "quarantined": {"ADAttributeLimitsBreach": 3},
        "retries": 4,
        "wan_lost": 5,
        "alerts": {"raised": 12, "delivered_to_srp": 11, "delivered_to_supplier": 1},
        "prepayment_actioned": 0,
        "latency_seconds": {"p50": 2.5, "p90": 6.0, "p99": 14.0, "max": 31.0},
        "latencies": [0.5 + (n % 30) for n in range(170)],
        "switched_within_hours": 1.75,
    }
    return RunResult(
        scenario="solr-small",
        seed=7,
        started=T0,
        ended=T0 + timedelta(hours=2),
        events=log,
        metrics=metrics,
        expectations=[
            Expectation("all prepayment meters switched", False, f"79 of 80; {hostile}"),
            Expectation("no prepayment actioned (R5)", True, "0 actioned"),
        ],
        series={
            "switched_esme": _series(40),
            "switched_gsme": _series(29),
            "switched_smets1": _series(10),
            "alerts_raised": _series(14),
            "alerts_to_srp": _series(12),
            "alerts_to_supplier": _series(2),
            "alerts_held": _series(0),
        },
        wall_seconds=3.25,
    )


def test_report_json_holds_every_metric_and_the_verdicts(tmp_path: Path) -> None:
    result = _result()
    reports = write_reports(result, tmp_path)
    document = json.loads((tmp_path / "report.json").read_text())
    assert document["metrics"] == result.metrics
    assert document["scenario"] == "solr-small" and document["seed"] == 7
    assert document["passed"] is False and document["digest"] == reports.digest
    assert document["started"] == T0.isoformat()
    assert [item["passed"] for item in document["expectations"]] == [False, True]
    assert len(document["series"]["switched_esme"]) == 121


def test_junit_has_one_case_per_expectation_and_the_failure_detail(tmp_path: Path) -> None:
    write_reports(_result(), tmp_path)
    suites = ET.parse(tmp_path / "junit.xml").getroot()
    suite = suites.find("testsuite")
    assert suite is not None
    assert suite.get("name") == "solrsim.solr-small"
    assert (suite.get("tests"), suite.get("failures"), suite.get("time")) == ("2", "1", "3.250")
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == [
        "all prepayment meters switched",
        "no prepayment actioned (R5)",
    ]
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("message", "").startswith("79 of 80")
    assert cases[1].find("failure") is None


def test_junit_stays_well_formed_with_control_characters(tmp_path: Path) -> None:
    write_reports(_result(hostile="bytes \x00\x1b here"), tmp_path)
    ET.parse(tmp_path / "junit.xml")


def test_events_are_one_line_each_and_hash_to_the_run_digest(tmp_path: Path) -> None:
    result = _result(events=1234)
    reports = write_reports(result, tmp_path)
    lines = (tmp_path / "events.jsonl").read_bytes().splitlines()
    assert len(lines) == 1234
    assert json.loads(lines[1])["gbcs_hex"] == "DF09"
    assert reports.digest == result.digest


def test_html_is_self_contained_with_the_charts_inline(tmp_path: Path) -> None:
    write_reports(_result(), tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert page.count("<svg") == 4  # progress, rejections, alerts, latency
    assert "FAILED: 1 of 2 expectations hold" in page
    assert "79 of 80" in page and "105 minutes</strong> after the supplier failed" in page
    assert "(R5)" in page and "R3" in page
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r'(src|href)="(?!#)', page), "the page loads something from outside"
    ids = [chunk.split('"', 1)[0] for chunk in page.split(' id="')[1:]]
    assert len(ids) == len(set(ids)), "two charts share an element id"


def test_html_escapes_what_the_run_recorded() -> None:
    page = render_html(_result(hostile=HOSTILE), "ab" * 32)
    assert HOSTILE not in page and "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; $unbalanced" in page


def test_missing_metrics_show_as_not_available() -> None:
    result = _result()
    result.metrics = {}
    result.series = {}
    page = render_html(result, "00" * 32)
    assert "n/a of n/a" in page and page.count("<svg") == 0
    assert show(None) == "n/a"


def test_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    """No console error, and the four charts laid out, visible and drawn in a screenshot."""
    write_reports(_result(), tmp_path)
    assert_renders(tmp_path / "report.html", tmp_path, charts=4)


def test_the_chromium_check_fails_a_hidden_chart_and_a_console_error(tmp_path: Path) -> None:
    write_reports(_result(), tmp_path)
    page = (tmp_path / "report.html").read_text()
    hidden = tmp_path / "hidden.html"
    hidden.write_text(page.replace("</style>", "svg { visibility: hidden }</style>"))
    with pytest.raises(AssertionError, match="False"):
        assert_renders(hidden, tmp_path, charts=4)
    broken = tmp_path / "broken.html"
    broken.write_text(page.replace("</body>", '<img src="absent.png"></body>'))
    with pytest.raises(AssertionError, match="failed to load"):
        assert_renders(broken, tmp_path, charts=4)


def test_every_pipeline_stage_is_explained_in_plain_words() -> None:
    assert list(STAGES) == [stage.name for stage in PIPELINE_STAGES]
    for stage in PIPELINE_STAGES:
        assert stage.meaning and stage.checks and stage.on_failure, stage.name
