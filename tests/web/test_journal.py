"""The state folder's journal: requests, clock, outbox; a folder it cannot use is refused with
the reason, never misread."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dcc.sqlite_file import SchemaVersionError
from sim.web.journal import (
    JOURNAL_FILE,
    Journal,
    ReplayError,
    StateFolderError,
)

WORLD = {"scenario": "solr-small", "seed": "7", "receivers": "90-B3-D5-1F-30-03-00-00"}
USER = bytes.fromhex("90B3D51F30030000")
OTHER = bytes.fromhex("90B3D51F300A0000")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "state"


def test_requests_clock_and_outbox_survive_a_reopening(folder: Path) -> None:
    journal = Journal(folder, WORLD)
    first = journal.append(1.5, USER, b"<first/>")
    journal.answered(first, "digest")
    journal.append(2.0, OTHER, b"<second/>")
    journal.promise(35.0)
    assert [
        journal.put(USER, b"<a/>"),
        journal.put(USER, b"<b/>"),
        journal.put(OTHER, b"<c/>"),
    ] == [
        1,
        2,
        1,
    ]
    journal.delivered(USER, 1)
    journal.close()

    again = Journal(folder, WORLD)
    entries = list(again.requests())
    assert [(e.seq, e.at, e.sender, e.document, e.answer) for e in entries] == [
        (1, 1.5, USER, b"<first/>", "digest"),
        (2, 2.0, OTHER, b"<second/>", None),
    ]
    assert again.promised == 35.0
    assert again.undelivered(USER) == [(2, b"<b/>")]
    assert again.undelivered(OTHER) == [(1, b"<c/>")]


def test_documents_made_again_are_matched_not_kept_twice(folder: Path) -> None:
    journal = Journal(folder, WORLD)
    journal.put(USER, b"<a/>")
    journal.close()
    again = Journal(folder, WORLD)
    assert again.put(USER, b"<a/>") is None
    assert again.put(USER, b"<b/>") == 2
    again.check_remade()
    assert again.undelivered(USER) == [(1, b"<a/>"), (2, b"<b/>")]


def test_a_document_made_otherwise_than_before_is_refused(folder: Path) -> None:
    journal = Journal(folder, WORLD)
    journal.put(USER, b"<a/>")
    journal.close()
    again = Journal(folder, WORLD)
    with pytest.raises(ReplayError, match="does not replay: document 1 for 90-B3-D5-1F-30-03"):
        again.put(USER, b"<not a/>")


def test_documents_not_made_again_are_refused(folder: Path) -> None:
    journal = Journal(folder, WORLD)
    journal.put(USER, b"<a/>")
    journal.put(USER, b"<b/>")
    journal.close()
    again = Journal(folder, WORLD)
    again.put(USER, b"<a/>")
    with pytest.raises(ReplayError, match="documents 2 to 2 for 90-B3-D5-1F-30-03-00-00"):
        again.check_remade()


def test_another_world_is_refused_naming_what_differs(folder: Path) -> None:
    Journal(folder, WORLD).close()
    other = {**WORLD, "seed": "8", "receivers": "none"}
    with pytest.raises(StateFolderError) as refused:
        Journal(folder, other)
    message = str(refused.value)
    assert "written by another world" in message
    assert "seed: 7 there, 8 here" in message
    assert "receivers: 90-B3-D5-1F-30-03-00-00 there, none here" in message
    assert "scenario:" not in message
    Journal(folder, WORLD).close()  # the refusal changed nothing


def test_a_damaged_file_is_refused(folder: Path) -> None:
    folder.mkdir()
    (folder / JOURNAL_FILE).write_bytes(b"this is not SQLite " * 500)
    with pytest.raises(StateFolderError, match="not a database"):
        Journal(folder, WORLD)


def test_a_file_of_another_version_is_refused(folder: Path) -> None:
    Journal(folder, WORLD).close()
    with sqlite3.connect(folder / JOURNAL_FILE) as connection:
        connection.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(SchemaVersionError, match="serve-journal schema version 99 is newer"):
        Journal(folder, WORLD)


def test_a_folder_in_use_is_refused_until_released(folder: Path) -> None:
    journal = Journal(folder, WORLD)
    with pytest.raises(StateFolderError, match="in use by another solrsim serve"):
        Journal(folder, WORLD)
    journal.close()
    Journal(folder, WORLD).close()


def test_a_file_where_the_folder_should_be_is_refused(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("")
    with pytest.raises(StateFolderError, match=r"cannot use .* as a state folder"):
        Journal(tmp_path / "state", WORLD)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (
            "DELETE FROM requests WHERE seq = 2",
            "journalled request 3 follows 1: requests are missing",
        ),
        ("UPDATE requests SET at = 0.5 WHERE seq = 2", "journalled request 2 is at 0.5, before"),
        ("UPDATE requests SET sender = 'x' WHERE seq = 2", "journalled request 2 is damaged"),
    ],
)
def test_damaged_requests_are_refused(folder: Path, change: str, why: str) -> None:
    journal = Journal(folder, WORLD)
    for at in (1.0, 2.0, 3.0):
        journal.append(at, USER, b"<r/>")
    journal.close()
    with sqlite3.connect(folder / JOURNAL_FILE) as connection:
        connection.execute(change)
    again = Journal(folder, WORLD)
    with pytest.raises(StateFolderError, match=why):
        list(again.requests())
