"""Declarative byte layouts: each field both reads and writes itself (in the spirit of construct).

A layout is a tree of fields built once at import; ``read`` parses from a :class:`Reader` and
``write`` builds the bytes, so the two directions cannot drift apart. Reading fails with
:class:`GbcsDecodeError` at the offset of the faulty byte, writing with :class:`GbcsEncodeError`
naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Generic, Protocol, TypeVar

from ._reader import Reader, encode_length, encode_uint
from .errors import GbcsEncodeError

T = TypeVar("T")
E = TypeVar("E", bound=IntEnum)


class Field(Protocol[T]):
    def read(self, reader: Reader) -> T: ...

    def write(self, value: T) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Const:
    """Bytes that are always the same; ``refusal`` explains a mismatch better than the bytes."""

    expected: bytes
    what: str
    refusal: str | None = None

    def read(self, reader: Reader) -> None:
        at = reader.pos
        got = reader.take(len(self.expected), self.what)
        if got != self.expected:
            raise reader.fail(
                self.refusal
                or f"{self.what}: expected {self.expected.hex().upper()}, got {got.hex().upper()}",
                at,
            )

    def write(self, value: None = None) -> bytes:
        return self.expected


@dataclass(frozen=True, slots=True)
class UInt:
    """A big-endian unsigned integer of a fixed size."""

    size: int
    what: str

    def read(self, reader: Reader) -> int:
        return reader.uint(self.size, self.what)

    def write(self, value: int) -> bytes:
        return encode_uint(value, self.size, self.what)


@dataclass(frozen=True, slots=True)
class Bytes:
    """A fixed number of bytes."""

    size: int
    what: str

    def read(self, reader: Reader) -> bytes:
        return reader.take(self.size, self.what)

    def write(self, value: bytes) -> bytes:
        if len(value) != self.size:
            raise GbcsEncodeError(f"{self.what} must be {self.size} bytes, got {len(value)}")
        return value


class Rest:
    """Every byte up to the end of the enclosing block."""

    def read(self, reader: Reader) -> bytes:
        return reader.rest()

    def write(self, value: bytes) -> bytes:
        return value


@dataclass(frozen=True, slots=True)
class DerSequence:
    """The rest of the block, which must be a DER SEQUENCE (tag 0x30)."""

    what: str

    def read(self, reader: Reader) -> bytes:
        if reader.peek(self.what) != 0x30:
            raise reader.fail(f"{self.what} is not a DER SEQUENCE")
        return reader.rest()

    def write(self, value: bytes) -> bytes:
        if value[:1] != b"\x30":
            raise GbcsEncodeError(f"{self.what} is not a DER SEQUENCE")
        return value


class Enum(Generic[E]):
    """One byte whose value must be a member of an IntEnum."""

    def __init__(self, enum: type[E], what: str) -> None:
        self.members = {member.value: member for member in enum}
        self.what = what

    def read(self, reader: Reader) -> E:
        at = reader.pos
        value = reader.u8(self.what)
        member = self.members.get(value)
        if member is None:
            raise reader.fail(f"{self.what} 0x{value:02X} unknown", at)
        return member

    def write(self, value: E) -> bytes:
        if self.members.get(value) is not value:
            raise GbcsEncodeError(f"{self.what} {value!r} unknown")
        return bytes((value,))


class Sized:
    """A length byte, one of ``sizes``, then that many bytes.

    A zero length reads as ``empty``: ``None`` where absence is what zero means, else ``b""``.
    """

    def __init__(self, what: str, sizes: Collection[int], *, empty: bytes | None = b"") -> None:
        self.what = what
        self.sizes = sizes
        self.empty = empty

    def read(self, reader: Reader) -> bytes | None:
        at = reader.pos
        size = reader.u8(f"{self.what} length")
        if size not in self.sizes:
            raise reader.fail(f"{self.what} length {size}, expected {_choices(self.sizes)}", at)
        return reader.take(size, self.what) if size else self.empty

    def write(self, value: bytes | None) -> bytes:
        if value is None:
            if self.empty is not None:
                raise GbcsEncodeError(f"{self.what}-length byte missing (b'' gives a zero length)")
            value = b""
        if len(value) not in self.sizes:
            raise GbcsEncodeError(f"{self.what} must be {_choices(self.sizes)} bytes")
        return bytes((len(value),)) + value


class Prefixed(Generic[T]):
    """A BER length, then a block of that many bytes that ``body`` reads whole.

    ``valid`` says which lengths the block may have (``expected`` in words), on the wire and
    when building; ``whole`` demands that the block run to the end of the enclosing one.
    """

    def __init__(
        self,
        what: str,
        body: Field[T],
        *,
        valid: Callable[[int], bool] | None = None,
        expected: str = "",
        whole: bool = False,
    ) -> None:
        self.what = what
        self.body = body
        self.valid = valid
        self.expected = expected
        self.whole = whole

    def read(self, reader: Reader) -> T:
        size = reader.length(f"{self.what} length")
        if self.whole and size != reader.remaining:
            raise reader.fail(f"{self.what} length is {size} but {reader.remaining} bytes follow")
        if self.valid is not None and not self.valid(size):
            raise reader.fail(f"{self.what} length {size} is not {self.expected}")
        block = reader.sub(size, self.what)
        value = self.body.read(block)
        block.expect_end(self.what)
        return value

    def write(self, value: T) -> bytes:
        block = self.body.write(value)
        if self.valid is not None and not self.valid(len(block)):
            raise GbcsEncodeError(f"{self.what} length {len(block)} is not {self.expected}")
        return encode_length(len(block)) + block


class Optional(Generic[T]):
    """A field that may be missing at the end of its block: reads as, and writes from, None.

    ``last``: present only when exactly its ``size`` bytes remain, so nothing may follow it.
    """

    def __init__(self, field: Field[T], *, last: int | None = None) -> None:
        self.field = field
        self.last = last

    def read(self, reader: Reader) -> T | None:
        if reader.at_end or (self.last is not None and reader.remaining != self.last):
            return None
        return self.field.read(reader)

    def write(self, value: T | None) -> bytes:
        return b"" if value is None else self.field.write(value)


class Struct(Generic[T]):
    """Named fields in wire order, read into ``make(**fields)`` and written from its attributes.

    Unnamed fields are constants. Among :class:`Optional` fields, each needs the ones before
    it, except one marked ``last``, which instead excludes the ones after it.
    """

    def __init__(self, make: Callable[..., T], *fields: tuple[str | None, Field[Any]]) -> None:
        self.make = make
        self.fields = fields

    def read(self, reader: Reader) -> T:
        values = {}
        for name, field in self.fields:
            value = field.read(reader)
            if name is not None:
                values[name] = value
        return self.make(**values)

    def write(self, value: T) -> bytes:
        parts = []
        missing: str | None = None
        exclusive: str | None = None
        for name, field in self.fields:
            item = None if name is None else getattr(value, name)
            if isinstance(field, Optional) and item is not None:
                if exclusive is not None:
                    raise GbcsEncodeError(f"{exclusive} and {name} cannot both be present")
                if missing is not None:
                    raise GbcsEncodeError(f"{name} needs {missing}")
                if field.last is not None:
                    exclusive = name
            elif isinstance(field, Optional) and field.last is None and missing is None:
                missing = name
            parts.append(field.write(item))
        return b"".join(parts)


class Preceded(Generic[T]):
    """Constant bytes, then a field; reads as, and writes from, that field's value."""

    def __init__(self, prefix: tuple[Const, ...], field: Field[T]) -> None:
        self.prefix = prefix
        self.field = field

    def read(self, reader: Reader) -> T:
        for const in self.prefix:
            const.read(reader)
        return self.field.read(reader)

    def write(self, value: T) -> bytes:
        return b"".join(const.expected for const in self.prefix) + self.field.write(value)


def _choices(sizes: Collection[int]) -> str:
    return " or ".join(str(size) for size in sorted(sizes))
