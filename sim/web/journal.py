"""The state folder of ``solrsim serve --state DIR``: the world's inputs and what it owes Users.

The world is deterministic given what it is made from and the requests it was sent, each at its
simulated time, so the folder keeps those rather than the world. ``world.sqlite`` holds:

- ``world``: what the world is made from (scenario, seed, DCC certificate, the Users with a
  receiver); a restart that would make another world is refused, naming what differs;
- ``requests``: each request the DCC decided, with its simulated time, sender and bytes, written
  before the DCC sees it, and a digest of the answer, written before the answer is sent;
- ``clock``: a simulated time the world does not pass before it is written, so all the world did
  before a crash lies before it, and running to it again redoes all of it;
- ``outbox``: each document for a User with a receiver, numbered per User, written before it is
  handed over for delivery and marked delivered once the receiver answered 2xx.

One process at a time: the folder is locked (``lock``) while a journal has it open.
"""

from __future__ import annotations

import fcntl
import hashlib
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dcc.sqlite_file import DatabaseError, SqliteComponent, connect
from dcc.stored_values import eui64_bytes, eui64_text

SCHEMA = "serve-journal"
SCHEMA_VERSION = 1
JOURNAL_FILE = "world.sqlite"
AUDIT_FILE = "audit.sqlite"
LOCK_FILE = "lock"
# The answer recorded for a request whose processing raised: running it again must raise too.
RAISED = "raised"
_BATCH = 256

_TABLES = (
    "CREATE TABLE world (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE requests (
        seq INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        sender TEXT NOT NULL,
        document BLOB NOT NULL,
        answer TEXT
    )""",
    "CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 1), promised REAL NOT NULL)",
    """CREATE TABLE outbox (
        user TEXT NOT NULL,
        seq INTEGER NOT NULL,
        document BLOB NOT NULL,
        delivered INTEGER NOT NULL DEFAULT 0 CHECK (delivered IN (0, 1)),
        PRIMARY KEY (user, seq)
    )""",
)


class StateFolderError(DatabaseError):
    """A state folder that cannot be used as asked, with the reason."""


class ReplayError(StateFolderError):
    """The folder's requests, run again, do not make what the folder says they made."""

    def __init__(self, why: str) -> None:
        super().__init__(f"the state folder does not replay: {why}")


@dataclass(frozen=True, slots=True)
class Journalled:
    """A request as journalled; ``answer`` is None when the server stopped before answering."""

    seq: int
    at: float
    sender: bytes
    document: bytes
    answer: str | None


def answer_digest(response: bytes | None) -> str:
    return hashlib.sha256(response or b"").hexdigest()


class Journal(SqliteComponent):
    """The open state folder. Safe from any thread: each call holds the journal's own lock."""

    SCHEMA = SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    TABLES = _TABLES
    ERROR = StateFolderError

    def __init__(self, folder: Path, world: dict[str, str]) -> None:
        self.folder = folder
        self._thread_lock = threading.Lock()
        self._folder_lock = _lock_folder(folder)
        self._issued: dict[bytes, int] = {}
        path = folder / JOURNAL_FILE
        try:
            connection = connect(path, shared=True)
        except DatabaseError as exc:
            self._folder_lock.close()
            raise StateFolderError(f"{exc} (is {path} a solrsim state file?)") from None
        try:
            super().__init__(connection, owns_connection=True, lock=self._thread_lock)
        except BaseException:
            self._folder_lock.close()
            raise
        try:
            self._check_world(world)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        super().close()
        self._folder_lock.close()

    # --- requests --------------------------------------------------------------------------------

    def append(self, at: float, sender: bytes, document: bytes) -> int:
        """Journal a request about to be decided at simulated time ``at``; its number."""
        row = (at, eui64_text(sender), document)
        with self._writing(self._write) as connection:
            sql = "INSERT INTO requests (at, sender, document) VALUES (?, ?, ?) RETURNING seq"
            return int(connection.execute(sql, row).fetchone()[0])

    def answered(self, seq: int, answer: str) -> None:
        with self._writing(self._write) as connection:
            connection.execute("UPDATE requests SET answer = ? WHERE seq = ?", (answer, seq))

    def requests(self) -> Iterator[Journalled]:
        """The journalled requests in order, read a batch at a time."""
        last, at = 0, 0.0
        while True:
            rows = self._read(
                "SELECT seq, at, sender, document, answer FROM requests WHERE seq > ? "
                "ORDER BY seq LIMIT ?",
                (last, _BATCH),
            )
            if not rows:
                return
            for seq, when, sender, document, answer in rows:
                entry = _journalled(seq, when, sender, document, answer, last, at)
                last, at = entry.seq, entry.at
                yield entry

    # --- the clock -------------------------------------------------------------------------------

    @property
    def promised(self) -> float:
        """The simulated time the world may have reached; 0 for a new folder."""
        rows = self._read("SELECT promised FROM clock")
        return float(rows[0][0]) if rows else 0.0

    def promise(self, at: float) -> None:
        with self._writing(self._write) as connection:
            connection.execute(
                "INSERT INTO clock (id, promised) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET promised = excluded.promised",
                (at,),
            )

    # --- the outbox ------------------------------------------------------------------------------

    def put(self, user: bytes, document: bytes) -> int | None:
        """Number and keep the User's next document; None if the folder held it already, as it
        does for a document made again while the world is rebuilt. A different one is refused."""
        seq = self._issued.get(user, 0) + 1
        self._issued[user] = seq
        key = (eui64_text(user), seq)
        with self._writing(self._write) as connection:
            kept = connection.execute(
                "SELECT document FROM outbox WHERE user = ? AND seq = ?", key
            ).fetchone()
            if kept is None:
                connection.execute(
                    "INSERT INTO outbox (user, seq, document) VALUES (?, ?, ?)", (*key, document)
                )
                return seq
        if kept[0] != document:
            raise ReplayError(f"document {seq} for {key[0]} is not the one delivered before")
        return None

    def delivered(self, user: bytes, seq: int) -> None:
        with self._writing(self._write) as connection:
            connection.execute(
                "UPDATE outbox SET delivered = 1 WHERE user = ? AND seq = ?",
                (eui64_text(user), seq),
            )

    def undelivered(self, user: bytes) -> list[tuple[int, bytes]]:
        """The User's documents not yet acknowledged, in order: (number, document)."""
        rows = self._read(
            "SELECT seq, document FROM outbox WHERE user = ? AND delivered = 0 ORDER BY seq",
            (eui64_text(user),),
        )
        return [(int(seq), bytes(document)) for seq, document in rows]

    def check_remade(self) -> None:
        """After a rebuild: every document kept was made again, or the world went otherwise."""
        for user, last in self._read("SELECT user, max(seq) FROM outbox GROUP BY user"):
            made = self._issued.get(eui64_bytes(user), 0)
            if made < last:
                raise ReplayError(f"documents {made + 1} to {last} for {user} were not made again")

    # --- inside ----------------------------------------------------------------------------------

    def _check_world(self, world: dict[str, str]) -> None:
        with self._writing(self._write) as connection:
            kept = dict(connection.execute("SELECT name, value FROM world").fetchall())
            if not kept:
                connection.executemany(
                    "INSERT INTO world (name, value) VALUES (?, ?)", world.items()
                )
                return
        differences = [
            f"{name}: {kept.get(name, '(none)')} there, {world.get(name, '(none)')} here"
            for name in sorted(kept.keys() | world.keys())
            if kept.get(name) != world.get(name)
        ]
        if differences:
            raise StateFolderError(
                f"the state folder {self.folder} was written by another world ("
                + "; ".join(differences)
                + "): restart with the same scenario, seed and receivers, or use a new folder"
            )

    @property
    def _write(self) -> str:
        return f"write {self.folder / JOURNAL_FILE}"

    def _read(self, sql: str, parameters: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        with self._thread_lock:
            try:
                return self._connection.execute(sql, parameters).fetchall()
            except sqlite3.Error as exc:
                raise StateFolderError(f"cannot read {self.folder / JOURNAL_FILE}: {exc}") from exc


def _lock_folder(folder: Path) -> IO[str]:
    """The folder's lock, held until closed (or the process ends, however it ends)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = (folder / LOCK_FILE).open("a")
    except OSError as exc:
        raise StateFolderError(f"cannot use {folder} as a state folder: {exc}") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StateFolderError(f"{folder} is in use by another solrsim serve") from None
    return handle


def _journalled(
    seq: int, at: float, sender: str, document: bytes, answer: str | None, last: int, after: float
) -> Journalled:
    """A row checked: numbered on from ``last``, not before ``after``, sent by an EUI-64."""
    where = f"journalled request {seq}"
    if seq != last + 1:
        raise StateFolderError(f"{where} follows {last}: requests are missing")
    if not isinstance(at, float) or at < after:
        raise StateFolderError(f"{where} is at {at!r}, before the one it follows")
    try:
        sender_id = eui64_bytes(sender)
    except (TypeError, ValueError):
        sender_id = b""
    if len(sender_id) != 8 or not isinstance(document, bytes):
        raise StateFolderError(f"{where} is damaged: sender {sender!r}")
    return Journalled(seq, at, sender_id, document, answer)
