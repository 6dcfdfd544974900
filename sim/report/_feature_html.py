"""``report.html`` of a feature run: each feature with its scenarios, each scenario with its MP134B
rule tags, its steps as written and each step's verdict, and the evidence of the step that
failed. A scenario that ran a fleet-scale rehearsal links to that rehearsal's own report (its
figures and charts, :mod:`sim.report._html`) and names the failed supplier.

Self-contained like the rehearsal's page: no script, no external resources, and every string
from the features or the run HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sim.report._html import STYLE
from sim.report.feature_run import FeatureInfo, FeatureRun, ScenarioResult, StepResult
from sim.report.figures import duration, lookup, moment, share, show, total

_STYLE = (
    STYLE
    + """
.scenario { border-left: 4px solid #ccc; padding: 0.1em 0 0.1em 0.9em; margin: 1.2em 0; }
.scenario.passed { border-color: #3a9a4a; background: none; color: inherit; }
.scenario.failed { border-color: #c0392b; background: none; color: inherit; }
ol.steps { list-style: none; padding-left: 0; margin: 0.4em 0; }
ol.steps li { padding: 0.1em 0; }
.keyword { font-weight: bold; color: #1f4e79; }
.mark { display: inline-block; width: 5.5em; font-size: 0.85em; }
.mark.passed { color: #1d5e20; } .mark.failed, .mark.undefined { color: #8a1c24; }
.mark.skipped { color: #777; }
pre.evidence { background: #f8d7da; color: #5c1118; padding: 0.5em; white-space: pre-wrap; }
.tag { display: inline-block; background: #eef; border-radius: 3px; padding: 0 0.3em;
       margin-right: 0.3em; font-size: 0.85em; }
.tag.rule { background: #fde9c8; }
table.datatable { margin: 0.2em 0 0.4em 6em; font-size: 0.9em; }
"""
)


def write_feature_html(
    run: FeatureRun, path: Path, links: dict[int, str], title: str, context: dict[str, str]
) -> None:
    """``links``: scenario index -> relative path of its own report folder."""
    path.write_text(render_feature_html(run, links, title, context), encoding="utf-8")


def render_feature_html(
    run: FeatureRun, links: dict[int, str], title: str, context: dict[str, str]
) -> str:
    verdict = "passed" if run.passed else "failed"
    passed = sum(scenario.passed for scenario in run.scenarios)
    headline = (
        f"{'PASSED' if run.passed else 'FAILED'}: {passed} of {len(run.scenarios)} scenarios pass"
    )
    index = {id(scenario): number for number, scenario in enumerate(run.scenarios)}
    parts = [
        f"<h1>SoLR features: {_e(title)}</h1>",
        f'<p class="verdict {verdict}">{_e(headline)}</p>',
        _table([(_e(key), _e(value)) for key, value in context.items()]),
    ]
    if not run.scenarios:
        parts.append("<p>No scenario was selected.</p>")
    for info, scenarios in run.by_feature():
        parts.append(_feature(info, scenarios, index, links))
    parts.append(_files(bool(links)))
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>SoLR features {_e(title)}: {verdict}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _feature(
    info: FeatureInfo,
    scenarios: list[ScenarioResult],
    index: dict[int, int],
    links: dict[int, str],
) -> str:
    passed = sum(scenario.passed for scenario in scenarios)
    parts = [
        f"<h2>Feature: {_e(info.name)}</h2>",
        f'<p class="note"><code>{_e(info.path.name)}</code> {_tags(info.tags)} '
        f"{passed} of {len(scenarios)} scenarios pass</p>",
    ]
    if info.description:
        parts.append(f'<p class="note">{_e(" ".join(info.description.split()))}</p>')
    for scenario in scenarios:
        parts.append(_scenario(scenario, links.get(index[id(scenario)])))
    return "\n".join(parts)


def _scenario(scenario: ScenarioResult, link: str | None) -> str:
    status = "passed" if scenario.passed else "failed"
    rules = ", ".join(scenario.rule_tags) or "none"
    parts = [
        f'<div class="scenario {status}">',
        f"<h3>{'✔' if scenario.passed else '✘'} Scenario: {_e(scenario.name)}</h3>",
        f"<p>MP134B rules: <strong>{_e(rules)}</strong> &nbsp; {_tags(scenario.tags)} "
        f"(line {scenario.line})</p>",
        '<ol class="steps">',
        *(_step(step) for step in scenario.steps),
        "</ol>",
    ]
    if scenario.rehearsal is not None:
        parts.append(_rehearsal(scenario, link))
    elif link is not None:
        parts.append(
            f'<p class="note">Wire log: <a href="{_e(link)}events.jsonl">events.jsonl</a></p>'
        )
    parts.append("</div>")
    return "\n".join(parts)


def _step(step: StepResult) -> str:
    line = (
        f'<li><span class="mark {step.status}">{_e(step.status)}</span>'
        f'<span class="keyword">{_e(step.keyword)}</span> {_e(step.text)}'
    )
    if step.datatable:
        rows = "".join(
            "<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>"
            for row in step.datatable
        )
        line += f'<table class="datatable">{rows}</table>'
    if step.evidence:
        line += f'<pre class="evidence">{_e(step.evidence)}</pre>'
    return line + "</li>"


def _rehearsal(scenario: ScenarioResult, link: str | None) -> str:
    """The rehearsal's outcome in a sentence, and where its full report is."""
    result = scenario.rehearsal
    assert result is not None
    metrics = result.metrics
    switched = total(metrics, "switched")
    to_switch = total(metrics, "failed_supplier_prepayment")
    failed = lookup(metrics, "solr", "failed_supplier")
    failure = _time(lookup(metrics, "solr", "failure"))
    last = lookup(metrics, "switched_within_hours")
    when = f" on {moment(failure)}" if failure is not None else ""
    fast = f", the last {duration(last * 3600)} after" if isinstance(last, int | float) else ""
    text = (
        f"Rehearsal {result.scenario} (seed {result.seed}, {show(lookup(metrics, 'meters'))} "
        f"meters): {failed or 'the supplier'} failed{when}; {show(switched)} of "
        f"{show(to_switch)} of its prepayment meters switched to credit "
        f"({share(switched, to_switch)}){fast}."
    )
    parts = [f"<p>{_e(text)}"]
    if link is not None:
        parts.append(
            f' Its report, with the charts of its progress and alerts: <a href="{_e(link)}'
            f'report.html">{_e(link)}report.html</a>'
        )
    return "".join(parts) + "</p>"


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _tags(tags: Sequence[str]) -> str:
    return "".join(
        f'<span class="tag{" rule" if tag[:1] == "R" and tag[1:2].isdigit() else ""}">'
        f"@{_e(tag)}</span>"
        for tag in tags
    )


def _files(rehearsals: bool) -> str:
    rows = [
        ("<code>cucumber.json</code>", "the run in Cucumber's JSON format, for CI dashboards"),
        ("<code>junit.xml</code>", "one test case per scenario, the failing step's evidence"),
        ("<code>report.json</code>", "every scenario, step and verdict as data"),
    ]
    if rehearsals:
        rows.append(
            (
                "<code>scenarios/</code>",
                "a folder per scenario: its wire log (events.jsonl) and, for a rehearsal, the "
                "reports of a scenario file's run",
            )
        )
    return "<h2>Files beside this page</h2>\n" + _table([("File", "Holds"), *rows], header=True)


def _table(rows: Sequence[tuple[str, str]], header: bool = False) -> str:
    lines = []
    for number, (first, second) in enumerate(rows):
        cell = "th" if header and number == 0 else "td"
        lines.append(f"<tr><{cell}>{first}</{cell}><{cell}>{second}</{cell}></tr>")
    return "<table>\n" + "\n".join(lines) + "\n</table>\n"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)
