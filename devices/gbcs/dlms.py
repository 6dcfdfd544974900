"""DLMS/COSEM payloads of GBCS ESME messages: A-XDR data values and the three APDUs GBCS uses.

The model is lossless: ``encode_dlms(decode_dlms(b)) == b`` for every payload the decoder accepts,
so checks can reason on typed values while signatures and MACs stay valid over the original bytes.
For that reason the decoder refuses non-minimal A-XDR lengths, and booleans and floats keep their
raw bytes. Facts: GBCS notes §1.4 (APDU headers), GP ``dlms.ts`` (data types, compact arrays).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import ClassVar, TypeVar

from ._reader import Reader, encode_length
from .errors import GbcsDecodeError, GbcsEncodeError

ACCESS_REQUEST = 0xD9
ACCESS_RESPONSE = 0xDA
DATA_NOTIFICATION = 0x0F

_T = TypeVar("_T")
_MAX_DEPTH = 32  # far deeper than any GBCS payload; stops recursion bombs in hostile input


# --- COSEM date-time -----------------------------------------------------------------------


_UNSPECIFIED_DEVIATION = 0x8000


@dataclass(frozen=True, slots=True)
class CosemDateTime:
    """A 12-byte COSEM date-time, kept raw so that wildcards and odd fields survive a round trip.

    GBCS uses two sentinels with it: all-zero date and time means "not specified" (an immediate
    activation) and all-FF means "never" (a cancellation); both carry deviation 0x8000.
    """

    raw: bytes

    NOT_SPECIFIED: ClassVar[CosemDateTime]
    NEVER: ClassVar[CosemDateTime]

    def __post_init__(self) -> None:
        if len(self.raw) != 12:
            raise GbcsEncodeError(f"a COSEM date-time has 12 bytes, not {len(self.raw)}")

    @classmethod
    def from_datetime(cls, when: datetime) -> CosemDateTime:
        """The GBCS form of an instant: UTC, day of week not specified, deviation not specified."""
        if when.tzinfo is None:
            raise GbcsEncodeError("naive datetime: GBCS times are UTC, give a timezone")
        try:
            utc = when.astimezone(UTC)
        except OverflowError:
            raise GbcsEncodeError(f"{when.isoformat()} is outside the COSEM time range") from None
        return cls(
            utc.year.to_bytes(2, "big")
            + bytes((utc.month, utc.day, 0xFF, utc.hour, utc.minute, utc.second))
            + bytes((utc.microsecond // 10_000,))
            + _UNSPECIFIED_DEVIATION.to_bytes(2, "big")
            + b"\xff"
        )

    @property
    def is_not_specified(self) -> bool:
        return self == CosemDateTime.NOT_SPECIFIED

    @property
    def is_never(self) -> bool:
        return self == CosemDateTime.NEVER

    def to_datetime(self) -> datetime | None:
        """The UTC instant, or None for sentinels, wildcards, impossible dates and local times.

        Deviation "not specified" (0x8000) and 0 are read as UTC, which is how GBCS sends times;
        other deviations are refused rather than guessed, as DLMS editions disagree on the sign.
        """
        raw = self.raw
        year = int.from_bytes(raw[0:2], "big")
        month, day, _, hour, minute, second, hundredths = raw[2:9]
        deviation = int.from_bytes(raw[9:11], "big")
        if year == 0xFFFF or deviation not in (_UNSPECIFIED_DEVIATION, 0):
            return None
        if hundredths == 0xFF:
            hundredths = 0
        elif hundredths > 99:
            return None
        try:
            return datetime(year, month, day, hour, minute, second, hundredths * 10_000, UTC)
        except ValueError:
            return None


CosemDateTime.NOT_SPECIFIED = CosemDateTime(bytes(9) + b"\x80\x00\xff")
CosemDateTime.NEVER = CosemDateTime(b"\xff" * 9 + b"\x80\x00\xff")


# --- data values -----------------------------------------------------------------------------


class Data:
    """Base of every A-XDR data value; ``tag`` is its DLMS Data CHOICE number."""

    __slots__ = ()
    tag: ClassVar[int]


@dataclass(frozen=True, slots=True)
class Null(Data):
    tag: ClassVar[int] = 0x00


@dataclass(frozen=True, slots=True)
class Array(Data):
    items: tuple[Data, ...]
    tag: ClassVar[int] = 0x01


@dataclass(frozen=True, slots=True)
class Structure(Data):
    items: tuple[Data, ...]
    tag: ClassVar[int] = 0x02


@dataclass(frozen=True, slots=True)
class Boolean(Data):
    """``raw`` is the byte sent: 00 is false, anything else true (RTDS uses both 01 and FF)."""

    raw: int
    tag: ClassVar[int] = 0x03

    @property
    def value(self) -> bool:
        return self.raw != 0


@dataclass(frozen=True, slots=True)
class BitString(Data):
    """``bit_length`` bits, first bit in the most significant bit of ``value[0]``."""

    bit_length: int
    value: bytes
    tag: ClassVar[int] = 0x04


@dataclass(frozen=True, slots=True)
class Number(Data):
    """Base of the fixed-size integer types; subclasses fix tag, size and signedness."""

    value: int
    size: ClassVar[int]
    signed: ClassVar[bool]


class DoubleLong(Number):
    __slots__ = ()
    tag, size, signed = 0x05, 4, True


class DoubleLongUnsigned(Number):
    __slots__ = ()
    tag, size, signed = 0x06, 4, False


class Bcd(Number):
    __slots__ = ()
    tag, size, signed = 0x0D, 1, False


class Integer(Number):
    __slots__ = ()
    tag, size, signed = 0x0F, 1, True


class Long(Number):
    __slots__ = ()
    tag, size, signed = 0x10, 2, True


class Unsigned(Number):
    __slots__ = ()
    tag, size, signed = 0x11, 1, False


class LongUnsigned(Number):
    __slots__ = ()
    tag, size, signed = 0x12, 2, False


class Long64(Number):
    __slots__ = ()
    tag, size, signed = 0x14, 8, True


class Long64Unsigned(Number):
    __slots__ = ()
    tag, size, signed = 0x15, 8, False


class Enum(Number):
    __slots__ = ()
    tag, size, signed = 0x16, 1, False


@dataclass(frozen=True, slots=True)
class Octets(Data):
    """Base of the length-prefixed byte-string types."""

    value: bytes


class OctetString(Octets):
    __slots__ = ()
    tag = 0x09


class VisibleString(Octets):
    __slots__ = ()
    tag = 0x0A


class Utf8String(Octets):
    __slots__ = ()
    tag = 0x0C


@dataclass(frozen=True, slots=True)
class Fixed(Data):
    """Base of the fixed-size types kept as raw bytes (floats, so NaN payloads survive; dates)."""

    value: bytes
    size: ClassVar[int]


class Float32(Fixed):
    __slots__ = ()
    tag, size = 0x17, 4


class Float64(Fixed):
    __slots__ = ()
    tag, size = 0x18, 8


class DateTimeValue(Fixed):
    __slots__ = ()
    tag, size = 0x19, 12


class DateValue(Fixed):
    __slots__ = ()
    tag, size = 0x1A, 5


class TimeValue(Fixed):
    __slots__ = ()
    tag, size = 0x1B, 4


@dataclass(frozen=True, slots=True)
class TypeDescription:
    """The element type of a compact array: a simple tag, a structure, or a counted array."""

    tag: int
    members: tuple[TypeDescription, ...] = ()
    count: int = 0


@dataclass(frozen=True, slots=True)
class CompactArray(Data):
    """Elements are ordinary values (Structure, Array, Number...) sent without their tags."""

    element_type: TypeDescription
    elements: tuple[Data, ...]
    tag: ClassVar[int] = 0x13


_NUMBERS: dict[int, type[Number]] = {
    cls.tag: cls
    for cls in (
        DoubleLong,
        DoubleLongUnsigned,
        Bcd,
        Integer,
        Long,
        Unsigned,
        LongUnsigned,
        Long64,
        Long64Unsigned,
        Enum,
    )
}
_OCTETS: dict[int, type[Octets]] = {c.tag: c for c in (OctetString, VisibleString, Utf8String)}
_FIXED: dict[int, type[Fixed]] = {
    c.tag: c for c in (Float32, Float64, DateTimeValue, DateValue, TimeValue)
}
_SIMPLE_TAGS = frozenset(
    (Boolean.tag, BitString.tag, *_NUMBERS, *_OCTETS, *_FIXED)
)  # what a compact array element type may name besides array and structure


# --- APDUs -------------------------------------------------------------------------------------


class AccessKind(IntEnum):
    """The Access-Request-Specification CHOICE (GP dlms.ts)."""

    GET = 1
    SET = 2
    ACTION = 3
    GET_WITH_SELECTION = 4


class DataAccessResult(IntEnum):
    """Well-known result codes; unknown codes are kept as plain ints."""

    SUCCESS = 0
    HARDWARE_FAULT = 1
    TEMPORARY_FAILURE = 2
    READ_WRITE_DENIED = 3
    OBJECT_UNDEFINED = 4
    OTHER_REASON = 0xFA


@dataclass(frozen=True, slots=True)
class Selection:
    """The selective-access part of a GET_WITH_SELECTION request."""

    selector: int
    parameters: Data


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """One request: ``attribute_id`` is the method id for ACTION."""

    kind: AccessKind
    class_id: int
    obis: bytes
    attribute_id: int
    selection: Selection | None = None


@dataclass(frozen=True, slots=True)
class ResponseSpec:
    kind: AccessKind
    result: int

    @property
    def success(self) -> bool:
        return self.result == DataAccessResult.SUCCESS


@dataclass(frozen=True, slots=True)
class AccessRequest:
    invoke_id: int
    date_time: CosemDateTime | None
    specs: tuple[RequestSpec, ...]
    data: tuple[Data, ...]


@dataclass(frozen=True, slots=True)
class AccessResponse:
    """``request_specs`` is the optional echo of the request (GBCS devices send it absent)."""

    invoke_id: int
    date_time: CosemDateTime | None
    request_specs: tuple[RequestSpec, ...] | None
    data: tuple[Data, ...]
    results: tuple[ResponseSpec, ...]


@dataclass(frozen=True, slots=True)
class DataNotification:
    invoke_id: int
    date_time: CosemDateTime | None
    body: Data


Apdu = AccessRequest | AccessResponse | DataNotification


def invoke_id_for(counter: int) -> int:
    """GBCS long-invoke-id-and-priority: 0x20 then the low 3 bytes of the originator counter."""
    return 0x2000_0000 | (counter & 0xFF_FFFF)


# --- decoding ----------------------------------------------------------------------------------


def decode_dlms(content: bytes) -> Apdu:
    """Decode a whole ESME payload; anything malformed or trailing raises GbcsDecodeError."""
    r = Reader(content)
    tag = r.u8("APDU tag")
    if tag not in (ACCESS_REQUEST, ACCESS_RESPONSE, DATA_NOTIFICATION):
        raise GbcsDecodeError(f"not a DLMS APDU: tag 0x{tag:02X}", 0)
    invoke_id = r.uint(4, "long-invoke-id-and-priority")
    date_time = _read_header_date_time(r)
    apdu: Apdu
    if tag == ACCESS_REQUEST:
        specs = _read_list(r, "request specification", _read_request_spec)
        apdu = AccessRequest(invoke_id, date_time, specs, _read_list(r, "data", read_data))
    elif tag == ACCESS_RESPONSE:
        echo = _read_optional_specs(r)
        data = _read_list(r, "data", read_data)
        results = _read_list(r, "response specification", _read_response_spec)
        apdu = AccessResponse(invoke_id, date_time, echo, data, results)
    else:
        apdu = DataNotification(invoke_id, date_time, read_data(r))
    r.expect_end("DLMS APDU")
    return apdu


def read_data(r: Reader, depth: int = 0) -> Data:
    """One tagged A-XDR value at the cursor."""
    if depth > _MAX_DEPTH:
        raise r.fail("DLMS data nested too deeply")
    start = r.pos
    tag = r.u8("data tag")
    if tag in _SIMPLE_TAGS:
        return _read_simple(r, tag)
    if tag == Structure.tag:
        return Structure(_read_items(r, depth))
    if tag == Array.tag:
        return Array(_read_items(r, depth))
    if tag == Null.tag:
        return Null()
    if tag == CompactArray.tag:
        return _read_compact_array(r, depth)
    raise GbcsDecodeError(f"unknown DLMS data tag 0x{tag:02X}", start)


def _read_simple(r: Reader, tag: int) -> Data:
    """A value of a simple type whose tag is known (just read, or named by a type description)."""
    if tag in _NUMBERS:
        cls = _NUMBERS[tag]
        return cls(int.from_bytes(r.take(cls.size, cls.__name__), "big", signed=cls.signed))
    if tag in _OCTETS:
        return _OCTETS[tag](r.take(r.length("string length"), "string"))
    if tag in _FIXED:
        fixed = _FIXED[tag]
        return fixed(r.take(fixed.size, fixed.__name__))
    if tag == Boolean.tag:
        return Boolean(r.u8("boolean"))
    bits = r.length("bit-string length")
    return BitString(bits, r.take((bits + 7) // 8, "bit-string"))


def _read_items(r: Reader, depth: int) -> tuple[Data, ...]:
    count = r.length("element count")
    return tuple(read_data(r, depth + 1) for _ in range(count))


def _read_compact_array(r: Reader, depth: int) -> CompactArray:
    element_type = _read_type_description(r, depth)
    contents = r.sub(r.length("compact-array contents length"), "compact-array contents")
    elements = []
    while not contents.at_end:
        elements.append(_read_typed(contents, element_type))
    return CompactArray(element_type, tuple(elements))


def _read_type_description(r: Reader, depth: int) -> TypeDescription:
    """Empty structures and zero-count arrays are refused, so every element takes a byte or more."""
    if depth > _MAX_DEPTH:
        raise r.fail("type description nested too deeply")
    start = r.pos
    tag = r.u8("type description tag")
    if tag == Array.tag:
        count = r.uint(2, "array type element count")
        if count == 0:
            raise GbcsDecodeError("array type with no elements", start)
        return TypeDescription(tag, (_read_type_description(r, depth + 1),), count)
    if tag == Structure.tag:
        n = r.length("structure type member count")
        if n == 0:
            raise GbcsDecodeError("structure type with no members", start)
        return TypeDescription(tag, tuple(_read_type_description(r, depth + 1) for _ in range(n)))
    if tag not in _SIMPLE_TAGS:
        raise GbcsDecodeError(f"type 0x{tag:02X} not allowed in a compact array", start)
    return TypeDescription(tag)


def _read_typed(r: Reader, td: TypeDescription) -> Data:
    if td.tag == Array.tag:
        return Array(tuple(_read_typed(r, td.members[0]) for _ in range(td.count)))
    if td.tag == Structure.tag:
        return Structure(tuple(_read_typed(r, m) for m in td.members))
    return _read_simple(r, td.tag)


def _read_header_date_time(r: Reader) -> CosemDateTime | None:
    start = r.pos
    n = r.u8("date-time length")
    if n == 0:
        return None
    if n != 12:
        raise GbcsDecodeError(f"date-time of {n} bytes: must be absent (0) or 12", start)
    return CosemDateTime(r.take(12, "date-time"))


def _read_list(r: Reader, what: str, read_one: Callable[[Reader], _T]) -> tuple[_T, ...]:
    count = r.length(f"{what} count")
    return tuple(read_one(r) for _ in range(count))


def _read_kind(r: Reader, allowed: range) -> AccessKind:
    start = r.pos
    kind = r.u8("access kind")
    if kind not in allowed:
        raise GbcsDecodeError(f"unknown access specification CHOICE {kind}", start)
    return AccessKind(kind)


def _read_request_spec(r: Reader) -> RequestSpec:
    kind = _read_kind(r, range(1, 5))
    class_id = r.uint(2, "class id")
    obis = r.take(6, "OBIS code")
    attribute_id = r.u8("attribute/method id")
    selection = None
    if kind == AccessKind.GET_WITH_SELECTION:
        selection = Selection(r.u8("access selector"), read_data(r))
    return RequestSpec(kind, class_id, obis, attribute_id, selection)


def _read_response_spec(r: Reader) -> ResponseSpec:
    return ResponseSpec(_read_kind(r, range(1, 4)), r.u8("result"))


def _read_optional_specs(r: Reader) -> tuple[RequestSpec, ...] | None:
    start = r.pos
    present = r.u8("request specification echo flag")
    if present == 0:
        return None
    if present != 1:
        raise GbcsDecodeError(f"optional flag must be 00 or 01, got {present:02X}", start)
    return _read_list(r, "request specification", _read_request_spec)


# --- encoding ----------------------------------------------------------------------------------


def encode_dlms(apdu: Apdu) -> bytes:
    """The A-XDR bytes of an APDU; the inverse of :func:`decode_dlms`."""
    out = bytearray()
    if isinstance(apdu, AccessRequest):
        _write_header(out, ACCESS_REQUEST, apdu.invoke_id, apdu.date_time)
        _write_list(out, apdu.specs, _write_request_spec)
        _write_list(out, apdu.data, _write_data)
    elif isinstance(apdu, AccessResponse):
        _write_header(out, ACCESS_RESPONSE, apdu.invoke_id, apdu.date_time)
        if apdu.request_specs is None:
            out.append(0)
        else:
            out.append(1)
            _write_list(out, apdu.request_specs, _write_request_spec)
        _write_list(out, apdu.data, _write_data)
        _write_list(out, apdu.results, _write_response_spec)
    else:
        _write_header(out, DATA_NOTIFICATION, apdu.invoke_id, apdu.date_time)
        _write_data(out, apdu.body)
    return bytes(out)


def encode_data(value: Data) -> bytes:
    """One tagged A-XDR value."""
    out = bytearray()
    _write_data(out, value)
    return bytes(out)


def _write_header(
    out: bytearray, tag: int, invoke_id: int, date_time: CosemDateTime | None
) -> None:
    out.append(tag)
    out += _to_bytes(invoke_id, 4, "long-invoke-id-and-priority")
    out += b"\x00" if date_time is None else b"\x0c" + date_time.raw


def _write_list(
    out: bytearray, items: tuple[_T, ...], write_one: Callable[[bytearray, _T], None]
) -> None:
    out += encode_length(len(items))
    for item in items:
        write_one(out, item)


def _write_request_spec(out: bytearray, spec: RequestSpec) -> None:
    if (spec.kind == AccessKind.GET_WITH_SELECTION) != (spec.selection is not None):
        raise GbcsEncodeError("a selection goes with GET_WITH_SELECTION and only with it")
    if len(spec.obis) != 6:
        raise GbcsEncodeError(f"an OBIS code has 6 bytes, not {len(spec.obis)}")
    out.append(spec.kind)
    out += _to_bytes(spec.class_id, 2, "class id")
    out += spec.obis
    out += _to_bytes(spec.attribute_id, 1, "attribute id")
    if spec.selection is not None:
        out += _to_bytes(spec.selection.selector, 1, "access selector")
        _write_data(out, spec.selection.parameters)


def _write_response_spec(out: bytearray, spec: ResponseSpec) -> None:
    if spec.kind == AccessKind.GET_WITH_SELECTION:
        raise GbcsEncodeError("responses are GET, SET or ACTION")
    out.append(spec.kind)
    out += _to_bytes(spec.result, 1, "result")


def _write_data(out: bytearray, value: Data) -> None:
    out.append(value.tag)
    if isinstance(value, Array | Structure):
        out += encode_length(len(value.items))
        for item in value.items:
            _write_data(out, item)
    elif isinstance(value, CompactArray):
        _write_compact_array(out, value)
    elif not isinstance(value, Null):
        _write_simple(out, value)


def _write_simple(out: bytearray, value: Data) -> None:
    if isinstance(value, Number):
        out += _to_bytes(value.value, value.size, type(value).__name__, signed=value.signed)
    elif isinstance(value, Octets):
        out += encode_length(len(value.value)) + value.value
    elif isinstance(value, Fixed):
        if len(value.value) != value.size:
            raise GbcsEncodeError(f"{type(value).__name__} has {value.size} bytes")
        out += value.value
    elif isinstance(value, Boolean):
        out += _to_bytes(value.raw, 1, "boolean")
    elif isinstance(value, BitString):
        if len(value.value) != (value.bit_length + 7) // 8:
            raise GbcsEncodeError(f"{value.bit_length} bits do not fit {len(value.value)} bytes")
        out += encode_length(value.bit_length) + value.value
    else:
        raise GbcsEncodeError(f"not a DLMS data value: {value!r}")


def _write_compact_array(out: bytearray, value: CompactArray) -> None:
    _write_type_description(out, value.element_type)
    contents = bytearray()
    for element in value.elements:
        _write_typed(contents, element, value.element_type)
    out += encode_length(len(contents)) + contents


def _write_type_description(out: bytearray, td: TypeDescription) -> None:
    out.append(td.tag)
    if td.tag == Array.tag:
        if td.count == 0 or len(td.members) != 1:
            raise GbcsEncodeError("an array type has one element type and a count above 0")
        out += _to_bytes(td.count, 2, "array type element count")
        _write_type_description(out, td.members[0])
    elif td.tag == Structure.tag:
        if not td.members:
            raise GbcsEncodeError("a structure type needs members")
        out += encode_length(len(td.members))
        for member in td.members:
            _write_type_description(out, member)
    elif td.tag not in _SIMPLE_TAGS:
        raise GbcsEncodeError(f"type 0x{td.tag:02X} not allowed in a compact array")


def _write_typed(out: bytearray, value: Data, td: TypeDescription) -> None:
    if value.tag != td.tag:
        raise GbcsEncodeError(f"{type(value).__name__} where the type says 0x{td.tag:02X}")
    if isinstance(value, Array | Structure):
        types = td.members * td.count if isinstance(value, Array) else td.members
        if len(value.items) != len(types):
            raise GbcsEncodeError(f"{len(value.items)} elements where the type says {len(types)}")
        for item, item_type in zip(value.items, types, strict=True):
            _write_typed(out, item, item_type)
    else:
        _write_simple(out, value)


def _to_bytes(value: int, size: int, what: str, *, signed: bool = False) -> bytes:
    try:
        return value.to_bytes(size, "big", signed=signed)
    except OverflowError as e:
        raise GbcsEncodeError(f"{what} {value} does not fit {size} bytes") from e


def header_size(date_time: CosemDateTime | None) -> int:
    """Tag, invoke id and date-time: where an APDU's body starts."""
    return 6 if date_time is None else 18


def tail_offset(content: bytes, tail: Iterable[Data], after: int = 0) -> int:
    """Where the first of ``tail`` starts in ``content``, given that ``after`` bytes follow the
    last of them; exact because decoded values re-encode byte for byte."""
    return len(content) - after - sum(len(encode_data(v)) for v in tail)
