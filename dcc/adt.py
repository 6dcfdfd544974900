"""Anomaly Detection Threshold (ADT) files: what a party's responsible officer signs (R4.2).

An ADT file sets, for one User ID, how many requests of each SRV the DCC actions per anomaly
detection period before it quarantines the rest. A row may name the supplier whose devices are
targeted *(choice, R4.2)*, so that an SRP gets a threshold per failed supplier it was instructed
to act for, never one across every meter; ``supplier`` is null in a row that holds for all.

The signed bytes are canonical JSON: keys sorted, no spaces, rows sorted by SRV then supplier,
EUI-64s in upper-case DUIS form, ``issued_at`` in UTC ending in ``Z``. Only canonical bytes
parse, so one ADT has exactly one signed form and no reader can see something else in it::

    {"issued_at":"2026-03-02T09:00:00Z","thresholds":[{"count":500,"srv":"1.6",
    "supplier":"00-00-00-00-00-00-00-A1"}],"user_id":"90-B3-D5-1F-30-05-00-00"}
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from dcc.duis.errors import DuisError
from dcc.duis.ids import check_eui64, check_service_reference, format_eui64, parse_eui64
from dcc.errors import RemoteProtocolError
from devices.gbcs.crypto import ecdsa_sign, ecdsa_verify

_FILE_KEYS = frozenset({"issued_at", "thresholds", "user_id"})
_ROW_KEYS = frozenset({"count", "srv", "supplier"})
_CANONICAL = "keys sorted, no spaces, rows sorted by SRV then supplier, upper-case EUI-64s, UTC"


class AdtFileError(RemoteProtocolError):
    """An ADT file that cannot be used; the reason names the field and what is wrong with it."""


def _eui64(value: bytes, what: str) -> None:
    try:
        check_eui64(value, what)
    except DuisError as exc:
        raise AdtFileError(exc.reason) from None


def _supplier_text(supplier: bytes | None) -> str:
    return "every supplier" if supplier is None else f"supplier {format_eui64(supplier)}"


@dataclass(frozen=True, slots=True)
class AdtThreshold:
    """At most ``count`` requests of ``srv`` per period, to ``supplier``'s devices when given."""

    srv: str
    count: int
    supplier: bytes | None = None

    def __post_init__(self) -> None:
        try:
            check_service_reference(".".join(self.srv.split(".")[:2]), self.srv)
        except DuisError as exc:
            raise AdtFileError(f"SRV: {exc.reason}") from None
        if not isinstance(self.count, int) or isinstance(self.count, bool) or self.count < 0:
            raise AdtFileError(f"SRV {self.srv}: count {self.count!r} is not a whole number >= 0")
        if self.supplier is not None:
            _eui64(self.supplier, f"SRV {self.srv} supplier")

    @property
    def key(self) -> tuple[str, bytes]:
        """The row's sort and uniqueness key; the empty supplier (all) sorts first."""
        return self.srv, self.supplier or b""


@dataclass(frozen=True, slots=True)
class AdtFile:
    """One User ID's thresholds; rows are kept in canonical order, ``issued_at`` in UTC."""

    user_id: bytes
    thresholds: tuple[AdtThreshold, ...]
    issued_at: datetime

    def __post_init__(self) -> None:
        _eui64(self.user_id, "user_id")
        if self.issued_at.tzinfo is None:
            raise AdtFileError(f"issued_at {self.issued_at.isoformat()} has no time zone")
        rows = tuple(sorted(self.thresholds, key=lambda row: row.key))
        for first, second in pairwise(rows):
            if first.key == second.key:
                supplier = _supplier_text(first.supplier)
                raise AdtFileError(f"two rows for SRV {first.srv}, {supplier}")
        object.__setattr__(self, "thresholds", rows)
        object.__setattr__(self, "issued_at", self.issued_at.astimezone(UTC))

    def row(self, srv: str, supplier: bytes | None) -> AdtThreshold | None:
        """The row for ``srv`` and ``supplier``, else the one for ``srv`` and every supplier.
        A walk through the few rows: the DCC asks once per request it counts."""
        wanted = supplier or b""
        every = None
        for row in self.thresholds:
            if row.srv == srv:
                held = row.supplier or b""
                if held == wanted:
                    return row
                if not held:
                    every = row
        return every

    def encode(self) -> bytes:
        """The canonical bytes an officer signs."""
        document = {
            "issued_at": self.issued_at.isoformat().replace("+00:00", "Z"),
            "thresholds": [
                {
                    "count": row.count,
                    "srv": row.srv,
                    "supplier": None if row.supplier is None else format_eui64(row.supplier),
                }
                for row in self.thresholds
            ],
            "user_id": format_eui64(self.user_id),
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("ascii")

    @classmethod
    def parse(cls, content: bytes) -> AdtFile:
        """The ADT in ``content``; anything but a canonical, well-formed file is refused."""
        try:
            document = json.loads(content.decode("utf-8"), object_pairs_hook=_unique_keys)
        except UnicodeDecodeError:
            raise AdtFileError("not UTF-8 text") from None
        except (ValueError, RecursionError) as exc:
            raise AdtFileError(f"not JSON: {exc}") from None
        _keys(document, _FILE_KEYS, "the file")
        rows = document["thresholds"]
        if not isinstance(rows, list):
            raise AdtFileError("thresholds is not a list")
        adt = cls(
            _parse_eui64(document["user_id"], "user_id"),
            tuple(_parse_row(row, index) for index, row in enumerate(rows)),
            _parse_time(document["issued_at"]),
        )
        if adt.encode() != content:
            raise AdtFileError(f"not in canonical form ({_CANONICAL})")
        return adt


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON objects whose keys repeat are refused: a reader must not pick one of two values."""
    counts = Counter(key for key, _ in pairs)
    if repeated := sorted(key for key, count in counts.items() if count > 1):
        raise AdtFileError(f"key repeated in one object: {', '.join(repeated)}")
    return dict(pairs)


def _keys(value: Any, expected: frozenset[str], where: str) -> None:
    if not isinstance(value, dict):
        raise AdtFileError(f"{where} is not a JSON object")
    if unknown := sorted(value.keys() - expected):
        raise AdtFileError(f"unknown key in {where}: {', '.join(unknown)}")
    if missing := sorted(expected - value.keys()):
        raise AdtFileError(f"missing key in {where}: {', '.join(missing)}")


def _parse_row(row: Any, index: int) -> AdtThreshold:
    where = f"threshold row {index}"
    _keys(row, _ROW_KEYS, where)
    if not isinstance(row["srv"], str):
        raise AdtFileError(f"{where}: srv is not a string")
    supplier = row["supplier"]
    return AdtThreshold(
        row["srv"],
        row["count"],
        None if supplier is None else _parse_eui64(supplier, f"{where} supplier"),
    )


def _parse_eui64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise AdtFileError(f"{what} is not a string")
    try:
        return parse_eui64(value)
    except DuisError as exc:
        raise AdtFileError(f"{what}: {exc.reason}") from None


def _parse_time(value: Any) -> datetime:
    if not isinstance(value, str) or not value.endswith("Z"):
        raise AdtFileError(f"issued_at {value!r} is not a UTC time ending in Z")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise AdtFileError(f"issued_at {value!r} is not an ISO 8601 time") from None


@dataclass(frozen=True, slots=True)
class SignedAdt:
    """An ADT file as submitted: its canonical bytes, the officer who signed them, raw r||s."""

    content: bytes
    officer_id: str
    signature: bytes

    def verifies(self, public_key: ec.EllipticCurvePublicKey) -> bool:
        return ecdsa_verify(public_key, self.content, self.signature)


def sign_adt(adt: AdtFile, officer_id: str, private_key: ec.EllipticCurvePrivateKey) -> SignedAdt:
    """``adt`` signed by an officer over its canonical bytes (ECDSA P-256/SHA-256, RFC 6979)."""
    content = adt.encode()
    return SignedAdt(content, officer_id, ecdsa_sign(private_key, content))
