"""``solrsim run``: a small rehearsal end to end, its reports and replayable digest, keys, and
the exit codes that CI gates on."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli.main import app
from sim.report.figures import ALERT_OUTCOMES
from sim.scenario.shipped import DEFAULT_SCENARIO, SCENARIOS

runner = CliRunner()
SMALL = SCENARIOS / "solr-small.yaml"
REPORTS = ("report.html", "report.json", "junit.xml", "events.jsonl")


def _digest(output: str) -> str:
    match = re.search(r"^digest: ([0-9a-f]{64})$", output, re.MULTILINE)
    assert match, output
    return match.group(1)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("run") / "reports"
    result = runner.invoke(app, ["run", str(SMALL), "--report-dir", str(folder)])
    assert result.exit_code == 0, result.output
    return folder, result.output


def test_the_default_scenario_is_found_from_the_package() -> None:
    assert DEFAULT_SCENARIO.is_file()


def test_a_small_rehearsal_passes_and_writes_the_four_reports(first_run: tuple[Path, str]) -> None:
    folder, output = first_run
    for name in REPORTS:
        assert (folder / name).stat().st_size > 0, name
    assert "switched to credit" in output and "latency p50" in output
    digest = _digest(output)
    assert hashlib.sha256((folder / "events.jsonl").read_bytes()).hexdigest() == digest
    assert digest in (folder / "report.html").read_text()


def test_the_same_scenario_replays_to_the_same_digest_and_exports_keys(
    first_run: tuple[Path, str], tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    args = ["run", str(SMALL), "--report-dir", str(tmp_path / "again"), "--export-keys", str(keys)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert _digest(result.output) == _digest(first_run[1])
    written = [path for path in keys.rglob("*") if path.is_file()]
    assert written, "no key files written"
    assert f"keys: {len(written):,} files" in result.output


def test_two_worker_processes_give_the_same_reports_and_keys(
    first_run: tuple[Path, str], tmp_path: Path
) -> None:
    folder, keys = tmp_path / "two", tmp_path / "keys"
    args = ["run", str(SMALL), "--report-dir", str(folder), "--workers", "2"]
    args += ["--engine", "processes", "--export-keys", str(keys)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert _digest(result.output) == _digest(first_run[1])
    one = json.loads((first_run[0] / "report.json").read_text())
    two = json.loads((folder / "report.json").read_text())
    assert two["metrics"] == one["metrics"]
    assert any(path.is_file() for path in keys.rglob("*"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--workers", "0"], "--workers"),
        (["--workers", "2", "--engine", "threads"], "engine is processes or ray"),
    ],
)
def test_workers_asked_for_wrongly_exit_2(options: list[str], message: str, tmp_path: Path) -> None:
    args = ["run", str(SMALL), "--report-dir", str(tmp_path / "reports"), *options]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in result.output


def test_a_bad_scenario_exits_2_naming_line_and_field(tmp_path: Path) -> None:
    text = SMALL.read_text().replace("  meters: 300\n", "  meters: lots\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    line = text.splitlines().index("  meters: lots") + 1
    result = runner.invoke(app, ["run", str(bad), "--report-dir", str(tmp_path / "reports")])
    assert result.exit_code == 2, result.output
    assert f"bad.yaml:{line}: fleet.meters" in result.output
    assert not (tmp_path / "reports").exists()


def test_a_missing_scenario_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tmp_path / "absent.yaml")])
    assert result.exit_code == 2
    assert "absent.yaml" in result.output


def test_the_alert_figures_agree_in_the_summary_the_reports_and_the_event_log(
    tmp_path: Path,
) -> None:
    """solr-faults: a supplier without an arranged SRP, so some alerts are held until Ofgem's
    instruction. Every alert figure reads the same in the printed summary, report.json,
    report.html and a count of events.jsonl."""
    folder = tmp_path / "faults"
    args = ["run", str(SCENARIOS / "solr-faults.yaml"), "--report-dir", str(folder)]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    alerts = json.loads((folder / "report.json").read_text())["metrics"]["alerts"]

    lines = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    kinds = Counter(line["kind"] for line in lines)
    srp = "90-B3-D5-1F-30-0A-00-00"
    delivered = Counter(line["to"] == srp for line in lines if line["kind"] == "device-alert")
    lost = sum(1 for e in lines if e["kind"] == "wan-lost" and "alert" in e.get("detail", ""))
    arrived = kinds["gbcs-alert"] + kinds["smets1-alert"]
    assert kinds["smets1-alert"] > 0 and kinds["alert-held"] > 0
    assert alerts["raised"] == arrived + lost + alerts["in_flight"]
    assert (alerts["delivered_to_srp"], alerts["delivered_to_supplier"]) == (
        delivered[True],
        delivered[False],
    )
    assert alerts["lost_on_wan"] == lost and alerts["held"] == 0
    assert alerts["raised"] == sum(alerts[key] for key in ALERT_OUTCOMES)

    page = (folder / "report.html").read_text()
    for key, label in ALERT_OUTCOMES.items():
        figure = f"{alerts[key]:,}"
        assert re.search(rf"  {re.escape(label)}\s*│\s*{figure} │", result.output), label
        assert re.search(rf"… {re.escape(label)}</td><td[^>]*>{figure}</td>", page), label
    assert re.search(rf"alerts raised by meters\s*│\s*{alerts['raised']:,} │", result.output)
