"""``solrsim run X.feature|FOLDER``: a team's Gherkin features run with solrsim's step library,
from any folder, with the reports of a scenario file's run plus cucumber.json."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from sim.gherkin.runner import FeatureRunError, run_features
from sim.report.feature_files import write_feature_reports
from sim.report.feature_run import ScenarioResult


def run_features_command(
    path: Path, tags: str | None, seed: int | None, report_dir: Path | None
) -> NoReturn:
    """Run, print each scenario's verdict as it comes, write the reports; exit 0 only when every
    scenario selected passes (1 otherwise, and when none is selected), 2 when the features or
    the tag expression cannot be used."""
    console = Console(highlight=False)

    def show(scenario: ScenarioResult) -> None:
        mark = "[green]passed[/green]" if scenario.passed else "[red]FAILED[/red]"
        rules = ", ".join(scenario.rule_tags)
        console.print(
            f"{mark} {escape(scenario.feature.name)} > {escape(scenario.name)}"
            + (f" ({escape(rules)})" if rules else ""),
            soft_wrap=True,
        )
        failing = scenario.failing
        if not scenario.steps:
            console.print("       the scenario has no steps", soft_wrap=True)
        if failing is not None:
            console.print(
                f"       {escape(failing.keyword)} {escape(failing.text)}\n"
                + "\n".join(f"         {escape(line)}" for line in failing.evidence.splitlines()),
                soft_wrap=True,
            )

    try:
        run = run_features(path, tags=tags, seed=seed, on_scenario=show)
    except FeatureRunError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    folder = report_dir or Path("reports") / (path.resolve().stem or "features")
    context = {"features": str(path), "tags": tags or "(all)"}
    if seed is not None:
        context["seed"] = str(seed)
    root = path.resolve() if path.is_dir() else path.resolve().parent
    reports = write_feature_reports(run, folder, path.name or str(path), context, root)
    passed = sum(scenario.passed for scenario in run.scenarios)
    console.print(f"report: {reports.html}", markup=False, soft_wrap=True)
    if not run.scenarios:
        console.print(
            "[red]FAILED[/red]: no scenario selected" + (f" by {escape(tags)}" if tags else "")
        )
        raise typer.Exit(1)
    verdict = "[green]PASSED[/green]" if run.passed else "[red]FAILED[/red]"
    console.print(f"{verdict}: {passed} of {len(run.scenarios)} scenarios pass")
    raise typer.Exit(0 if run.passed else 1)
