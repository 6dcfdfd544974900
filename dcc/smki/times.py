"""SMKI times are instants: validity, revocation and "held at" questions are all asked in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from .errors import SmkiInputError


def check_utc(at: datetime) -> datetime:
    """``at`` in UTC; a naive time is refused rather than guessed."""
    if at.tzinfo is UTC:
        return at
    if at.tzinfo is None:
        raise SmkiInputError(f"naive datetime {at.isoformat()}: SMKI times need a timezone")
    return at.astimezone(UTC)


def to_seconds(at: datetime) -> datetime:
    """``at`` in UTC, cut to whole seconds, as X.509 and CRL times hold it."""
    return check_utc(at).replace(microsecond=0)


def parse_time(text: str) -> datetime:
    """An ISO 8601 instant (``2026-01-01T00:00:00Z``); a time without offset is refused."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise SmkiInputError(f"not an ISO 8601 time: {text!r}") from None
    return check_utc(at)
