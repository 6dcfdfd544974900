"""A rehearsal's report folder: ``events.jsonl``, ``report.json``, ``junit.xml``, ``report.html``.

The event log is one canonical JSON line per event. A run given the folder's ``events.jsonl``
(``Rehearsal(..., events_path=...)``, as ``solrsim run`` does) has already streamed it there as
it went, hashing the same bytes, and it is not written again; otherwise it is written here,
straight to the file, from the kept events. Either way its SHA-256 is the run's digest (the
same lines :func:`sim.report.events.digest` hashes), so ``sha256sum events.jsonl`` checks a report
against the run it came from. A run that streamed its log compressed (``events.jsonl.gz`` or
``.zst``, :mod:`sim.report.event_files`) keeps it so; the digest is then that of the
uncompressed lines (``zcat events.jsonl.gz | sha256sum``).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sim.report._html import write_html
from sim.report._json_report import write_json
from sim.report._junit import write_junit
from sim.report.event_files import EventsFormat
from sim.report.events import Event, RunResult, event_line

_EMPTY = hashlib.sha256().hexdigest()  # the digest of a log with no events


@dataclass(frozen=True)
class Reports:
    """Where the reports went and the digest of the event log they describe."""

    folder: Path
    digest: str
    events: Path  # the event log, plain or compressed

    @property
    def html(self) -> Path:
        return self.folder / "report.html"


def write_reports(result: RunResult, folder: Path) -> Reports:
    """Write all four files into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    path, digest = _events(result, folder)
    write_json(result, digest, folder / "report.json")
    write_junit(result, digest, folder / "junit.xml")
    write_html(result, digest, folder / "report.html", events_file=path.name)
    return Reports(folder, digest, path)


def _events(result: RunResult, folder: Path) -> tuple[Path, str]:
    """The event log in ``folder``, and its digest: ``events.jsonl`` written from the kept
    events, or, for a run that streamed its log to a file as it went (hashing the same
    lines), that file, under its own name (its format), copied here if it is elsewhere and
    not written again if it is here."""
    streamed, digest = result.events_path, result.events_digest
    if streamed is None or digest is None:
        if not result.events and digest not in (None, _EMPTY):
            raise ValueError("the run kept no events and streamed none: no events.jsonl to write")
        path = folder / EventsFormat.JSONL.file_name
        return path, write_events(result.events, path)
    path = folder / streamed.name
    if streamed.resolve() != path.resolve():
        shutil.copyfile(streamed, path)
    return path, digest


def write_events(events: Iterable[Event], path: Path) -> str:
    """Stream ``events`` to ``path`` as JSON lines; returns the SHA-256 of what was written."""
    hasher = hashlib.sha256()
    with path.open("wb", buffering=1 << 20) as out:
        for event in events:
            line = event_line(event)
            hasher.update(line)
            out.write(line)
    return hasher.hexdigest()
