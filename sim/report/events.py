"""The wire-level event log of a rehearsal, and what a run hands to its reports.

Every GBCS frame on the simulated WAN and every DUIS document between a User and the DCC is one
:class:`Event`; verdicts are read from this log, not from what the system under test says about
itself (as open-ocpp-tck does). The log's digest fixes a run: the same scenario and seed give
the same digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

_string = json.encoder.encode_basestring_ascii  # a str as json.dumps writes it
_DUIS_KINDS = ("duis", "dcc", "device")  # the kinds whose message is a DUIS document


class EventKind(StrEnum):
    DUIS_REQUEST = "duis-request"  # User -> DCC
    DUIS_RESPONSE = "duis-response"  # DCC -> User: synchronous answer or asynchronous response
    DCC_ALERT = "dcc-alert"  # DCC -> User (e.g. QuarantinedRequest)
    DEVICE_ALERT = "device-alert"  # DCC -> User, a device's alert routed (R7)
    GBCS_COMMAND = "gbcs-command"  # DCC -> device over the WAN (MACed command)
    GBCS_RESPONSE = "gbcs-response"  # device -> DCC
    GBCS_ALERT = "gbcs-alert"  # device -> DCC
    SMETS1_COMMAND = "smets1-command"  # DCC (S1SP) -> SMETS1 device
    SMETS1_RESPONSE = "smets1-response"  # SMETS1 device -> DCC
    SMETS1_ALERT = "smets1-alert"  # SMETS1 device -> DCC
    ALERT_HELD = "alert-held"  # DCC keeps a device alert for the SRP Ofgem will instruct (R7.1)
    WAN_LOST = "wan-lost"  # a frame the WAN dropped (loss, outage, hub offline)
    SOLR = "solr"  # Ofgem notification, revocation, instruction; ADT submissions


_DUIS = frozenset(kind for kind in EventKind if kind.startswith(_DUIS_KINDS))
_KIND_TEXT = {kind: f'"kind": "{kind}", "time": "' for kind in EventKind}
# Every byte that json.dumps would escape as a control character (all below a space but the
# line feed, and DEL) made NUL, every other kept: one NUL in a message's translation says so.
_CONTROL_AS_NUL = bytes(
    0 if (byte < 0x20 and byte != 0x0A) or byte == 0x7F else byte for byte in range(256)
)


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that crossed a boundary. ``verdict`` is the DCC's or the WAN's word on it
    (``accepted``, ``E4``, ``quarantined``, ``lost``, ...); ``message`` is the bytes."""

    time: datetime
    kind: EventKind
    sender: str
    recipient: str
    verdict: str
    message: bytes = b""
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        """One line of ``events.jsonl``: GBCS and SMETS1 frames as hex, DUIS as XML text."""
        record: dict[str, Any] = {
            "time": self.time.isoformat(),
            "kind": str(self.kind),
            "from": self.sender,
            "to": self.recipient,
            "verdict": self.verdict,
        }
        if self.kind.startswith(_DUIS_KINDS):
            record["duis_xml"] = self.message.decode("utf-8", "replace")
        elif self.message:
            record["gbcs_hex"] = self.message.hex().upper()
        if self.detail:
            record["detail"] = self.detail
        return record


def event_line(event: Event, time: str | None = None) -> bytes:
    """One canonical line of ``events.jsonl``, newline included: what the digest hashes.

    The bytes of ``json.dumps(event.to_json(), sort_keys=True)`` (see :func:`line`). ``time``
    is ``event.time.isoformat()`` when the caller has it already (events come many to an
    instant).
    """
    return line(
        event.kind,
        event.sender,
        event.recipient,
        event.verdict,
        event.message,
        event.detail,
        event.time.isoformat() if time is None else time,
    )


def line(
    kind: EventKind,
    sender: str,
    recipient: str,
    verdict: str,
    message: bytes,
    detail: str,
    time: str,
) -> bytes:
    """The canonical line of an event given by its fields, ``time`` in ISO 8601.

    Written with the encoder ``json.dumps`` uses for strings (every value is one), without an
    encoder per line, a dict or a sort: the keys are written in their sorted order, and the
    text between them that the kind fixes is made once per kind, not per line.
    """
    head = f'{{"detail": {_string(detail)}, ' if detail else "{"
    sent = f'"from": {_string(sender)}, '
    rest = (
        f'{_KIND_TEXT[kind]}{time}", "to": {_string(recipient)}, "verdict": {_string(verdict)}}}\n'
    )
    if kind in _DUIS:
        return b"".join(
            (f'{head}"duis_xml": '.encode(), json_text(message), f", {sent}{rest}".encode())
        )
    if message:
        return f'{head}{sent}"gbcs_hex": "{message.hex().upper()}", {rest}'.encode()
    return f"{head}{sent}{rest}".encode()


def json_text(message: bytes) -> bytes:
    """``message`` read as UTF-8 (``replace`` for what is not) and written as a JSON string as
    ``json.dumps`` writes it, in ASCII.

    A DUIS document is ASCII, line feeds its only control characters: its JSON text is itself
    with backslashes, quotes and line feeds escaped, made so by three byte replaces without
    reading it into a str or escaping it a character at a time. Any other message is written
    by the encoder ``json.dumps`` uses.
    """
    if message.isascii() and b"\0" not in message.translate(_CONTROL_AS_NUL):
        escaped = message.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n")
        return b'"' + escaped + b'"'
    return _string(message.decode("utf-8", "replace")).encode()


def digest(events: Iterable[Event]) -> str:
    """SHA-256 over the canonical JSON lines of the log: equal logs, equal digests."""
    hasher = hashlib.sha256()
    for event in events:
        hasher.update(event_line(event))
    return hasher.hexdigest()


@dataclass(frozen=True, slots=True)
class Expectation:
    """One expectation of the scenario and whether the run met it, with the evidence and the
    MP134B rule ids it shows (``R6.3, R6.4``)."""

    name: str
    passed: bool
    detail: str
    rules: str = ""


@dataclass
class RunResult:
    """What a rehearsal produced: the event log, the figures the reports chart, the verdicts."""

    scenario: str
    seed: int
    started: datetime
    ended: datetime
    events: list[Event]
    metrics: dict[str, Any]
    expectations: list[Expectation]
    # time series for the charts: name -> list of (simulated time, value)
    series: dict[str, list[tuple[datetime, float]]] = field(default_factory=dict)
    wall_seconds: float = 0.0
    # set when the log was hashed as it was recorded: ``events`` may then be empty (not kept)
    events_digest: str | None = None
    # set when the log was streamed to this file (``events.jsonl``) as it was recorded
    events_path: Path | None = None

    @property
    def passed(self) -> bool:
        return all(expectation.passed for expectation in self.expectations)

    @property
    def digest(self) -> str:
        return self.events_digest if self.events_digest is not None else digest(self.events)
