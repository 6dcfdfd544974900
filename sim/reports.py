"""A rehearsal's report folder: ``events.jsonl``, ``report.json``, ``junit.xml``, ``report.html``.

The event log is written first, one canonical JSON line per event, straight to the file: a
million-meter run logs millions of events and the file is never built in memory. Its SHA-256,
taken on the way, is the run's digest (the same lines :func:`sim.events.digest` hashes), so
``sha256sum events.jsonl`` checks a report against the run it came from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sim.events import Event, RunResult
from sim.report_html import write_html
from sim.report_json import write_json
from sim.report_junit import write_junit


@dataclass(frozen=True)
class Reports:
    """Where the reports went and the digest of the event log they describe."""

    folder: Path
    digest: str

    @property
    def html(self) -> Path:
        return self.folder / "report.html"


def write_reports(result: RunResult, folder: Path) -> Reports:
    """Write all four files into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = write_events(result.events, folder / "events.jsonl")
    write_json(result, digest, folder / "report.json")
    write_junit(result, digest, folder / "junit.xml")
    write_html(result, digest, folder / "report.html")
    return Reports(folder, digest)


def write_events(events: Iterable[Event], path: Path) -> str:
    """Stream ``events`` to ``path`` as JSON lines; returns the SHA-256 of what was written."""
    hasher = hashlib.sha256()
    with path.open("wb", buffering=1 << 20) as out:
        for event in events:
            line = json.dumps(event.to_json(), sort_keys=True).encode() + b"\n"
            hasher.update(line)
            out.write(line)
    return hasher.hexdigest()
