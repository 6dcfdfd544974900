"""``report.html``: one self-contained page an assurance team can read without solrsim.

No network, no external CSS or JavaScript: styles are inline and the charts are inline SVG from
:mod:`sim.report._charts`. Every string that came from the run (scenario name, expectation
details, rejection reasons) is HTML-escaped; the event log can hold anything a User sent.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sim.report._charts import bar_chart, counts_chart, latency_histogram, progress_chart
from sim.report.events import RunResult
from sim.report.figures import (
    ALERT_OUTCOMES,
    ALERT_SERIES,
    BREACHES,
    METER_TYPES,
    NA,
    PHYSICAL_COLUMNS,
    counts,
    duration,
    lookup,
    moment,
    physical_rows,
    share,
    show,
    stage_meaning,
    stage_rule,
    total,
)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222;
       line-height: 1.45; padding: 0 1em; }
h1 { margin-bottom: 0.2em; }
.verdict { font-size: 1.4em; font-weight: bold; padding: 0.5em 0.8em; border-radius: 4px; }
.passed { background: #dff0d8; color: #1d5e20; }
.failed { background: #f8d7da; color: #8a1c24; }
table { border-collapse: collapse; margin: 0.8em 0 1.4em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: 0.9em; word-break: break-all; }
svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: 0.92em; }
"""


def write_html(
    result: RunResult, digest: str, path: Path, events_file: str = "events.jsonl"
) -> None:
    """Write the page; ``digest`` is the SHA-256 of the lines of ``events_file`` (the event log
    beside the page, plain or compressed), computed as they were written."""
    path.write_text(render_html(result, digest, events_file), encoding="utf-8")


def render_html(result: RunResult, digest: str, events_file: str = "events.jsonl") -> str:
    verdict = "passed" if result.passed else "failed"
    body = "\n".join(
        [
            f"<h1>SoLR rehearsal: {_e(result.scenario)}</h1>",
            f'<p class="verdict {verdict}">{_headline(result)}</p>',
            _story(result),
            _summary(result, digest, events_file),
            _expectations(result),
            _switching(result),
            _physical(result),
            _rejections(result),
            _alerts(result),
            _latency(result),
            _files(events_file),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>SoLR rehearsal {_e(result.scenario)}: {verdict}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _headline(result: RunResult) -> str:
    held = sum(expectation.passed for expectation in result.expectations)
    word = "PASSED" if result.passed else "FAILED"
    return f"{word}: {held} of {len(result.expectations)} expectations hold"


def _story(result: RunResult) -> str:
    """Who failed and when Ofgem acted, in words (nothing for a run that does not say)."""
    solr = lookup(result.metrics, "solr")
    if not isinstance(solr, dict):
        return ""
    try:
        failure, revocation, instruction = (
            datetime.fromisoformat(solr[key]) for key in ("failure", "revocation", "instruction")
        )
    except (KeyError, TypeError, ValueError):
        return ""
    return (
        f"<p>The failed supplier: <strong>{_e(solr.get('failed_supplier', NA))}</strong> "
        f"(DCC User {_e(solr.get('failed_supplier_id', NA))}), failed on "
        f"{_e(moment(failure))}. Ofgem revoked its certificates "
        f"{_e(duration((revocation - failure).total_seconds()))} later and instructed "
        f"{_e(solr.get('srp', 'the SRP'))} to act for it "
        f"{_e(duration((instruction - failure).total_seconds()))} after the failure "
        f"({_e(moment(instruction))}).</p>"
    )


def marks(result: RunResult) -> list[tuple[datetime, str]]:
    """The moments the charts mark: the supplier's failure, the revocation, the instruction."""
    solr = lookup(result.metrics, "solr")
    if not isinstance(solr, dict):
        return []
    who = str(solr.get("failed_supplier", "the supplier"))
    labels = {
        "failure": f"{who} fails",
        "revocation": "certificates revoked",
        "instruction": "Ofgem's instruction",
    }
    found = []
    for key, label in labels.items():
        try:
            found.append((datetime.fromisoformat(solr[key]), label))
        except (KeyError, TypeError, ValueError):
            continue
    return found


def _summary(result: RunResult, digest: str, events_file: str) -> str:
    metrics = result.metrics
    switched = total(metrics, "switched")
    to_switch = total(metrics, "failed_supplier_prepayment")
    hours = lookup(metrics, "switched_within_hours")
    how_fast = (
        f", the last <strong>{_e(duration(hours * 3600))}</strong> after the supplier failed "
        "(simulated time)"
        if isinstance(hours, int | float)
        else ""
    )
    return (
        f"<p><strong>{_e(show(switched))} of {_e(show(to_switch))}</strong> prepayment meters of "
        f"the failed supplier were switched to credit ({_e(share(switched, to_switch))})"
        f"{how_fast}.</p>\n"
        + _table(
            ("", ""),
            [
                ("Scenario", _e(result.scenario)),
                ("Seed", _e(result.seed)),
                ("Simulated from", _e(moment(result.started))),
                ("Simulated to", _e(moment(result.ended))),
                ("Meters in the fleet", _n(lookup(metrics, "meters"))),
                ("Wall time", _e(show(result.wall_seconds, "seconds"))),
                ("Event log digest (SHA-256)", f"<code>{_e(digest)}</code>"),
            ],
        )
        + f'<p class="note">The digest is the SHA-256 of {_lines_of(events_file)}: the same '
        "scenario and seed give the same digest, so a rerun can prove it replayed this run.</p>"
    )


def _expectations(result: RunResult) -> str:
    rows = [
        (
            _e(item.name),
            _e(item.rules),
            "holds" if item.passed else "<strong>FAILS</strong>",
            _e(item.detail),
        )
        for item in result.expectations
    ]
    return "<h2>Expectations</h2>\n" + (
        _table(("Expectation", "MP134B rules", "Verdict", "Evidence"), rows)
        if rows
        else "<p>The scenario states no expectations.</p>"
    )


def _switching(result: RunResult) -> str:
    metrics = result.metrics
    rows = []
    for kind, label in METER_TYPES.items():
        switched = lookup(metrics, "switched", kind)
        target = lookup(metrics, "failed_supplier_prepayment", kind)
        rows.append(
            (
                _e(label),
                _n(lookup(metrics, "meters_by_type", kind)),
                _n(target),
                _n(switched),
                _n(share(switched, target)),
            )
        )
    series = {kind: result.series.get(f"switched_{kind}", []) for kind in METER_TYPES}
    chart = (
        progress_chart(
            series, counts(metrics, "failed_supplier_prepayment"), METER_TYPES, marks(result)
        )
        if any(series.values())
        else "<p>No progress series was recorded.</p>"
    )
    other = [
        ("Meters the DCC could not reach", _n(lookup(metrics, "unreachable"))),
        ("Service requests sent", _n(lookup(metrics, "requests"))),
        ("Requests retried", _n(lookup(metrics, "retries"))),
        ("Requests the meter did not answer in time (E21)", _n(lookup(metrics, "no_response"))),
        ("Frames the WAN lost", _n(lookup(metrics, "wan_lost"))),
        (
            "Commands to set prepayment that a meter actioned (must be 0, R5)",
            _n(lookup(metrics, "prepayment_actioned")),
        ),
    ]
    return (
        "<h2>Switching the failed supplier's prepayment meters to credit</h2>\n"
        + _table(
            ("Meter type", "In the fleet", "Prepayment, failed supplier", "Switched", "Share"),
            rows,
            numbers=4,
        )
        + chart
        + _table(("", ""), other, numbers=1)
    )


def _physical(result: RunResult) -> str:
    """The meters on serial ports, apart from the simulated fleet; nothing for a run without."""
    rows = physical_rows(result.metrics)
    if not rows:
        return ""
    return (
        "<h2>Physical meters on serial ports</h2>\n"
        + _table(PHYSICAL_COLUMNS, [tuple(_e(cell) for cell in row) for row in rows], numbers=3)
        + '<p class="note">Answers: GBCS frames the meter sent (responses and alerts); '
        "refusals: ERROR frames it sent (docs/serial.md); silences: commands it left "
        "unanswered within the reply timeout. The run was on a "
        "scaled wall clock, so its digest does not replay.</p>"
    )


def _rejections(result: RunResult) -> str:
    rejections = lookup(result.metrics, "rejections")
    rows, bars = [], []
    if isinstance(rejections, dict):
        for stage in sorted(rejections):
            for reason, count in sorted(counts(rejections, stage).items()):
                rule = stage_rule(stage)
                rows.append((_e(stage), _e(rule), _e(stage_meaning(stage)), _e(reason), _n(count)))
                bars.append(
                    (f"{stage} ({rule}): {reason}" if rule else f"{stage}: {reason}", count)
                )
    quarantined = [
        (_e(kind), _e(BREACHES.get(kind, "")), _n(count))
        for kind, count in sorted(counts(result.metrics, "quarantined").items())
    ]
    parts = [
        "<h2>Requests the DCC refused or held</h2>",
        '<p class="note">Each DUIS request passes the DCC\'s checks in order; the first check '
        "that fails decides. A rejection is answered with a DUIS response code; a request that "
        "breaches anomaly detection is held in quarantine and never reaches a meter.</p>",
    ]
    if rejections is None:
        parts.append(f"<p>Rejections: {NA}.</p>")
    elif not rows:
        parts.append("<p>No request was rejected.</p>")
    else:
        parts.append(bar_chart(bars, "requests", "rejections"))
        parts.append(
            _table(
                ("Stage", "Rule", "What the check found", "Code or breach", "Requests"),
                rows,
                numbers=1,
            )
        )
    if quarantined:
        parts.append("<h3>Held in quarantine, by breach</h3>")
        parts.append(_table(("Breach", "Threshold", "Requests"), quarantined, numbers=1))
    return "\n".join(parts)


def _alerts(result: RunResult) -> str:
    alerts = [
        ("raised", "Device alerts raised by meters, SMETS2+ and SMETS1"),
        *((key, f"… {label}") for key, label in ALERT_OUTCOMES.items()),
        ("safety_critical", "Safety-critical alerts among those delivered (R7.2)"),
    ]
    rows = [(_e(label), _n(lookup(result.metrics, "alerts", key))) for key, label in alerts]
    series = {label: result.series.get(name, []) for name, label in ALERT_SERIES.items()}
    chart = (
        counts_chart(series, "alerts", "alerts", marks(result))
        if any(series.values())
        else "<p>No alert series was recorded.</p>"
    )
    return "<h2>Device alerts after revocation</h2>\n" + _table(("", ""), rows, numbers=1) + chart


def _latency(result: RunResult) -> str:
    percentiles = ("p50", "p90", "p99", "max")
    marks = {
        key: float(value)
        for key in percentiles
        if isinstance(value := lookup(result.metrics, "latency_seconds", key), int | float)
    }
    rows = [(key, _n(lookup(result.metrics, "latency_seconds", key))) for key in percentiles]
    latencies = lookup(result.metrics, "latencies")
    chart = (
        latency_histogram(latencies, marks, "seconds from first request to confirmed credit")
        if isinstance(latencies, list) and latencies
        else "<p>No latencies were recorded.</p>"
    )
    return (
        "<h2>How long a switch took</h2>\n"
        '<p class="note">Simulated seconds from the SRP\'s first request for a meter to the '
        "DCC's confirmation that the meter is in credit, retries included, per meter switched."
        "</p>\n" + _table(("Percentile", "Seconds"), rows, numbers=1) + chart
    )


def _lines_of(events_file: str) -> str:
    """What the digest covers: the file, or the uncompressed lines of a compressed one."""
    named = f"<code>{_e(events_file)}</code>"
    return named if events_file.endswith(".jsonl") else f"the uncompressed lines of {named}"


def _files(events_file: str) -> str:
    rows = [
        ("<code>report.json</code>", "every figure of this run, the verdicts and the digest"),
        ("<code>junit.xml</code>", "one test case per expectation, for CI dashboards"),
        (f"<code>{_e(events_file)}</code>", "the event log: every DUIS document and GBCS frame"),
    ]
    return "<h2>Files beside this page</h2>\n" + _table(("File", "Holds"), rows)


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], numbers: int = 0) -> str:
    """A table of cells that are already HTML, its last ``numbers`` columns right-aligned; a
    header of empty strings is left out."""
    head = "".join(f"<th>{cell}</th>" for cell in header) if any(header) else ""
    lines = [f"<tr>{head}</tr>"] if head else []
    for row in rows:
        first = len(row) - numbers
        cells = (
            f'<td class="number">{cell}</td>' if index >= first else f"<td>{cell}</td>"
            for index, cell in enumerate(row)
        )
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>\n" + "\n".join(lines) + "\n</table>\n"


def _n(value: Any) -> str:
    return _e(show(value))


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)
