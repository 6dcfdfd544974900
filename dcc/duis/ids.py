"""DUIS identifiers: EUI-64s, RequestID and ResponseID, service references (spec §1.2, §2.1).

A RequestID is ``originator:target:counter`` - the sender's User ID, the Device (or the DCC for
non-device requests) and a decimal counter below 2**64 without leading zeros. Hex is accepted in
either case and written in upper case, as DCC Boxed does. A ResponseID swaps the first two parts.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .errors import invalid
from .values import shown

EUI64_LENGTH = 8
COUNTER_LIMIT = 2**64

_EUI64 = re.compile(r"[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){7}")
_COUNTER = re.compile(r"0|[1-9][0-9]*")
_SERVICE_REFERENCE = re.compile(r"[1-9][0-9]?\.[1-9][0-9]?")
_SERVICE_REFERENCE_VARIANT = re.compile(r"[1-9][0-9]?\.[1-9][0-9]?(?:\.[1-9][0-9]?)?")


def parse_eui64(text: str) -> bytes:
    if not _EUI64.fullmatch(text):
        raise invalid(f"{shown(text)} is not an EUI-64 (eight hex pairs joined by '-')")
    return bytes.fromhex(text.replace("-", ""))


@functools.lru_cache(maxsize=4096)
def format_eui64(value: bytes) -> str:
    """``90-B3-D5-1F-30-01-00-00``. Kept for the last few thousand values: the same Users and
    devices are named in every header, RequestID and log line of a switch, a score of times."""
    check_eui64(value)
    return value.hex("-").upper()


def check_eui64(value: bytes, what: str = "EUI-64") -> None:
    if len(value) != EUI64_LENGTH:
        raise invalid(f"{what} must be {EUI64_LENGTH} bytes, not {len(value)}")


def _check_counter(counter: int) -> None:
    if not 0 <= counter < COUNTER_LIMIT:
        raise invalid(f"counter {counter} is outside 0..2**64-1")


def _split(text: str, what: str) -> tuple[bytes, bytes, int]:
    parts = text.split(":")
    if len(parts) != 3:
        raise invalid(
            f"{what} {shown(text)} is not three ':'-separated parts (EUI-64:EUI-64:counter)"
        )
    first, second, counter = parts
    if not _COUNTER.fullmatch(counter):
        raise invalid(
            f"{what} counter {shown(counter)} is not decimal digits without leading zeros"
        )
    if len(counter) > len(str(COUNTER_LIMIT)):
        raise invalid(f"{what} counter of {len(counter)} digits is outside 0..2**64-1")
    value = int(counter)
    _check_counter(value)
    return parse_eui64(first), parse_eui64(second), value


@dataclass(frozen=True, slots=True)
class RequestID:
    """Identifies a request end to end; the DCC echoes it and builds the ResponseID from it."""

    originator: bytes
    target: bytes
    counter: int

    def __post_init__(self) -> None:
        check_eui64(self.originator, "originator")
        check_eui64(self.target, "target")
        _check_counter(self.counter)

    @classmethod
    def parse(cls, text: str) -> RequestID:
        """The RequestID ``text`` spells. A RequestID is a frozen value of its text, so the last
        few are kept: the DCC reads each request's twice (signer check, then header)."""
        return _parse_request_id(text) if cls is RequestID else cls(*_split(text, "RequestID"))

    def __str__(self) -> str:
        return f"{format_eui64(self.originator)}:{format_eui64(self.target)}:{self.counter}"


@functools.lru_cache(maxsize=256)
def _parse_request_id(text: str) -> RequestID:
    return RequestID(*_split(text, "RequestID"))


@dataclass(frozen=True, slots=True)
class ResponseID:
    """``device:user:counter``: the RequestID seen from the responding Device."""

    device: bytes
    user: bytes
    counter: int

    def __post_init__(self) -> None:
        check_eui64(self.device, "device")
        check_eui64(self.user, "user")
        _check_counter(self.counter)

    @classmethod
    def parse(cls, text: str) -> ResponseID:
        return cls(*_split(text, "ResponseID"))

    @classmethod
    def answering(cls, request_id: RequestID) -> ResponseID:
        return cls(request_id.target, request_id.originator, request_id.counter)

    @property
    def request_id(self) -> RequestID:
        return RequestID(self.user, self.device, self.counter)

    def __str__(self) -> str:
        return f"{format_eui64(self.device)}:{format_eui64(self.user)}:{self.counter}"


@functools.lru_cache(maxsize=64)
def check_service_reference(reference: str, variant: str) -> None:
    """``1.6`` / ``1.6``, ``8.1`` / ``8.1.1``: the variant is the reference or one level below.

    Only the shape is checked here; the schema enumerates the DUIS values. A pair that passed
    is kept (every request and response header checks one of a few); a refusal is not, so it
    is made again each time.
    """
    if not _SERVICE_REFERENCE.fullmatch(reference):
        raise invalid(f"ServiceReference {shown(reference)} is not of the form N.N")
    if not _SERVICE_REFERENCE_VARIANT.fullmatch(variant):
        raise invalid(f"ServiceReferenceVariant {shown(variant)} is not of the form N.N or N.N.N")
    if variant != reference and not variant.startswith(reference + "."):
        raise invalid(f"ServiceReferenceVariant {variant} is not a variant of {reference}")
