"""The DCC's audit trail: every request, stage decision, delivery and alert routing, every
device frame the DCC refused to pass on, and every revocation Ofgem ordered, in SQLite.

One embedded file that an assurance team opens with any SQLite tool, that another process reads
while the DCC writes (WAL journal), and that the DCC restarts from (:mod:`dcc.state_store` keeps
the registries in the same file). Every request is kept with its raw bytes, bad input included,
so a refusal can be explained from the trail alone.

Rows hang off the audit *entry* (one per request received), not off the RequestID: a replay
repeats a RequestID and a malformed request may carry none that can be read.
:meth:`AuditTrail.history` finds a RequestID's entries. Rows are numbered in the order written,
which is the order things happened even when the simulation clock gives them equal times.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from .duis.errors import DuisSchemaError
from .duis.ids import RequestID
from .sqlite_file import DatabaseError, SqliteComponent, connect
from .stored_values import eui64_bytes, eui64_text, format_time, parse_time

SCHEMA = "audit"
SCHEMA_VERSION = 3  # 2: ofgem_revocations; 3: refused_frames


class AuditError(DatabaseError):
    """An audit record or query the trail refuses, with the reason."""


class NotRecordedError(AuditError, LookupError):
    """The trail holds nothing under the key asked for."""


class Verdict(StrEnum):
    PASS = "pass"
    REJECT = "reject"
    QUARANTINE = "quarantine"


class DeliveryKind(StrEnum):
    COMMAND_TO_DEVICE = "command-to-device"
    RESPONSE_TO_USER = "response-to-user"
    ALERT_TO_USER = "alert-to-user"
    COUNTERSIGNED_TO_S1SP = "countersigned-to-S1SP"


class DeliveryStatus(StrEnum):
    """One attempt's outcome; a retry is another delivery row, so no attempt is forgotten."""

    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class StageDecision:
    """What one pipeline stage decided about a request (the input to the trail)."""

    stage: str
    verdict: Verdict
    at: datetime
    response_code: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RequestRecord:
    entry: int
    request_id: str | None
    originator: bytes | None
    target: bytes | None
    srv: str | None
    command_variant: int | None
    received_at: datetime
    raw: bytes


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    entry: int
    request_id: str | None
    stage: str
    verdict: Verdict
    response_code: str | None
    reason: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """``entry`` for a request's command or response, ``alert`` for an alert's delivery."""

    number: int
    entry: int | None
    alert: int | None
    kind: DeliveryKind
    sender: str
    recipient: str
    data: bytes
    at: datetime
    status: DeliveryStatus


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """Where a device alert went and why. ``delivered_to`` is None when the DCC held it for an
    SRP Ofgem had yet to instruct; its ``deliveries`` then say whom it went to, and when."""

    number: int
    device: bytes
    alert_code: int
    addressed_to: bytes
    delivered_to: bytes | None
    reason: str
    safety_critical: bool
    at: datetime
    deliveries: tuple[DeliveryRecord, ...]


@dataclass(frozen=True, slots=True)
class RefusedFrame:
    """A frame from a device that the DCC passed on to no User, with why: a forgery, a response
    to no command awaiting one, an alert it cannot label or that is for nobody it may tell."""

    number: int
    device: bytes
    reason: str
    at: datetime
    frame: bytes


@dataclass(frozen=True, slots=True)
class RevocationRecord:
    """Ofgem's revocation of a failed supplier: the certificates revoked (as SMKI describes
    them) and its User's status afterwards (None when the supplier was no DCC User)."""

    number: int
    failed_supplier: bytes
    certificates: tuple[str, ...]
    user_status: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class RequestHistory:
    """Each receipt of one RequestID (more than one if replayed), then what followed, in order."""

    request_id: str | None
    requests: tuple[RequestRecord, ...]
    decisions: tuple[DecisionRecord, ...]
    deliveries: tuple[DeliveryRecord, ...]


@dataclass(frozen=True, slots=True)
class AuditCounts:
    requests: int
    decisions: int
    deliveries: int
    alerts: int
    refused_frames: int


# --- the audit tables -------------------------------------------------------------------------

_TABLES = (
    """CREATE TABLE requests (
        entry INTEGER PRIMARY KEY,
        request_id TEXT,
        originator TEXT,
        target TEXT,
        srv TEXT,
        command_variant INTEGER,
        received_at TEXT NOT NULL,
        raw BLOB NOT NULL
    )""",
    "CREATE INDEX requests_by_request_id ON requests (request_id)",
    """CREATE TABLE decisions (
        number INTEGER PRIMARY KEY,
        entry INTEGER NOT NULL REFERENCES requests (entry),
        stage TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'reject', 'quarantine')),
        response_code TEXT,
        reason TEXT,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX decisions_by_entry ON decisions (entry)",
    """CREATE TABLE alerts (
        number INTEGER PRIMARY KEY,
        device TEXT NOT NULL,
        alert_code INTEGER NOT NULL,
        addressed_to TEXT NOT NULL,
        delivered_to TEXT,
        reason TEXT NOT NULL,
        safety_critical INTEGER NOT NULL CHECK (safety_critical IN (0, 1)),
        at TEXT NOT NULL
    )""",
    "CREATE INDEX alerts_by_device ON alerts (device)",
    "CREATE INDEX alerts_by_addressee ON alerts (addressed_to)",
    "CREATE INDEX alerts_by_recipient ON alerts (delivered_to)",
    """CREATE TABLE deliveries (
        number INTEGER PRIMARY KEY,
        entry INTEGER REFERENCES requests (entry),
        alert INTEGER REFERENCES alerts (number),
        kind TEXT NOT NULL CHECK (kind IN (
            'command-to-device', 'response-to-user', 'alert-to-user', 'countersigned-to-S1SP'
        )),
        sender TEXT NOT NULL,
        recipient TEXT NOT NULL,
        data BLOB NOT NULL,
        at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sent', 'delivered', 'failed')),
        CHECK ((entry IS NULL) <> (alert IS NULL))
    )""",
    "CREATE INDEX deliveries_by_entry ON deliveries (entry)",
    "CREATE INDEX deliveries_by_alert ON deliveries (alert)",
    """CREATE TABLE refused_frames (
        number INTEGER PRIMARY KEY,
        device TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        frame BLOB NOT NULL
    )""",
    "CREATE INDEX refused_frames_by_device ON refused_frames (device)",
    """CREATE TABLE ofgem_revocations (
        number INTEGER PRIMARY KEY,
        failed_supplier TEXT NOT NULL,
        certificates TEXT NOT NULL,
        user_status TEXT,
        at TEXT NOT NULL
    )""",
)

_INSERT_REQUEST = """INSERT INTO requests
    (request_id, originator, target, srv, command_variant, received_at, raw)
    VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING entry"""
_INSERT_DECISION = """INSERT INTO decisions
    (entry, stage, verdict, response_code, reason, at) VALUES (?, ?, ?, ?, ?, ?)"""
_INSERT_ALERT = """INSERT INTO alerts
    (device, alert_code, addressed_to, delivered_to, reason, safety_critical, at)
    VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING number"""
_INSERT_DELIVERY = """INSERT INTO deliveries
    (entry, alert, kind, sender, recipient, data, at, status)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING number"""
_INSERT_REVOCATION = """INSERT INTO ofgem_revocations
    (failed_supplier, certificates, user_status, at) VALUES (?, ?, ?, ?) RETURNING number"""
_INSERT_REFUSED_FRAME = """INSERT INTO refused_frames (device, reason, at, frame)
    VALUES (?, ?, ?, ?)"""
_SELECT_REFUSED_FRAMES = """SELECT number, device, reason, at, frame FROM refused_frames
    WHERE :device IS NULL OR device = :device ORDER BY number"""
_SELECT_REVOCATIONS = """SELECT number, failed_supplier, certificates, user_status, at
    FROM ofgem_revocations ORDER BY number"""

# A history's entries: by RequestID (:id) or by entry number (:entry), the other one NULL.
_SELECT_HISTORY_REQUESTS = """SELECT
    entry, request_id, originator, target, srv, command_variant, received_at, raw
    FROM requests WHERE request_id = :id OR entry = :entry ORDER BY entry"""
_SELECT_HISTORY_DECISIONS = """SELECT
    d.entry, r.request_id, d.stage, d.verdict, d.response_code, d.reason, d.at
    FROM decisions d JOIN requests r ON r.entry = d.entry
    WHERE r.request_id = :id OR r.entry = :entry ORDER BY d.number"""
_SELECT_HISTORY_DELIVERIES = """SELECT
    d.number, d.entry, d.alert, d.kind, d.sender, d.recipient, d.data, d.at, d.status
    FROM deliveries d JOIN requests r ON r.entry = d.entry
    WHERE r.request_id = :id OR r.entry = :entry ORDER BY d.number"""
_SELECT_DECISIONS = """SELECT
    d.entry, r.request_id, d.stage, d.verdict, d.response_code, d.reason, d.at
    FROM decisions d JOIN requests r ON r.entry = d.entry
    WHERE (:stage IS NULL OR d.stage = :stage) AND (:verdict IS NULL OR d.verdict = :verdict)
    ORDER BY d.number"""
# An alert concerns a party that raised it, was addressed it, or had it delivered: routed to it
# at once (delivered_to), or later, after the DCC held it (a delivery row names the recipient).
_ALERT_CONCERNS = """a.device = :party OR a.addressed_to = :party OR a.delivered_to = :party
    OR a.number IN (SELECT alert FROM deliveries WHERE recipient = :party AND alert IS NOT NULL)"""
_SELECT_ALERTS = f"""SELECT
    a.number, a.device, a.alert_code, a.addressed_to, a.delivered_to, a.reason,
    a.safety_critical, a.at
    FROM alerts a WHERE {_ALERT_CONCERNS}
    ORDER BY a.number"""
_SELECT_ALERT_DELIVERIES = f"""SELECT
    d.number, d.entry, d.alert, d.kind, d.sender, d.recipient, d.data, d.at, d.status
    FROM deliveries d JOIN alerts a ON a.number = d.alert
    WHERE {_ALERT_CONCERNS}
    ORDER BY d.number"""
_SELECT_COUNTS = """SELECT
    (SELECT count(*) FROM requests), (SELECT count(*) FROM decisions),
    (SELECT count(*) FROM deliveries), (SELECT count(*) FROM alerts),
    (SELECT count(*) FROM refused_frames)"""


class AuditTrail(SqliteComponent):
    """Writes the trail, one transaction per event, and answers questions about it.

    ``path`` is the DCC's database file; ``":memory:"`` gives a trail that dies with it (tests).
    ``shared``: the DCC is called from several threads, one at a time.
    """

    SCHEMA = SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    TABLES = _TABLES
    ERROR = AuditError

    def __init__(self, path: Path | str, *, shared: bool = False) -> None:
        self.path = path
        super().__init__(connect(path, shared=shared), owns_connection=True)

    # --- writing ------------------------------------------------------------------------------

    def record_request(
        self,
        raw: bytes,
        received_at: datetime,
        *,
        request_id: RequestID | str | None = None,
        srv: str | None = None,
        command_variant: int | None = None,
    ) -> int:
        """Keep a request as received, whatever its state, and return its audit entry.

        Give what could be read: a RequestID (text is kept as written if it does not parse,
        so a malformed request stays findable by the ID it carried), the SRV, the CV.
        """
        key, parsed = (None, None) if request_id is None else _request_key(request_id)
        row = (
            key,
            None if parsed is None else eui64_text(parsed.originator),
            None if parsed is None else eui64_text(parsed.target),
            srv,
            command_variant,
            format_time(received_at),
            raw,
        )
        with self._writing(f"record request {key or '(no RequestID)'}") as connection:
            return int(connection.execute(_INSERT_REQUEST, row).fetchone()[0])

    def record_decision(self, entry: int, decision: StageDecision) -> None:
        self.record_decisions(entry, (decision,))

    def record_decisions(self, entry: int, decisions: Iterable[StageDecision]) -> None:
        """Record stage decisions in the order given (a whole pipeline run in one go)."""
        rows = [_decision_row(entry, decision) for decision in decisions]
        with self._writing(f"record decisions for entry {entry}") as connection:
            connection.executemany(_INSERT_DECISION, rows)

    def record_alert(
        self,
        device: bytes,
        alert_code: int,
        *,
        addressed_to: bytes,
        delivered_to: bytes | None,
        reason: str,
        safety_critical: bool,
        at: datetime,
    ) -> int:
        """Record where a device alert was routed and why; returns its alert number."""
        row = (
            eui64_text(device),
            alert_code,
            eui64_text(addressed_to),
            None if delivered_to is None else eui64_text(delivered_to),
            reason,
            int(safety_critical),
            format_time(at),
        )
        with self._writing(f"record alert {alert_code:04X} from {row[0]}") as connection:
            return int(connection.execute(_INSERT_ALERT, row).fetchone()[0])

    def record_refused_frame(self, device: bytes, frame: bytes, reason: str, at: datetime) -> None:
        """Keep a device frame the DCC passed on to no User, as received, with why."""
        row = (eui64_text(device), reason, format_time(at), frame)
        with self._writing(f"record a refused frame from {row[0]}") as connection:
            connection.execute(_INSERT_REFUSED_FRAME, row)

    def record_delivery(
        self,
        kind: DeliveryKind,
        *,
        sender: bytes | str,
        recipient: bytes | str,
        data: bytes,
        at: datetime,
        status: DeliveryStatus = DeliveryStatus.SENT,
        entry: int | None = None,
        alert: int | None = None,
    ) -> int:
        """Record one delivery attempt of a request's command or response (``entry``) or of an
        alert (``alert``); EUI-64 endpoints are given as bytes, others (the S1SP) by name."""
        if (entry is None) == (alert is None):
            raise AuditError(f"a {kind} delivery belongs to one request entry or one alert")
        row = (
            entry,
            alert,
            kind.value,
            _endpoint(sender),
            _endpoint(recipient),
            data,
            format_time(at),
            status.value,
        )
        owner = f"entry {entry}" if alert is None else f"alert {alert}"
        with self._writing(f"record {kind} delivery for {owner}") as connection:
            return int(connection.execute(_INSERT_DELIVERY, row).fetchone()[0])

    def record_ofgem_revocation(
        self,
        failed_supplier: bytes,
        certificates: Sequence[str],
        user_status: str | None,
        at: datetime,
    ) -> int:
        """Record what Ofgem's revocation of a failed supplier did; returns its number."""
        row = (eui64_text(failed_supplier), "\n".join(certificates), user_status, format_time(at))
        with self._writing(f"record Ofgem's revocation of {row[0]}") as connection:
            return int(connection.execute(_INSERT_REVOCATION, row).fetchone()[0])

    # --- querying -----------------------------------------------------------------------------

    def history(self, request_id: RequestID | str) -> RequestHistory:
        """Every receipt of ``request_id``, its decisions and deliveries, in order."""
        key, _ = _request_key(request_id)
        return self._history({"id": key, "entry": None}, f"RequestID {key}")

    def entry_history(self, entry: int) -> RequestHistory:
        """One receipt by its audit entry: the way to a request whose RequestID was unreadable."""
        return self._history({"id": None, "entry": entry}, f"entry {entry}")

    def decisions(
        self, stage: str | None = None, verdict: Verdict | None = None
    ) -> list[DecisionRecord]:
        """Decisions, in the order made, of one stage and/or one verdict."""
        parameters = {"stage": stage, "verdict": None if verdict is None else verdict.value}
        rows = self._connection.execute(_SELECT_DECISIONS, parameters)
        return [_decision(row) for row in rows]

    def alerts_for(self, party: bytes) -> list[AlertRecord]:
        """Alerts raised by ``party`` (a device), or addressed or delivered to it (a user)."""
        parameters = {"party": eui64_text(party)}
        deliveries: dict[int, list[DeliveryRecord]] = {}
        for row in self._connection.execute(_SELECT_ALERT_DELIVERIES, parameters):
            deliveries.setdefault(row[2], []).append(_delivery(row))
        return [
            _alert(row, tuple(deliveries.get(row[0], ())))
            for row in self._connection.execute(_SELECT_ALERTS, parameters)
        ]

    def refused_frames(self, device: bytes | None = None) -> list[RefusedFrame]:
        """The device frames refused, from ``device`` or from every device, in order."""
        parameters = {"device": None if device is None else eui64_text(device)}
        return [
            RefusedFrame(number, eui64_bytes(source), reason, parse_time(at), frame)
            for number, source, reason, at, frame in self._connection.execute(
                _SELECT_REFUSED_FRAMES, parameters
            )
        ]

    def ofgem_revocations(self) -> list[RevocationRecord]:
        """Ofgem's revocations, in the order recorded."""
        return [_revocation(row) for row in self._connection.execute(_SELECT_REVOCATIONS)]

    def counts(self) -> AuditCounts:
        return AuditCounts(*self._connection.execute(_SELECT_COUNTS).fetchone())

    def _history(self, parameters: dict[str, object], what: str) -> RequestHistory:
        execute = self._connection.execute
        requests = tuple(_request(row) for row in execute(_SELECT_HISTORY_REQUESTS, parameters))
        if not requests:
            raise NotRecordedError(f"no request with {what} in the audit trail")
        return RequestHistory(
            request_id=requests[0].request_id,
            requests=requests,
            decisions=tuple(
                _decision(row) for row in execute(_SELECT_HISTORY_DECISIONS, parameters)
            ),
            deliveries=tuple(
                _delivery(row) for row in execute(_SELECT_HISTORY_DELIVERIES, parameters)
            ),
        )


def _request_key(request_id: RequestID | str) -> tuple[str, RequestID | None]:
    """The text a RequestID is filed under (upper-case hex) and the parsed ID, if it parses."""
    if isinstance(request_id, str):
        try:
            parsed = RequestID.parse(request_id)
        except DuisSchemaError:
            return request_id, None
        return str(parsed), parsed
    return str(request_id), request_id


def _endpoint(value: bytes | str) -> str:
    return eui64_text(value) if isinstance(value, bytes) else value


def _decision_row(entry: int, decision: StageDecision) -> tuple[object, ...]:
    return (
        entry,
        decision.stage,
        decision.verdict.value,
        decision.response_code,
        decision.reason,
        format_time(decision.at),
    )


def _optional_eui64(text: str | None) -> bytes | None:
    return None if text is None else eui64_bytes(text)


def _request(row: tuple[Any, ...]) -> RequestRecord:
    entry, request_id, originator, target, srv, command_variant, received_at, raw = row
    return RequestRecord(
        entry,
        request_id,
        _optional_eui64(originator),
        _optional_eui64(target),
        srv,
        command_variant,
        parse_time(received_at),
        raw,
    )


def _decision(row: tuple[Any, ...]) -> DecisionRecord:
    entry, request_id, stage, verdict, response_code, reason, at = row
    return DecisionRecord(
        entry, request_id, stage, Verdict(verdict), response_code, reason, parse_time(at)
    )


def _delivery(row: tuple[Any, ...]) -> DeliveryRecord:
    number, entry, alert, kind, sender, recipient, data, at, status = row
    return DeliveryRecord(
        number,
        entry,
        alert,
        DeliveryKind(kind),
        sender,
        recipient,
        data,
        parse_time(at),
        DeliveryStatus(status),
    )


def _alert(row: tuple[Any, ...], deliveries: tuple[DeliveryRecord, ...]) -> AlertRecord:
    number, device, alert_code, addressed_to, delivered_to, reason, safety_critical, at = row
    return AlertRecord(
        number,
        eui64_bytes(device),
        alert_code,
        eui64_bytes(addressed_to),
        _optional_eui64(delivered_to),
        reason,
        bool(safety_critical),
        parse_time(at),
        deliveries,
    )


def _revocation(row: tuple[Any, ...]) -> RevocationRecord:
    number, failed_supplier, certificates, user_status, at = row
    listed = tuple(certificates.split("\n")) if certificates else ()
    return RevocationRecord(
        number, eui64_bytes(failed_supplier), listed, user_status, parse_time(at)
    )
