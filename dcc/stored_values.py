"""How solrsim's SQLite files spell times and EUI-64s: as text a person reads with any SQLite
tool, fixed width where order matters."""

from __future__ import annotations

from datetime import UTC, datetime

from .sqlite_file import DatabaseError

__all__ = ["eui64_bytes", "eui64_text", "format_time", "parse_time"]


def format_time(at: datetime) -> str:
    """ISO 8601 in UTC with microseconds: fixed width, so text order is time order."""
    if at.tzinfo is None:
        raise DatabaseError(f"naive datetime {at.isoformat()}: stored times need a timezone")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def eui64_text(value: bytes) -> str:
    """``90-B3-D5-1F-30-01-00-00``, as RequestIDs write it, so the file reads like DUIS."""
    if len(value) != 8:
        raise DatabaseError(f"an EUI-64 is 8 bytes, not {len(value)} ({value.hex()})")
    return value.hex("-").upper()


def eui64_bytes(text: str) -> bytes:
    return bytes.fromhex(text.replace("-", ""))
