"""The event log on disk: ``events.jsonl``, or the same lines compressed with gzip or zstd.

A national rehearsal logs tens of millions of DUIS documents; compressed, its log takes a
fraction of the disk. The digest stays defined over the uncompressed lines, whatever the file's
format, so a compressed log and a plain one of the same run give the same digest; the format
is told by the file's name (``events.jsonl``, ``events.jsonl.gz``, ``events.jsonl.zst``).
Compressed files are written deterministically (gzip without a time stamp or a name), so the
same run gives the same bytes on disk too.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Protocol

_BUFFER = 1 << 20
_GZIP_LEVEL = 6
_ZSTD_LEVEL = 3


class EventsFormat(StrEnum):
    """How ``events.jsonl`` is written: plain, or compressed."""

    JSONL = "jsonl"
    GZIP = "jsonl.gz"
    ZSTD = "jsonl.zst"

    @property
    def file_name(self) -> str:
        return f"events.{self.value}"

    @classmethod
    def of(cls, path: Path) -> EventsFormat:
        """The format a file's name says; a name that says none is plain JSON lines."""
        name = path.name
        for form in (cls.GZIP, cls.ZSTD):
            if name.endswith(f".{form.value}"):
                return form
        return cls.JSONL


class EventsFormatError(Exception):
    """A format this installation cannot write or read, with what to install."""


def _zstandard() -> ModuleType:
    """The zstandard module, imported only when a zstd log is asked for."""
    try:
        import zstandard
    except ImportError:
        raise EventsFormatError(
            "events.jsonl.zst needs the zstandard package: pip install zstandard"
        ) from None
    return zstandard


def check_format(form: EventsFormat) -> None:
    """Raise :class:`EventsFormatError` if ``form`` cannot be written here: before a run, not
    at its end."""
    if form is EventsFormat.ZSTD:
        _zstandard()


class ByteSink(Protocol):
    """Where the log's lines are written: a file, or a compressor in front of one."""

    def write(self, data: bytes, /) -> int: ...


@contextmanager
def event_sink(path: Path) -> Iterator[ByteSink]:
    """A binary file that receives the log's lines and writes them to ``path`` in the format
    its name says; closed (and the compressed stream ended) when the block ends."""
    form = EventsFormat.of(path)
    with path.open("wb", buffering=_BUFFER) as raw:
        if form is EventsFormat.JSONL:
            yield raw
        elif form is EventsFormat.GZIP:
            with gzip.GzipFile(
                filename="", mode="wb", fileobj=raw, compresslevel=_GZIP_LEVEL, mtime=0
            ) as sink:
                yield sink
        else:
            compressor = _zstandard().ZstdCompressor(level=_ZSTD_LEVEL)
            with compressor.stream_writer(raw, closefd=False) as sink:
                yield sink


@contextmanager
def open_events(path: Path) -> Iterator[Iterable[bytes]]:
    """The log's uncompressed lines, read from ``path`` in whatever format its name says."""
    form = EventsFormat.of(path)
    with path.open("rb") as raw:
        if form is EventsFormat.JSONL:
            yield raw
        elif form is EventsFormat.GZIP:
            with gzip.GzipFile(fileobj=raw, mode="rb") as lines:
                yield lines
        else:
            reader = _zstandard().ZstdDecompressor().stream_reader(raw, closefd=False)
            with io.BufferedReader(reader, _BUFFER) as lines:
                yield lines


def read_lines(path: Path) -> Iterator[bytes]:
    """Each line of the log at ``path``, newline included, uncompressed."""
    with open_events(path) as lines:
        yield from lines
