"""``solrsim run`` on Gherkin features: a team's feature file in a folder of its own, tag
selection, verdicts and exit codes, the reports (cucumber.json, junit.xml, report.html with the
failing step's evidence), and the rehearsals as features giving a scenario file's verdicts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from sim.cli.main import app
from sim.gherkin.runner import _evidence, run_features
from sim.report.feature_files import write_feature_reports
from tests.sim.chromium import assert_renders

REPO = Path(__file__).resolve().parents[2]
REHEARSALS = REPO / "features" / "rehearsals"

TEAM_FEATURE = """\
@team
Feature: Our own SoLR checks
  Written by an assurance team, kept in its own repository.

  @R6.4 @smets2
  Scenario: The SRP switches a meter of the failed supplier
    Given it is Monday 09:00
    And supplier "Bright Energy" has failed and its SMKI certificates are revoked
    And Ofgem has instructed the SRP to act for "Bright Energy"
    And officer "srp-aro" has submitted an ADT of 10 SR 1.6 a day for "Bright Energy"
    When the SRP sends SR 1.6 "Credit" to the ESME of "Flat 3"
    Then the ESME of "Flat 3" is in credit mode

  @R5.2 @smets2 @wrong
  Scenario: A scenario that expects the wrong thing
    Given it is Monday 09:00
    When supplier "Bright Energy" fails and its SMKI certificates are revoked
    Then the ESME of "Flat 3" is in credit mode
"""


def _solrsim(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """solrsim in a process of its own, run from ``cwd``, as a team runs the installed one."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code = "import sys; from sim.cli.main import app; sys.argv[0] = 'solrsim'; app()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_feature_file_outside_the_repository_runs_with_solrsim(tmp_path: Path) -> None:
    team = tmp_path / "team-repo" / "features"
    team.mkdir(parents=True)
    (team / "ours.feature").write_text(TEAM_FEATURE)
    done = _solrsim("run", "features/ours.feature", "--tags", "not @wrong", cwd=team.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASSED: 1 of 1 scenarios pass" in done.stdout
    report = team.parent / "reports" / "ours"
    cucumber = json.loads((report / "cucumber.json").read_text())
    (feature,) = cucumber
    assert feature["uri"] == "ours.feature" and feature["name"] == "Our own SoLR checks"
    (scenario,) = feature["elements"]
    assert {tag["name"] for tag in scenario["tags"]} == {"@team", "@R6.4", "@smets2"}
    assert [step["result"]["status"] for step in scenario["steps"]] == ["passed"] * 6
    assert scenario["steps"][4]["match"]["location"].startswith("sim.gherkin.steps.requests:")


def test_a_failing_scenario_fails_the_run_with_its_evidence(tmp_path: Path) -> None:
    (tmp_path / "ours.feature").write_text(TEAM_FEATURE)
    report = tmp_path / "out"
    done = _solrsim("run", "ours.feature", "--report-dir", str(report), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAILED: 1 of 2 scenarios pass" in done.stdout
    assert 'Then the ESME of "Flat 3" is in credit mode' in done.stdout
    steps = json.loads((report / "cucumber.json").read_text())[0]["elements"][1]["steps"]
    assert [step["result"]["status"] for step in steps] == ["passed", "passed", "failed"]
    assert steps[2]["result"]["error_message"].startswith(
        'the ESME of "Flat 3" is in prepayment mode, not credit'
    )
    suite = ET.parse(report / "junit.xml").getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("2", "1")
    page = (report / "report.html").read_text()
    assert "FAILED: 1 of 2 scenarios pass" in page
    assert "Feature: Our own SoLR checks" in page and "MP134B rules: <strong>R5.2" in page
    assert 'class="evidence"' in page and "is in credit mode" in page
    document = json.loads((report / "report.json").read_text())
    assert [s["status"] for s in document["scenarios"]] == ["passed", "failed"]
    wire = report / document["scenarios"][0]["folder"] / "events.jsonl"
    kinds = {json.loads(line)["kind"] for line in wire.read_text().splitlines()}
    assert {"duis-request", "gbcs-command", "gbcs-response", "solr"} <= kinds


def test_tags_select_scenarios_and_a_bad_expression_or_step_is_refused(tmp_path: Path) -> None:
    feature = tmp_path / "ours.feature"
    feature.write_text(TEAM_FEATURE)
    assert [s.name for s in run_features(feature, tags="@R5.2").scenarios] == [
        "A scenario that expects the wrong thing"
    ]
    assert run_features(feature, tags="@R6.4 and not @wrong").passed
    runner = CliRunner()
    bad = runner.invoke(app, ["run", str(feature), "--tags", "@R6.4 and and"])
    assert bad.exit_code == 2 and "--tags" in bad.output
    none = runner.invoke(app, ["run", str(feature), "--tags", "@nothing"])
    assert none.exit_code == 1 and "no scenario selected" in none.output
    keys = runner.invoke(app, ["run", str(feature), "--export-keys", str(tmp_path / "k")])
    assert keys.exit_code == 2
    feature.write_text(TEAM_FEATURE.replace("is in credit mode", "is in a good mood", 1))
    undefined = run_features(feature, tags="@R6.4")
    (scenario,) = undefined.scenarios
    assert not undefined.passed and scenario.failing is not None
    assert scenario.failing.status == "undefined"
    assert "no step of the library matches" in scenario.failing.evidence
    assert runner.invoke(app, ["run", str(tmp_path / "missing.feature")]).exit_code == 2
    feature.write_text("Given a step\nFeature: broken\n  Scenario: it\n    Given it\n")
    broken = runner.invoke(app, ["run", str(feature)])
    assert broken.exit_code == 2 and "outside of a Scenario" in broken.output
    feature.write_text("Feature: empty\n  Scenario: no steps\n    only a description\n")
    stepless = runner.invoke(app, ["run", str(feature)])
    assert stepless.exit_code == 1 and "has no steps" in stepless.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(app, ["run", str(empty)]).exit_code == 2


def test_a_rehearsal_as_a_feature_gives_the_scenario_files_verdicts(tmp_path: Path) -> None:
    """features/rehearsals/default.feature and scenarios/solr-default.yaml on the feature's
    fleet, run with the same seed: the same event log (digest) and the same verdicts; and so
    for the faults rehearsal, with another seed."""
    runner = CliRunner()
    for name, seed in (("default", "11"), ("faults", "12")):
        data = yaml.safe_load((REPO / "scenarios" / f"solr-{name}.yaml").read_text())
        data["fleet"]["meters"] = 400
        scenario_file = tmp_path / f"solr-{name}-400.yaml"
        scenario_file.write_text(yaml.safe_dump(data))
        from_yaml, from_feature = tmp_path / f"{name}-yaml", tmp_path / f"{name}-feature"
        yaml_run = runner.invoke(
            app, ["run", str(scenario_file), "--seed", seed, "--report-dir", str(from_yaml)]
        )
        feature_run = runner.invoke(
            app,
            [
                "run",
                str(REHEARSALS / f"{name}.feature"),
                "--seed",
                seed,
                "--report-dir",
                str(from_feature),
            ],
        )
        assert (yaml_run.exit_code, feature_run.exit_code) == (0, 0), feature_run.output
        expected = json.loads((from_yaml / "report.json").read_text())
        (scenario,) = json.loads((from_feature / "report.json").read_text())["scenarios"]
        got = json.loads((from_feature / scenario["folder"] / "report.json").read_text())
        assert got["seed"] == expected["seed"] == int(seed)
        assert got["digest"] == expected["digest"]
        assert got["expectations"] == expected["expectations"]
        assert len(got["expectations"]) == len(data["expectations"])


def test_a_rehearsal_step_that_does_not_hold_fails_with_the_evaluators_evidence(
    tmp_path: Path,
) -> None:
    feature = (REHEARSALS / "default.feature").read_text()
    feature = feature.replace(
        "And no request to put a meter into prepayment is actioned",
        'And at least 1 requests are rejected or quarantined at the "content" stage',
    )
    (tmp_path / "strict.feature").write_text(feature)
    run = run_features(tmp_path / "strict.feature")
    (scenario,) = run.scenarios
    assert not run.passed and scenario.failing is not None
    assert scenario.failing.evidence.startswith(
        "rejected_at: content >= 1: 0 requests rejected or quarantined at stage 'content'"
    )
    assert scenario.steps[-1].status == "skipped"
    assert scenario.rehearsal is not None and not scenario.rehearsal.passed


def test_a_feature_runs_pages_render_in_headless_chromium(tmp_path: Path) -> None:
    """The feature run's page and its rehearsal's page render without console errors, every
    chart visible in the screenshot; the charts mark the failure, revocation and instruction."""
    run = run_features(REHEARSALS / "default.feature")
    reports = write_feature_reports(run, tmp_path / "out", "default.feature", {}, REHEARSALS)
    assert_renders(reports.html, tmp_path, charts=0)
    (folder,) = (tmp_path / "out" / "scenarios").iterdir()
    page = folder / "report.html"
    text = page.read_text()
    assert "Bright Energy fails (Mon 09:00)" not in text  # drawn as paths, not text
    assert "Bright Energy</strong> (DCC User 90-B3-D5-1F-30-01-00-00)" in text
    assert_renders(page, tmp_path, charts=3)  # progress, alerts, latency: nothing refused


def test_a_bare_assertion_shows_the_line_and_the_values_it_had(tmp_path: Path) -> None:
    feature = tmp_path / "held.feature"
    feature.write_text(
        "Feature: held\n"
        "  Scenario: the DCC holds nothing yet\n"
        "    Given it is Monday 09:00\n"
        '    Then the DCC holds 3 alerts for "Bright Energy"\n'
    )
    (scenario,) = run_features(feature).scenarios
    assert scenario.failing is not None
    # under pytest the step modules' asserts may be rewritten (tests/bdd/conftest.py), which
    # gives the bare assert a message; the line it failed at is there either way
    assert "\n  at alerts.py:" in scenario.failing.evidence
    assert "== count" in scenario.failing.evidence

    # a step as solrsim run calls it: compiled as written, its assert not rewritten by pytest
    source = tmp_path / "plain_step.py"
    source.write_text(
        "def step(world, count, supplier):\n    held = []\n    assert len(held) == count\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(source.read_text(), str(source), "exec"), namespace)
    try:
        namespace["step"](object(), 3, "Bright Energy")
    except AssertionError as exc:
        evidence = _evidence(exc).splitlines()
    assert evidence[0] == "AssertionError"
    assert evidence[1] == "  at plain_step.py:3: assert len(held) == count"
    assert evidence[2:] == ["  count = 3", "  supplier = 'Bright Energy'", "  held = []"]


def _rehearsal_feature(tmp_path: Path, background: str, scenario: str) -> Path:
    path = tmp_path / "plan.feature"
    path.write_text(
        "Feature: a rehearsal of our own\n"
        "  Background:\n"
        + "".join(f"    {line}\n" for line in background.strip().splitlines())
        + "  Scenario: it\n"
        + "".join(f"    {line}\n" for line in scenario.strip().splitlines())
    )
    return path


def test_a_rehearsal_described_wrongly_is_refused_with_the_reason(tmp_path: Path) -> None:
    default = (REHEARSALS / "default.feature").read_text()
    shares = default.replace("| 60%   |", "| 50%   |")
    (tmp_path / "shares.feature").write_text(shares)
    (scenario,) = run_features(tmp_path / "shares.feature").scenarios
    assert scenario.failing is not None and scenario.failing.text == "the rehearsal runs"
    assert "the shares add up to 0.9, not 1" in scenario.failing.evidence
    early = default.replace("at Monday 09:05 and instructs", "at Monday 08:05 and instructs")
    (tmp_path / "early.feature").write_text(early)
    (scenario,) = run_features(tmp_path / "early.feature").scenarios
    assert scenario.failing is not None and "Monday 08:05 is before Monday 09:00" in (
        scenario.failing.evidence
    )
    unordered = _rehearsal_feature(
        tmp_path,
        "Given a fleet of 10 meters: 50% ESME, 50% GSME and 0% SMETS1, 25% of them in prepayment",
        "When the rehearsal runs",
    )
    (scenario,) = run_features(unordered).scenarios
    assert scenario.failing is not None and "no rehearsal described yet" in (
        scenario.failing.evidence
    )
    unrun = _rehearsal_feature(
        tmp_path,
        'Given the rehearsal described in "' + str(REPO / "scenarios" / "solr-small.yaml") + '"',
        "Then no request to put a meter into prepayment is actioned",
    )
    (scenario,) = run_features(unrun).scenarios
    assert scenario.failing is not None and "the rehearsal has not run" in (
        scenario.failing.evidence
    )
