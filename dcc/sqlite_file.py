"""The SQLite files solrsim keeps: opening one, write transactions, versioned schemas, and the
base of the components that keep tables in a file (:mod:`dcc.audit`, :mod:`dcc.state_store`,
and the journal of ``solrsim serve``).

Several components share one file and, in a running DCC, one connection: the audit trail opens
it and the state store borrows it. :class:`SqliteComponent` keeps who closes it in one place.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self

__all__ = [
    "MEMORY",
    "DatabaseError",
    "SchemaVersionError",
    "SqliteComponent",
    "connect",
    "ensure_schema",
    "transaction",
]

MEMORY = ":memory:"


class DatabaseError(Exception):
    """The DCC's database file cannot be opened, read or written as asked; says why."""


class SchemaVersionError(DatabaseError):
    """The file holds a schema version this solrsim does not read."""


def connect(path: Path | str, *, shared: bool = False) -> sqlite3.Connection:
    """A connection in WAL mode, foreign keys on, autocommit so :func:`transaction` scopes
    writes. ``synchronous=NORMAL`` skips the fsync per commit: a crash of the process loses
    nothing committed; a power cut may lose the last commits but never corrupts the file.
    ``shared``: used from several threads, which the caller serialises."""
    try:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=not shared)
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open database {path}: {exc}") from exc
    try:
        mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as exc:
        connection.close()
        raise DatabaseError(f"cannot use database {path}: {exc}") from exc
    if mode != "wal" and str(path) != MEMORY:
        connection.close()
        raise DatabaseError(f"{path}: SQLite kept journal mode {mode!r} instead of WAL")
    return connection


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed on leaving, rolled back on an exception."""
    connection.execute("BEGIN IMMEDIATE")
    with connection:
        yield connection


def ensure_schema(
    connection: sqlite3.Connection, component: str, version: int, statements: Sequence[str]
) -> None:
    """Create ``component``'s tables once, recording its version in ``schema_version``; refuse
    a file written with another version rather than misread it."""
    with transaction(connection):
        connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
        )
        row = connection.execute(
            "SELECT version FROM schema_version WHERE component = ?", (component,)
        ).fetchone()
        if row is None:
            for statement in statements:
                connection.execute(statement)
            connection.execute(
                "INSERT INTO schema_version (component, version) VALUES (?, ?)",
                (component, version),
            )
            return
    found = row[0]
    if found > version:
        raise SchemaVersionError(
            f"{component} schema version {found} is newer than version {version}, the one this "
            "solrsim reads; open the file with the solrsim that wrote it"
        )
    if found < version:
        raise SchemaVersionError(
            f"{component} schema version {found} is older than {version} and there is no "
            "migration for it"
        )


# --- the components ---------------------------------------------------------------------------


class SqliteComponent:
    """Tables of one component in a file, on a connection it owns or borrows.

    The component's schema is created (or its version checked) on construction; a file whose
    tables cannot be read raises ``ERROR``. Only a component that owns its connection closes
    it; a borrowed one is closed by its owner. ``lock``, when given, is held around each write
    and the close, for a component called from several threads.
    """

    SCHEMA: ClassVar[str]
    SCHEMA_VERSION: ClassVar[int]
    TABLES: ClassVar[Sequence[str]]
    # Raised, saying what could not be done, when SQLite refuses.
    ERROR: ClassVar[type[DatabaseError]] = DatabaseError

    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        owns_connection: bool = False,
        lock: AbstractContextManager[object] | None = None,
    ) -> None:
        self._connection = connection
        self._owns_connection = owns_connection
        self._lock: AbstractContextManager[object] = nullcontext() if lock is None else lock
        try:
            ensure_schema(connection, self.SCHEMA, self.SCHEMA_VERSION, self.TABLES)
        except sqlite3.Error as exc:
            self.close()
            raise self.ERROR(f"cannot read the {self.SCHEMA} tables: {exc}") from exc
        except BaseException:
            self.close()
            raise

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection, for another component to keep its tables in the same file."""
        return self._connection

    def close(self) -> None:
        with self._lock:
            if self._owns_connection:
                self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _writing(self, what: str) -> Iterator[sqlite3.Connection]:
        """One write transaction; an SQLite failure becomes ``ERROR("cannot {what}: ...")``."""
        with self._lock:
            try:
                with transaction(self._connection) as connection:
                    yield connection
            except sqlite3.Error as exc:
                raise self.ERROR(f"cannot {what}: {exc}") from exc
