"""The report's charts as SVG text, drawn by matplotlib's SVG backend (no display, no pyplot).

Each chart is returned ready to inline into one HTML page: no XML prologue, no comments (text
drawn as paths leaves its string in a comment), and element ids prefixed per chart so that two
charts on the page never share an id. Labels are never parsed as mathtext, so a ``$`` in a
reason cannot break a drawing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from matplotlib import dates as mdates
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "path",  # glyphs as paths: the page needs no font
    "svg.hashsalt": "solrsim",  # stable ids, so the same run draws the same SVG
    "text.parse_math": False,
    "font.size": 10,
}
_COLOURS = {"esme": "#1f6fb4", "gsme": "#e08a1e", "smets1": "#3a9a4a"}


Marks = Sequence[tuple[datetime, str]]  # moments a chart marks with a labelled vertical line
_MARK_STYLES = ("--", "-.", ":")


def progress_chart(
    series: Mapping[str, Sequence[tuple[datetime, float]]],
    targets: Mapping[str, int],
    labels: Mapping[str, str],
    marks: Marks = (),
) -> str:
    """Cumulative meters switched to credit per meter type (``series``, ``targets`` and
    ``labels`` keyed by meter type), against each type's target as a dotted line; ``marks``
    (the supplier's failure, the revocation, Ofgem's instruction) as labelled vertical lines."""
    with rc_context(_RC):
        figure = Figure(figsize=(8, 3.6))
        axes = figure.add_subplot()
        for kind, label in labels.items():
            points = series.get(kind, [])
            colour = _COLOURS.get(kind)
            if points:
                times, values = zip(*points, strict=True)
                axes.step(times, values, where="post", label=label, color=colour)
            target = targets.get(kind)
            if target:
                axes.axhline(target, color=colour, linestyle=":", linewidth=1)
        _mark(axes, marks)
        axes.set_ylabel("meters switched to credit")
        axes.set_xlabel("simulated time, UTC (dotted: meters to switch)")
        axes.legend(loc="lower right", fontsize=8)
        axes.grid(alpha=0.3)
        _time_axis(axes)
        figure.autofmt_xdate()
        figure.tight_layout()
        return _svg(figure, "progress")


def counts_chart(
    series: Mapping[str, Sequence[tuple[datetime, float]]],
    ylabel: str,
    name: str,
    marks: Marks = (),
) -> str:
    """Counts over simulated time, one step line per labelled series (empty ones left out),
    with ``marks`` as labelled vertical lines."""
    with rc_context(_RC):
        figure = Figure(figsize=(8, 3))
        axes = figure.add_subplot()
        for label, points in series.items():
            if points:
                times, values = zip(*points, strict=True)
                axes.step(times, values, where="post", label=label)
        _mark(axes, marks)
        axes.legend(loc="center right", frameon=False, fontsize=8)
        axes.set_ylabel(ylabel)
        axes.set_xlabel("simulated time, UTC")
        axes.grid(alpha=0.3)
        _time_axis(axes)
        figure.autofmt_xdate()
        figure.tight_layout()
        return _svg(figure, name)


def bar_chart(bars: Sequence[tuple[str, int]], xlabel: str, name: str) -> str:
    """Horizontal bars, largest first, each labelled with its count."""
    with rc_context(_RC):
        figure = Figure(figsize=(8, 1.2 + 0.35 * len(bars)))
        axes = figure.add_subplot()
        ordered = sorted(bars, key=lambda bar: bar[1])
        labels = [_printable(label) for label, _ in ordered]
        values = [value for _, value in ordered]
        drawn = axes.barh(range(len(ordered)), values, color="#c0392b")
        axes.set_yticks(range(len(ordered)), labels)
        axes.bar_label(drawn, labels=[f"{value:,}" for value in values], padding=3)
        axes.set_xlabel(xlabel)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.margins(x=0.15)
        figure.tight_layout()
        return _svg(figure, name)


def latency_histogram(values: Sequence[float], marks: Mapping[str, float], xlabel: str) -> str:
    """How latencies (seconds) spread, with named marks (percentiles) as vertical lines."""
    with rc_context(_RC):
        figure = Figure(figsize=(8, 3))
        axes = figure.add_subplot()
        axes.hist(values, bins=50, color="#1f6fb4")
        for (label, value), style in zip(marks.items(), ("--", "-.", ":", "-"), strict=False):
            axes.axvline(value, color="#333333", linestyle=style, label=f"{label} {value:.3g} s")
        if marks:
            axes.legend()
        axes.set_xlabel(xlabel)
        axes.set_ylabel("meters")
        figure.tight_layout()
        return _svg(figure, "latency")


def _mark(axes: Axes, marks: Marks) -> None:
    """Each moment as a grey vertical line, named with its time in the legend (moments minutes
    apart on a chart of a day would overlap as labels on the lines)."""
    for (when, label), style in zip(marks, _MARK_STYLES * len(marks), strict=False):
        axes.axvline(
            float(mdates.date2num(when)),
            color="#555555",
            linestyle=style,
            linewidth=1,
            label=_printable(f"{label} ({when:%a %H:%M})"),
        )


def _time_axis(axes: Axes) -> None:
    """Times read as a day and a clock time: ``Mon 09:30``."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%a %H:%M"))


def _svg(figure: Figure, name: str) -> str:
    buffer = io.StringIO()
    # no RDF metadata: no date (stable output) and no links, not even to namespace documents
    blank = dict.fromkeys(("Creator", "Date", "Format", "Type"))
    figure.savefig(buffer, format="svg", metadata=blank)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    text = re.sub(r'\bid="', f'id="{name}-', text)
    return re.sub(r'(url\(#|href="#)', rf"\g<1>{name}-", text)


def _printable(label: str) -> str:
    """Control characters have no glyph; show them as ``?`` rather than warn."""
    return "".join(char if char.isprintable() else "?" for char in label)
