"""An audit trail reopened under a DCC that is rebuilt by running its history again.

A DCC restarted from its inputs (``solrsim serve --state``, :mod:`sim.web.resume`) makes every
audit call it made before, in the same order, then new ones. The rows already in the file are
the first of those calls, each table numbered in the order written, so this trail answers a call
that regenerates a kept row with that row's number and writes nothing, and writes from the first
call past the kept rows. The trail thus has each request, decision, alert and delivery once,
however often the DCC was restarted, and what follows a restart hangs off the entries before it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from .audit import AuditError, AuditTrail, StageDecision
from .duis.ids import RequestID

# Each table's rows are numbered 1, 2, ... in the order written (INTEGER PRIMARY KEY, no deletes).
_TABLES = ("requests", "decisions", "alerts", "deliveries", "ofgem_revocations")


class AuditReplayError(AuditError):
    """The DCC's history, run again, does not make the rows the file holds."""


class ResumedAuditTrail(AuditTrail):
    """An :class:`AuditTrail` that does not write again what the file already holds."""

    def __init__(self, path: Path | str, *, shared: bool = False) -> None:
        super().__init__(path, shared=shared)
        try:
            self._kept = {table: self._rows(table) for table in _TABLES}
        except BaseException:
            self.close()
            raise
        self._made = dict.fromkeys(_TABLES, 0)

    def record_request(
        self,
        raw: bytes,
        received_at: datetime,
        *,
        request_id: RequestID | str | None = None,
        srv: str | None = None,
        command_variant: int | None = None,
    ) -> int:
        if self._regenerated("requests"):
            entry = self._made["requests"]
            (kept,) = self._read("SELECT raw FROM requests WHERE entry = ?", (entry,))
            if kept != raw:
                raise AuditReplayError(
                    f"the audit trail does not replay: entry {entry} holds another request"
                )
            return entry
        written = super().record_request(
            raw, received_at, request_id=request_id, srv=srv, command_variant=command_variant
        )
        return self._written("requests", written)

    def record_decisions(self, entry: int, decisions: Iterable[StageDecision]) -> None:
        made = list(decisions)
        kept = self._regenerated("decisions", len(made))
        if kept < len(made):
            super().record_decisions(entry, made[kept:])

    def record_alert(self, *args: Any, **kwargs: Any) -> int:
        return self._once("alerts", super().record_alert, args, kwargs)

    def record_delivery(self, *args: Any, **kwargs: Any) -> int:
        return self._once("deliveries", super().record_delivery, args, kwargs)

    def record_ofgem_revocation(self, *args: Any, **kwargs: Any) -> int:
        return self._once("ofgem_revocations", super().record_ofgem_revocation, args, kwargs)

    def _once(
        self, table: str, write: Callable[..., int], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> int:
        if self._regenerated(table):
            return self._made[table]
        return self._written(table, write(*args, **kwargs))

    def _regenerated(self, table: str, count: int = 1) -> int:
        """How many of the next ``count`` rows of ``table`` the file already holds."""
        first = self._made[table]
        self._made[table] += count
        return max(0, min(count, self._kept[table] - first))

    def _written(self, table: str, number: int) -> int:
        if number != self._made[table]:
            raise AuditReplayError(
                f"the audit trail does not replay: {table} row {number} written, "
                f"{self._made[table]} expected"
            )
        return number

    def _rows(self, table: str) -> int:
        count, last = self._read(f"SELECT count(*), coalesce(max(rowid), 0) FROM {table}")
        if count != last:
            raise AuditReplayError(f"the audit trail's {table} are not numbered 1 to {count}")
        return int(count)

    def _read(self, sql: str, parameters: tuple[object, ...] = ()) -> tuple[Any, ...]:
        try:
            row: tuple[Any, ...] | None = self._connection.execute(sql, parameters).fetchone()
        except sqlite3.Error as exc:
            raise AuditError(f"cannot read the audit trail {self.path}: {exc}") from exc
        if row is None:
            raise AuditReplayError(f"the audit trail {self.path} lacks a row it counted")
        return row
