"""The base of the SQLite components: who closes the connection, and typed errors for refusals."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from dcc.sqlite_file import DatabaseError, SchemaVersionError, SqliteComponent, connect


class NotesError(DatabaseError):
    pass


class Notes(SqliteComponent):
    SCHEMA = "notes"
    SCHEMA_VERSION = 1
    TABLES = ("CREATE TABLE notes (text TEXT NOT NULL)",)
    ERROR = NotesError

    def add(self, text: str | None) -> None:
        with self._writing(f"add note {text!r}") as connection:
            connection.execute("INSERT INTO notes (text) VALUES (?)", (text,))

    def texts(self) -> list[str]:
        return [row[0] for row in self.connection.execute("SELECT text FROM notes")]


class BrokenNotes(Notes):
    SCHEMA = "broken-notes"
    TABLES = ("CREATE TABLE notes (text TEXT NOT NULL)",)  # the table Notes made already


def test_a_component_borrowing_a_connection_leaves_it_open(tmp_path: Path) -> None:
    with Notes(connect(tmp_path / "file.sqlite"), owns_connection=True) as owner:
        with Notes(owner.connection) as borrower:
            borrower.add("kept")
        assert owner.texts() == ["kept"]
    with pytest.raises(sqlite3.ProgrammingError):
        owner.connection.execute("SELECT 1")


def test_a_refused_write_is_a_typed_error_and_writes_nothing(tmp_path: Path) -> None:
    with Notes(connect(tmp_path / "file.sqlite"), owns_connection=True) as notes:
        with pytest.raises(NotesError, match="cannot add note None: NOT NULL constraint"):
            notes.add(None)
        assert notes.texts() == []


def test_tables_that_cannot_be_made_are_a_typed_error_and_the_file_is_closed(
    tmp_path: Path,
) -> None:
    connection = connect(tmp_path / "file.sqlite")
    Notes(connection)
    with pytest.raises(NotesError, match=r"cannot read the broken-notes tables: .*already exists"):
        BrokenNotes(connection, owns_connection=True)
    with pytest.raises(sqlite3.ProgrammingError):
        connection.execute("SELECT 1")


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "file.sqlite"
    Notes(connect(path), owns_connection=True).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE schema_version SET version = 2")
    with pytest.raises(SchemaVersionError, match="notes schema version 2 is newer than version 1"):
        Notes(connect(path), owns_connection=True)


def test_writes_hold_the_lock_given() -> None:
    lock = threading.Lock()
    with Notes(connect(":memory:", shared=True), owns_connection=True, lock=lock) as notes:
        with notes._writing("look at the lock"):
            assert lock.locked()
        assert not lock.locked()
