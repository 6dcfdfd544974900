"""XSD simple values as DUIS uses them: text on the wire, Python values in the model, and back.

Each ``parse_*`` takes the element text after XSD whitespace handling and raises a
:class:`DuisSchemaError` saying what is wrong; each ``format_*`` writes the canonical form, so a
value formatted then parsed comes back equal. The lexical rules are the XSD 1.0 ones, kept
strict: ``int("1_000")`` or ``datetime.fromisoformat("2030-01-15 09:00")`` accept text the DCC
would refuse.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import TypeVar

from .errors import invalid

E = TypeVar("E", bound=StrEnum)

INT32 = (-(2**31), 2**31 - 1)
UNSIGNED_SHORT = (0, 2**16 - 1)
UNSIGNED_INT = (0, 2**32 - 1)

_XML_SPACE = re.compile(r"[ \t\r\n]+")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_HEX = re.compile(r"([0-9A-Fa-f]{2})*")
_DATETIME = re.compile(
    r"(?P<year>-?[0-9]{4,})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?"
    r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?"
)
_MAX_OFFSET = timedelta(hours=14)
# More digits than any bounded DUIS integer has; longer text is refused before int() reads it.
_MAX_DIGITS = 24
_SHOWN = 40


def shown(text: str) -> str:
    """``text`` quoted for an error message, cut short: refused input may be a megabyte long."""
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")


def collapse(text: str) -> str:
    """XSD ``whiteSpace="collapse"``: runs of XML white space become one space, ends trimmed."""
    return _XML_SPACE.sub(" ", text).strip(" ")


def enum_parser(enum: type[E]) -> Callable[[str], E]:
    """A parser for an XSD enumeration held as a :class:`StrEnum`."""

    def parse(text: str) -> E:
        try:
            return enum(text)
        except ValueError:
            raise invalid(f"{shown(text)} is not a {enum.__name__}") from None

    return parse


def parse_bool(text: str) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise invalid(f"{shown(text)} is not an xs:boolean (true, false, 1 or 0)")


def format_bool(value: bool) -> str:
    return "true" if value else "false"


def parse_int(text: str, low: int, high: int) -> int:
    """An XSD integer type within the bounds of its facets."""
    if not _INTEGER.fullmatch(text):
        raise invalid(f"{shown(text)} is not an integer")
    if len(digits := text.lstrip("+-").lstrip("0")) > _MAX_DIGITS:
        raise invalid(f"a {len(digits)}-digit number is outside {low}..{high}")
    value = int(digits or "0")  # read without its leading zeros, which may be any number
    if text.startswith("-"):
        value = -value
    check_range(value, low, high)
    return value


def check_range(value: int, low: int, high: int, what: str = "value") -> None:
    if not low <= value <= high:
        raise invalid(f"{what} {value} is outside {low}..{high}")


def check_decimal(text: str) -> None:
    """``schemaVersion`` is an xs:decimal; solrsim keeps its text (``5.4``) as the DCC sent it."""
    if not _DECIMAL.fullmatch(text):
        raise invalid(f"schemaVersion {shown(text)} is not an xs:decimal")


def check_length(value: str, low: int, high: int, what: str) -> None:
    if not low <= len(value) <= high:
        raise invalid(f"{what} {shown(value)} must be {low} to {high} characters long")


def parse_base64(text: str) -> bytes:
    """xs:base64Binary, white space inside dropped (Java wraps long values at 76 characters)."""
    if " " in text or not text.isprintable():  # the other XML spaces are control characters
        text = _XML_SPACE.sub("", text)
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:  # binascii.Error, or a character outside ASCII
        raise invalid(f"not xs:base64Binary ({exc})") from None


def format_base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def parse_hex(text: str) -> bytes:
    if not _HEX.fullmatch(text):
        raise invalid(f"{shown(text)} is not xs:hexBinary (pairs of hex digits)")
    return bytes.fromhex(text)


def format_hex(value: bytes) -> str:
    return value.hex().upper()


def parse_datetime(text: str) -> datetime:
    """xs:dateTime; a zone gives an aware datetime, none a naive one; sub-microseconds dropped."""
    found = _DATETIME.fullmatch(text)
    if found is None:
        raise invalid(f"{shown(text)} is not an xs:dateTime (YYYY-MM-DDThh:mm:ss[.fff][zone])")
    parts = {name: int(found[name]) for name in ("year", "month", "day", "hour", "minute")}
    second, fraction = int(found["second"]), found["fraction"] or ""
    end_of_day = parts["hour"] == 24 and parts["minute"] == second == 0 and not fraction.strip("0")
    if end_of_day:
        parts["hour"] = 0
    try:
        value = datetime(
            **parts,
            second=second,
            microsecond=int(fraction[:6].ljust(6, "0")),
            tzinfo=_parse_zone(found["zone"]),
        )
        return value + timedelta(days=1) if end_of_day else value
    except (ValueError, OverflowError) as exc:
        raise invalid(f"{shown(text)} is not a date-time solrsim can hold ({exc})") from None


def _parse_zone(zone: str | None) -> timezone | None:
    if zone is None:
        return None
    if zone == "Z":
        return UTC
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    offset = timedelta(hours=hours, minutes=minutes)
    if minutes > 59 or offset > _MAX_OFFSET:
        raise invalid(f"time zone {zone} is outside -14:00..+14:00")
    return timezone(-offset if zone[0] == "-" else offset)


def check_datetime(value: datetime) -> None:
    """An xs:dateTime zone is whole minutes within ±14:00; Python allows more."""
    if value.tzinfo is UTC:  # the zone of every time solrsim makes
        return
    offset = value.utcoffset()
    if offset is None:
        return
    if offset % timedelta(minutes=1) or abs(offset) > _MAX_OFFSET:
        raise invalid(f"time zone offset {offset} is not whole minutes within ±14:00")


def format_datetime(value: datetime) -> str:
    """ISO form with ``Z`` for UTC and only the fraction digits needed (DCC Boxed: ``.804Z``).

    A UTC time is written once and kept for the next few asks: a DCC stamps many documents
    with one instant. Equal UTC times have equal fields, so a kept text is always right."""
    if value.tzinfo is UTC:
        return _format_utc(value)
    return _format_datetime(value)


@functools.lru_cache(maxsize=256)
def _format_utc(value: datetime) -> str:
    """:func:`_format_datetime` of a UTC time, written by ``isoformat`` (in C)."""
    text = value.replace(tzinfo=None).isoformat()
    return f"{text.rstrip('0') if value.microsecond else text}Z"


def _format_datetime(value: datetime) -> str:
    check_datetime(value)
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    offset = value.utcoffset()
    if offset is None:
        return text
    if not offset:
        return text + "Z"
    minutes = int(abs(offset).total_seconds()) // 60
    return f"{text}{'-' if offset < timedelta(0) else '+'}{minutes // 60:02d}:{minutes % 60:02d}"
