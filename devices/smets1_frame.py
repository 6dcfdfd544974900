"""The frames between the SMETS1 service provider (S1SP) and a SMETS1 meter, bytes in and out.

SMETS1 meters speak neither GBCS nor DUIS. The DCC's S1SP adapter (``dcc/s1sp.py``) turns a
verified DUIS SR 1.6 into a command frame and countersigns it; the meter answers with a response
frame and raises alerts in alert frames. Each is a fixed big-endian layout, defined once (the
``_Layout`` tables below both parse and build), decoded to a frozen dataclass and encoded back.

Every frame starts with a version byte (1) and a kind byte, and ends with a 64-byte ECDSA
P-256/SHA-256 signature, raw r||s, over every byte before it: the DCC's on a command, the meter's
on a response or an alert. A frame without those 64 bytes decodes with ``signature=None``, so a
receiver can tell "unsigned" from "wrongly signed"; any other length is a decode error.

Command, kind 0x01, 48 + 64 bytes, DCC -> meter::

    offset size  field
       0     1   version, 0x01
       1     1   kind, 0x01
       2     8   target: the meter's EUI-64 (DUIS RequestID target)
      10     8   originator: the DUIS RequestID originator, the DCC User that sent the request;
                 never all zeros, which in an alert means "no command"
      18     8   counter: the DUIS RequestID counter, unsigned
      26     8   supplier: the Supplier ID the request acts for (the originator itself, or the
                 failed supplier an SRP acts for under SoLR)
      34     1   mode: 0x01 credit, 0x02 prepayment
      35     1   flags: bit 0 SuspendDebtDisabled, bit 1 SuspendDebtEmergency, others 0;
                 0 for credit
      36     4   DisablementThreshold, signed; 0 for credit, which leaves the threshold as it is
      40     8   execution: 0 on demand; all ones cancels a pending change; else the time to
                 execute, in microseconds since 1970-01-01T00:00:00Z
      48    64   the DCC's countersignature over bytes 0-47

Response, kind 0x81, 35 + 64 bytes, meter -> S1SP::

       0     1   version, 0x01
       1     1   kind, 0x81
       2     8   device: the meter's EUI-64
      10     8   originator of the command answered (echoed)
      18     8   counter of the command answered (echoed)
      26     1   outcome: 0x00 executed, 0x01 scheduled, 0x02 cancelled, 0x80 content refused
      27     8   the meter's time, microseconds since 1970 UTC
      35    64   the meter's signature over bytes 0-34

Alert, kind 0x82, 44 + 64 bytes, meter -> S1SP::

       0     1   version, 0x01
       1     1   kind, 0x82
       2     8   device: the meter's EUI-64
      10     8   counter: the meter's alert counter, increasing, so the S1SP can spot a replay
      18     2   alert code: the GBCS code the S1SP reports it as (0x8F3F tamper, 0x8F66, ...)
      20     8   raised at, microseconds since 1970 UTC
      28     8   originator of the command the alert reports on (0x8F66), or zeros for none
      36     8   that command's counter, or 0
      44    64   the meter's signature over bytes 0-43

Microseconds because Python datetimes then survive a round trip exactly. Decoding checks the
structure only; whether a command's content can be run (originator, mode, flags, threshold,
execution time) is :meth:`Smets1Command.payment_mode_change`, so that a meter authenticates a
frame before it reads what the frame asks, and answers only an authentic sender.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar

from cryptography.hazmat.primitives.asymmetric import ec

from devices.gbcs.crypto import ecdsa_sign, ecdsa_verify
from devices.gbcs.errors import DecodeError, LocalProtocolError
from devices.gbcs.payment_mode import Activation, PaymentMode, PaymentModeChange

FRAME_VERSION = 1
SIGNATURE_LENGTH = 64
EUI64_LENGTH = 8
EXECUTE_ON_DEMAND = 0
CANCEL_PENDING = 2**64 - 1
SUSPEND_DEBT_DISABLED = 0x01
SUSPEND_DEBT_EMERGENCY = 0x02
_UINT64 = (0, 2**64 - 1)
_INT32 = (-(2**31), 2**31 - 1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAST_MICROSECOND = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1)
_MODES = MappingProxyType({0x01: PaymentMode.CREDIT, 0x02: PaymentMode.PREPAYMENT})
_MODE_CODES = MappingProxyType({mode: code for code, mode in _MODES.items()})
_NO_EUI64 = bytes(EUI64_LENGTH)
_ZERO_ORIGINATOR = "an all-zero originator is no DCC User: an alert reads it as 'no command'"


class Smets1DecodeError(DecodeError):
    """Bytes that are not a well-formed SMETS1 frame; says where and why."""


class Smets1ContentError(Smets1DecodeError):
    """A well-formed command asking for something a meter cannot run."""


class Smets1EncodeError(LocalProtocolError):
    """Values that do not fit the frame layout."""


class Kind(IntEnum):
    COMMAND = 0x01
    RESPONSE = 0x81
    ALERT = 0x82


class Outcome(IntEnum):
    """What the meter did with a command it authenticated."""

    EXECUTED = 0x00
    SCHEDULED = 0x01
    CANCELLED = 0x02
    CONTENT_REFUSED = 0x80

    @property
    def success(self) -> bool:
        return self is not Outcome.CONTENT_REFUSED


@dataclass(frozen=True)
class _Layout:
    """One frame body after version and kind: its fields in order, as struct codes."""

    kind: Kind
    fields: tuple[tuple[str, str], ...]

    @cached_property
    def codec(self) -> struct.Struct:
        return struct.Struct(">BB" + "".join(code for _, code in self.fields))

    @cached_property
    def offsets(self) -> MappingProxyType[str, int]:
        """Where each field starts, for error messages."""
        starts, position = {}, 2
        for name, code in self.fields:
            starts[name] = position
            position += struct.calcsize(">" + code)
        return MappingProxyType(starts)

    def pack(self, *values: object) -> bytes:
        return self.codec.pack(FRAME_VERSION, self.kind, *values)


@dataclass(frozen=True, slots=True)
class RequestRef:
    """A DUIS RequestID less its target: who sent the command, with which counter."""

    originator: bytes
    counter: int

    def __post_init__(self) -> None:
        _check_eui64(self.originator, "originator")
        _check_range(self.counter, _UINT64, "counter")


@dataclass(frozen=True, slots=True)
class Smets1Command:
    """An SR 1.6 for one meter, as the S1SP delivers it.

    ``mode``, ``flags``, ``disablement_threshold`` and ``execution`` are the wire values, so that
    a test can build any content; :meth:`payment_mode_change` says what they mean.
    """

    LAYOUT: ClassVar[_Layout] = _Layout(
        Kind.COMMAND,
        (
            ("target", "8s"),
            ("originator", "8s"),
            ("counter", "Q"),
            ("supplier", "8s"),
            ("mode", "B"),
            ("flags", "B"),
            ("disablement_threshold", "i"),
            ("execution", "Q"),
        ),
    )

    target: bytes
    request: RequestRef
    supplier: bytes
    mode: int
    flags: int
    disablement_threshold: int
    execution: int
    signature: bytes | None = None

    def __post_init__(self) -> None:
        _check_eui64(self.target, "target")
        _check_eui64(self.supplier, "supplier")
        _check_range(self.mode, (0, 0xFF), "mode")
        _check_range(self.flags, (0, 0xFF), "flags")
        _check_range(self.disablement_threshold, _INT32, "disablement threshold")
        _check_range(self.execution, _UINT64, "execution")
        _check_signature(self.signature)

    @classmethod
    def for_change(
        cls, target: bytes, request: RequestRef, supplier: bytes, change: PaymentModeChange
    ) -> Smets1Command:
        """The unsigned command carrying ``change``, which must be one SR 1.6 can ask for:
        a credit change leaves the threshold alone, a prepayment change sets one. The
        originator must be a User's, so not all zeros (see :meth:`payment_mode_change`)."""
        if request.originator == _NO_EUI64:
            raise Smets1EncodeError(_ZERO_ORIGINATOR)
        credit = change.mode is PaymentMode.CREDIT
        if credit != (change.disablement_threshold is None):
            raise Smets1EncodeError("a threshold is set by prepayment changes and only by them")
        flags = (SUSPEND_DEBT_DISABLED if change.suspend_debt_disabled else 0) | (
            SUSPEND_DEBT_EMERGENCY if change.suspend_debt_emergency else 0
        )
        if change.execute_at is not None:
            execution = _to_micros(change.execute_at, "execution time")
            if execution in (EXECUTE_ON_DEMAND, CANCEL_PENDING):
                raise Smets1EncodeError(f"execution time {change.execute_at} is a reserved value")
        elif change.activation is Activation.IMMEDIATE:
            execution = EXECUTE_ON_DEMAND
        else:
            execution = CANCEL_PENDING
        return cls(
            target,
            request,
            supplier,
            _MODE_CODES[change.mode],
            flags,
            change.disablement_threshold or 0,
            execution,
        )

    def payment_mode_change(self) -> PaymentModeChange:
        """What the command asks for; :class:`Smets1ContentError` when it cannot be run.

        An all-zero originator is refused here: the alert that reports on a future-dated
        command reads it as "no command", so no alert could name the command when it runs.
        """
        at = self.LAYOUT.offsets
        if self.request.originator == _NO_EUI64:
            raise Smets1ContentError(_ZERO_ORIGINATOR, at["originator"])
        mode = _MODES.get(self.mode)
        if mode is None:
            raise Smets1ContentError(
                f"mode 0x{self.mode:02X} is neither credit nor prepayment", at["mode"]
            )
        if self.flags & ~(SUSPEND_DEBT_DISABLED | SUSPEND_DEBT_EMERGENCY):
            raise Smets1ContentError(f"flags 0x{self.flags:02X} set reserved bits", at["flags"])
        prepayment = mode is PaymentMode.PREPAYMENT
        if not prepayment and self.flags:
            raise Smets1ContentError("suspend-debt flags apply to prepayment only", at["flags"])
        if not prepayment and self.disablement_threshold:
            raise Smets1ContentError(
                "a credit command carries threshold 0 (the meter keeps its own)",
                at["disablement_threshold"],
            )
        activation, execute_at = Activation.FUTURE_DATED, None
        if self.execution == EXECUTE_ON_DEMAND:
            activation = Activation.IMMEDIATE
        elif self.execution == CANCEL_PENDING:
            activation = Activation.CANCELLATION
        else:
            execute_at = _from_micros(self.execution)
            if execute_at is None:
                raise Smets1ContentError("execution time is beyond year 9999", at["execution"])
        return PaymentModeChange(
            mode,
            activation,
            execute_at,
            suspend_debt_disabled=prepayment and bool(self.flags & SUSPEND_DEBT_DISABLED),
            suspend_debt_emergency=prepayment and bool(self.flags & SUSPEND_DEBT_EMERGENCY),
            disablement_threshold=self.disablement_threshold if prepayment else None,
        )

    def body(self) -> bytes:
        """The signed bytes: the whole frame but its signature."""
        return self.LAYOUT.pack(
            self.target,
            self.request.originator,
            self.request.counter,
            self.supplier,
            self.mode,
            self.flags,
            self.disablement_threshold,
            self.execution,
        )

    @classmethod
    def _read(cls, values: tuple[Any, ...], signature: bytes | None) -> Smets1Command:
        target, originator, counter, supplier, mode, flags, threshold, execution = values
        request = RequestRef(originator, counter)
        return cls(target, request, supplier, mode, flags, threshold, execution, signature)


@dataclass(frozen=True, slots=True)
class Smets1Response:
    """The meter's answer to a command it authenticated."""

    LAYOUT: ClassVar[_Layout] = _Layout(
        Kind.RESPONSE,
        (("device", "8s"), ("originator", "8s"), ("counter", "Q"), ("outcome", "B"), ("at", "Q")),
    )

    device: bytes
    request: RequestRef
    outcome: Outcome
    at: datetime
    signature: bytes | None = None

    def __post_init__(self) -> None:
        _check_eui64(self.device, "device")
        _to_micros(self.at, "response time")
        _check_signature(self.signature)

    def body(self) -> bytes:
        return self.LAYOUT.pack(
            self.device,
            self.request.originator,
            self.request.counter,
            self.outcome,
            _to_micros(self.at, "response time"),
        )

    @classmethod
    def _read(cls, values: tuple[Any, ...], signature: bytes | None) -> Smets1Response:
        device, originator, counter, outcome, at = values
        try:
            known = Outcome(outcome)
        except ValueError:
            offset = cls.LAYOUT.offsets["outcome"]
            raise Smets1DecodeError(f"outcome 0x{outcome:02X} unknown", offset) from None
        when = _time_field(at, "response time", cls.LAYOUT.offsets["at"])
        return cls(device, RequestRef(originator, counter), known, when, signature)


@dataclass(frozen=True, slots=True)
class Smets1Alert:
    """An alert the meter raises; ``request`` names the command it reports on, if any."""

    LAYOUT: ClassVar[_Layout] = _Layout(
        Kind.ALERT,
        (
            ("device", "8s"),
            ("counter", "Q"),
            ("alert_code", "H"),
            ("raised_at", "Q"),
            ("originator", "8s"),
            ("request_counter", "Q"),
        ),
    )

    device: bytes
    counter: int
    alert_code: int
    raised_at: datetime
    request: RequestRef | None = None
    signature: bytes | None = None

    def __post_init__(self) -> None:
        _check_eui64(self.device, "device")
        _check_range(self.counter, _UINT64, "alert counter")
        _check_range(self.alert_code, (0, 0xFFFF), "alert code")
        _to_micros(self.raised_at, "alert time")
        if self.request is not None and self.request.originator == _NO_EUI64:
            raise Smets1EncodeError("an all-zero originator means no command; give None")
        _check_signature(self.signature)

    def body(self) -> bytes:
        request = self.request or RequestRef(_NO_EUI64, 0)
        return self.LAYOUT.pack(
            self.device,
            self.counter,
            self.alert_code,
            _to_micros(self.raised_at, "alert time"),
            request.originator,
            request.counter,
        )

    @classmethod
    def _read(cls, values: tuple[Any, ...], signature: bytes | None) -> Smets1Alert:
        device, counter, code, raised_at, originator, request_counter = values
        when = _time_field(raised_at, "alert time", cls.LAYOUT.offsets["raised_at"])
        request = None
        if originator != _NO_EUI64:
            request = RequestRef(originator, request_counter)
        elif request_counter:
            offset = cls.LAYOUT.offsets["request_counter"]
            raise Smets1DecodeError("a command counter without its originator", offset)
        return cls(device, counter, code, when, request, signature)


Smets1Frame = Smets1Command | Smets1Response | Smets1Alert
_F = TypeVar("_F", Smets1Command, Smets1Response, Smets1Alert)
_KINDS: MappingProxyType[int, type[Smets1Frame]] = MappingProxyType(
    {kind.LAYOUT.kind: kind for kind in (Smets1Command, Smets1Response, Smets1Alert)}
)


def encode(frame: Smets1Frame) -> bytes:
    return frame.body() + (frame.signature or b"")


def decode(data: bytes) -> Smets1Frame:
    """A frame of any kind; :class:`Smets1DecodeError` for anything else, never another error."""
    if len(data) < 2:
        raise Smets1DecodeError("a frame starts with a version and a kind byte", len(data))
    if data[0] != FRAME_VERSION:
        raise Smets1DecodeError(f"version {data[0]} is not {FRAME_VERSION}", 0)
    kind = _KINDS.get(data[1])
    if kind is None:
        raise Smets1DecodeError(f"kind 0x{data[1]:02X} unknown", 1)
    size = kind.LAYOUT.codec.size
    name = kind.LAYOUT.kind.name.lower()
    if len(data) < size:
        raise Smets1DecodeError(f"a {name} frame ends after {len(data)} of {size} bytes", len(data))
    if len(data) not in (size, size + SIGNATURE_LENGTH):
        raise Smets1DecodeError(
            f"a {name} frame has {len(data) - size} bytes after its body, "
            f"not a {SIGNATURE_LENGTH}-byte signature or none",
            size,
        )
    values = kind.LAYOUT.codec.unpack_from(data)[2:]
    return kind._read(values, data[size:] or None)


def sign(frame: _F, private_key: ec.EllipticCurvePrivateKey) -> _F:
    """``frame`` signed by its sender: the DCC for a command, the meter for the others."""
    return replace(frame, signature=ecdsa_sign(private_key, frame.body()))


def signature_valid(frame: Smets1Frame, public_key: ec.EllipticCurvePublicKey) -> bool:
    return frame.signature is not None and ecdsa_verify(public_key, frame.body(), frame.signature)


# --- values --------------------------------------------------------------------------------------


def _check_eui64(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != EUI64_LENGTH:
        raise Smets1EncodeError(f"{what} is an {EUI64_LENGTH}-byte EUI-64, got {value!r}")


def _check_range(value: int, bounds: tuple[int, int], what: str) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise Smets1EncodeError(f"{what} {value} is outside {low}..{high}")


def _check_signature(signature: bytes | None) -> None:
    if signature is not None and len(signature) != SIGNATURE_LENGTH:
        raise Smets1EncodeError(f"a signature is {SIGNATURE_LENGTH} bytes, not {len(signature)}")


def _to_micros(value: datetime, what: str) -> int:
    if value.utcoffset() is None:
        raise Smets1EncodeError(f"{what} {value} has no time zone")
    micros = (value - _EPOCH) // timedelta(microseconds=1)
    _check_range(micros, _UINT64, f"{what} in microseconds since 1970")
    return micros


def _from_micros(micros: int) -> datetime | None:
    """The UTC time ``micros`` after 1970, or None when Python cannot hold it (after 9999)."""
    if micros > _LAST_MICROSECOND:
        return None
    return _EPOCH + timedelta(microseconds=micros)


def _time_field(micros: int, what: str, offset: int) -> datetime:
    when = _from_micros(micros)
    if when is None:
        raise Smets1DecodeError(f"{what} is beyond year 9999", offset)
    return when
