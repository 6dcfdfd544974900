"""``solrsim run``: rehearse a SoLR event from a scenario file, or run Gherkin feature files, and
write the reports.

The exit code is the verdict, so CI can gate on a rehearsal: 0 when every expectation of the
scenario (every scenario of the features) holds, 1 when one fails, 2 when the scenario file,
a feature file, the tag expression (or a physical meter's port or keys) cannot be used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.report.event_files import EventsFormat
from sim.report.figures import (
    ALERT_OUTCOMES,
    METER_TYPES,
    NA,
    counts,
    lookup,
    moment,
    physical_rows,
    show,
    stage_rule,
    total,
)
from sim.scenario.shipped import DEFAULT_SCENARIO

if TYPE_CHECKING:
    from sim.report.events import RunResult


def run(
    scenario: Annotated[
        Path,
        typer.Argument(
            help="scenario YAML file, .feature file or folder of .feature files",
            show_default="scenarios/solr-default.yaml",
        ),
    ] = DEFAULT_SCENARIO,
    seed: Annotated[int | None, typer.Option(help="replaces the scenario's seed")] = None,
    report_dir: Annotated[
        Path | None,
        typer.Option(help="where the reports go", show_default="./reports/<scenario name>"),
    ] = None,
    export_keys: Annotated[
        Path | None, typer.Option(help="also write the run's keys into this folder")
    ] = None,
    speed: Annotated[
        float,
        typer.Option(
            min=0.001, help="simulated seconds per wall second, for a run with physical meters"
        ),
    ] = 1.0,
    serial: Annotated[
        list[str] | None,
        typer.Option(help="EUI=PORT: the port of a physical meter the scenario lists (repeatable)"),
    ] = None,
    tags: Annotated[
        str | None,
        typer.Option(
            help="features only: run the scenarios this tag expression selects, as "
            '"@R7.1 and not @slow"'
        ),
    ] = None,
    events_format: Annotated[
        EventsFormat,
        typer.Option(
            help="the event log plain (events.jsonl) or compressed; the digest is the same"
        ),
    ] = EventsFormat.JSONL,
) -> None:
    """Rehearse a SoLR event from a scenario file, or run Gherkin features, and write the reports.

    Prints a summary and the digest of the event log, and writes report.html, report.json,
    junit.xml and events.jsonl (or events.jsonl.gz, .zst: --events-format). Exits 0 if every
    expectation holds, 1 if one fails, 2 for a scenario file that cannot be used. A scenario
    with physical meters runs on a wall clock, --speed times faster than real time.

    Given a .feature file or a folder of them, runs their scenarios (those --tags selects) with
    solrsim's step library, and writes the same reports plus cucumber.json; exits 0 only if
    every scenario passes.
    """
    if scenario.is_dir() or scenario.suffix == ".feature":
        unused = {
            "--export-keys": export_keys,
            "--serial": serial,
            "--speed": speed != 1.0,
            "--events-format": events_format is not EventsFormat.JSONL,
        }
        given = [name for name, value in unused.items() if value]
        if given:
            _refuse([f"{', '.join(given)}: for a scenario file, not for features"])
        from sim.cli._features import run_features_command

        run_features_command(scenario, tags, seed, report_dir)
    if tags is not None:
        _refuse(["--tags: for features; a scenario file has no scenarios to select"])
    from sim.scenario.model import ScenarioError, load_scenario
    from sim.world.physical import PhysicalMeterError, parse_serial_option, with_ports

    try:
        loaded = load_scenario(scenario, seed=seed)
        loaded = with_ports(loaded, dict(parse_serial_option(text) for text in serial or []))
    except ScenarioError as exc:
        _refuse(exc.errors)
    except PhysicalMeterError as exc:
        _refuse([str(exc)])
    from sim.report.event_files import EventsFormatError, check_format
    from sim.report.files import write_reports
    from sim.world.runner import Rehearsal

    try:
        check_format(events_format)
    except EventsFormatError as exc:
        _refuse([str(exc)])

    console = Console(highlight=False)
    folder = report_dir or Path("reports") / _folder_name(loaded.name)
    # the event log streams to the report folder as the run goes; none of it is held in memory
    try:
        rehearsal = Rehearsal(
            loaded, keep_events=False, events_path=folder / events_format.file_name, speed=speed
        )
        start = loaded.start
        with _progress(console, start, timedelta(hours=loaded.duration_hours)) as on_progress:
            result = rehearsal.run(on_progress)
    except PhysicalMeterError as exc:
        _refuse([str(exc)])
    console.print(summary_table(result))
    console.print(expectations_table(result))
    reports = write_reports(result, folder)
    if export_keys is not None:
        written = rehearsal.export_keys(export_keys)
        console.print(f"keys: {written:,} files in {export_keys}", markup=False, soft_wrap=True)
    console.print(f"digest: {reports.digest}", markup=False, soft_wrap=True)
    console.print(f"report: {reports.html}", markup=False, soft_wrap=True)
    verdict = "[green]PASSED[/green]" if result.passed else "[red]FAILED[/red]"
    console.print(
        f"{verdict}: {sum(e.passed for e in result.expectations)} of "
        f"{len(result.expectations)} expectations hold"
    )
    raise typer.Exit(0 if result.passed else 1)


def summary_table(result: RunResult) -> Table:
    """The figures an operator looks at first; ``n/a`` for any the run did not produce."""
    metrics = result.metrics
    table = Table(title=_plain(f"SoLR rehearsal {result.scenario} (seed {result.seed})"))
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("meters", show(lookup(metrics, "meters")))
    failed = lookup(metrics, "solr", "failed_supplier")
    if failed is not None:
        failure = lookup(metrics, "solr", "failure")
        when = moment(datetime.fromisoformat(failure)) if isinstance(failure, str) else NA
        table.add_row("failed supplier", _plain(f"{failed}, on {when}"))
    for kind, label in METER_TYPES.items():
        switched = show(lookup(metrics, "switched", kind))
        target = show(lookup(metrics, "failed_supplier_prepayment", kind))
        table.add_row(f"switched to credit: {label}", f"{switched} of {target}")
    table.add_row("unreachable", show(lookup(metrics, "unreachable")))
    for eui, kind, port, mode, switched, answers, refusals, silences in physical_rows(metrics):
        table.add_row(
            _plain(f"physical {kind} {eui} on {port} ({mode})"),
            _plain(
                f"switched {switched}: {answers} answers, {refusals} refused, {silences} silent"
            ),
        )
    rejections = lookup(metrics, "rejections")
    by_stage = (
        {stage: total(rejections, stage) or 0 for stage in sorted(rejections)}
        if isinstance(rejections, dict)
        else None
    )
    table.add_row(
        "rejected or quarantined", show(None if by_stage is None else sum(by_stage.values()))
    )
    for stage, count in (by_stage or {}).items():
        rule = stage_rule(stage)
        table.add_row(_plain(f"  at {stage}" + (f" ({rule})" if rule else "")), show(count))
    table.add_row("quarantined", show(total(metrics, "quarantined")))
    for kind, count in sorted(counts(metrics, "quarantined").items()):
        table.add_row(_plain(f"  {kind}"), show(count))
    table.add_row("alerts raised by meters", show(lookup(metrics, "alerts", "raised")))
    for key, label in ALERT_OUTCOMES.items():
        table.add_row(f"  {label}", show(lookup(metrics, "alerts", key)))
    table.add_row("alerts safety critical", show(lookup(metrics, "alerts", "safety_critical")))
    for key in ("p50", "p99"):
        table.add_row(f"latency {key}", show(lookup(metrics, "latency_seconds", key), "s"))
    table.add_row("wall time", show(result.wall_seconds, "s"))
    return table


def expectations_table(result: RunResult) -> Table:
    table = Table(title="expectations")
    table.add_column("expectation")
    table.add_column("MP134B rules")
    table.add_column("verdict")
    table.add_column("evidence")
    for item in result.expectations:
        verdict = "[green]holds[/green]" if item.passed else "[red]FAILS[/red]"
        table.add_row(_plain(item.name), _plain(item.rules), verdict, _plain(item.detail))
    return table


@contextmanager
def _progress(
    console: Console, start: datetime, duration: timedelta
) -> Iterator[Callable[[datetime, int], None]]:
    """A progress bar over simulated time, with wall time elapsed; yields the run's callback."""
    columns = (
        TextColumn("simulated"),
        BarColumn(),
        TextColumn("{task.fields[now]}"),
        TextColumn("switched {task.fields[switched]:>9,}"),
        TimeElapsedColumn(),
    )
    seconds = duration.total_seconds()
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("rehearsal", total=seconds, now=f"{start:%d %b %H:%M}", switched=0)

        def on_progress(now: datetime, switched: int) -> None:
            done = min((now - start).total_seconds(), seconds)
            progress.update(task, completed=done, now=f"{now:%d %b %H:%M}", switched=switched)

        yield on_progress
        progress.update(task, completed=seconds)


def _refuse(errors: list[str]) -> NoReturn:
    """Print why the scenario cannot be used, and exit 2."""
    for line in errors:
        typer.echo(line, err=True)
    raise typer.Exit(2)


def _folder_name(name: str) -> str:
    """A scenario name as one safe path component."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "scenario"


def _plain(text: str) -> str:
    """Text from a scenario or run, shown literally: rich would read ``[...]`` as markup."""
    return escape(text)
