"""The event log written compressed: the same digest, over the same uncompressed lines, in every
format; the reports keep and name the compressed file; a missing codec is refused up front."""

from __future__ import annotations

import builtins
import gzip
import hashlib
from pathlib import Path

import pytest
import zstandard
from typer.testing import CliRunner

from sim.cli.main import app
from sim.report.event_files import (
    EventsFormat,
    EventsFormatError,
    check_format,
    event_sink,
    read_lines,
)
from sim.report.events import RunResult
from sim.report.files import write_reports
from sim.scenario.model import load_scenario
from sim.world.runner import Rehearsal

SMALL = Path(__file__).parents[2] / "scenarios" / "solr-small.yaml"
LINES = [b'{"kind": "solr", "n": 1}\n', b'{"kind": "solr", "n": 2}\n']


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[EventsFormat, RunResult]:
    folder = tmp_path_factory.mktemp("formats")
    return {
        form: Rehearsal(
            load_scenario(SMALL), keep_events=False, events_path=folder / form / form.file_name
        ).run()
        for form in EventsFormat
    }


def test_every_format_gives_the_same_digest_over_the_uncompressed_lines(
    runs: dict[EventsFormat, RunResult],
) -> None:
    plain = runs[EventsFormat.JSONL]
    assert plain.events_path is not None
    expected = plain.events_path.read_bytes()
    for form, result in runs.items():
        assert result.events_path is not None and result.events_path.name == form.file_name
        assert result.digest == plain.digest
        lines = b"".join(read_lines(result.events_path))
        assert lines == expected
        assert hashlib.sha256(lines).hexdigest() == result.digest


def test_compressed_logs_are_smaller_and_really_compressed(
    runs: dict[EventsFormat, RunResult],
) -> None:
    plain = runs[EventsFormat.JSONL].events_path
    gz, zst = runs[EventsFormat.GZIP].events_path, runs[EventsFormat.ZSTD].events_path
    assert plain is not None and gz is not None and zst is not None
    assert gz.stat().st_size < plain.stat().st_size / 3
    assert zst.stat().st_size < plain.stat().st_size / 3
    # readable by the standard tools' libraries, not only by read_lines
    assert gzip.decompress(gz.read_bytes()) == plain.read_bytes()
    reader = zstandard.ZstdDecompressor().stream_reader(zst.read_bytes())
    assert reader.read() == plain.read_bytes()


def test_reports_keep_and_name_the_compressed_log(
    runs: dict[EventsFormat, RunResult], tmp_path: Path
) -> None:
    result = runs[EventsFormat.GZIP]
    reports = write_reports(result, tmp_path)
    assert reports.events == tmp_path / "events.jsonl.gz"
    assert not (tmp_path / "events.jsonl").exists()
    assert hashlib.sha256(gzip.decompress(reports.events.read_bytes())).hexdigest() == (
        reports.digest
    )
    page = (tmp_path / "report.html").read_text()
    assert "the uncompressed lines of <code>events.jsonl.gz</code>" in page


def test_the_same_lines_give_the_same_compressed_bytes(tmp_path: Path) -> None:
    written = []
    for n in range(2):
        path = tmp_path / str(n) / "events.jsonl.gz"
        path.parent.mkdir()
        with event_sink(path) as sink:
            for line in LINES:
                sink.write(line)
        written.append(path.read_bytes())
    assert written[0] == written[1]


def test_the_format_is_read_from_the_name() -> None:
    assert EventsFormat.of(Path("r/events.jsonl.gz")) is EventsFormat.GZIP
    assert EventsFormat.of(Path("r/events.jsonl.zst")) is EventsFormat.ZSTD
    assert EventsFormat.of(Path("r/events.jsonl")) is EventsFormat.JSONL


def test_a_truncated_compressed_log_is_an_error_not_fewer_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl.gz"
    with event_sink(path) as sink:
        for line in LINES * 200:
            sink.write(line)
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(EOFError):
        list(read_lines(path))


def test_zstd_without_its_package_is_refused_with_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def no_zstandard(name: str, *args: object, **kwargs: object) -> object:
        if name == "zstandard":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_zstandard)
    with pytest.raises(EventsFormatError, match="pip install zstandard"):
        check_format(EventsFormat.ZSTD)
    check_format(EventsFormat.GZIP)


def test_the_cli_refuses_an_unknown_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["run", str(SMALL), "--report-dir", str(tmp_path), "--events-format", "jsonl.bz2"]
    )
    assert result.exit_code == 2
    assert not any(tmp_path.iterdir())


def test_the_cli_writes_the_compressed_log_and_prints_its_uncompressed_digest(
    runs: dict[EventsFormat, RunResult], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app, ["run", str(SMALL), "--report-dir", str(tmp_path), "--events-format", "jsonl.gz"]
    )
    assert result.exit_code == 0, result.output
    assert f"digest: {runs[EventsFormat.JSONL].digest}" in result.output
    assert (tmp_path / "events.jsonl.gz").exists() and not (tmp_path / "events.jsonl").exists()
