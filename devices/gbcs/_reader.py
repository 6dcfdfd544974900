"""A bounds-checked cursor over bytes, so decoders never index past the end.

Every failure is a :class:`GbcsDecodeError` carrying the absolute offset in the
outermost buffer, also for cursors over a slice (``sub``).
"""

from __future__ import annotations

from typing import Literal

from .errors import GbcsDecodeError, GbcsEncodeError


class Reader:
    __slots__ = ("_data", "_end", "pos")

    def __init__(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        self._data = data
        self.pos = start
        self._end = len(data) if end is None else end

    @property
    def remaining(self) -> int:
        return self._end - self.pos

    @property
    def at_end(self) -> bool:
        return self.pos >= self._end

    def fail(self, reason: str, offset: int | None = None) -> GbcsDecodeError:
        """Build the error for the current (or a given) offset, for the caller to raise."""
        return GbcsDecodeError(reason, self.pos if offset is None else offset)

    def _need(self, n: int, what: str) -> None:
        if n > self._end - self.pos:
            raise GbcsDecodeError(
                f"truncated {what}: needs {n} bytes, {self._end - self.pos} left", self.pos
            )

    def peek(self, what: str = "byte") -> int:
        if self.pos >= self._end:
            self._need(1, what)
        return self._data[self.pos]

    def u8(self, what: str = "byte") -> int:
        pos = self.pos
        if pos >= self._end:
            self._need(1, what)
        self.pos = pos + 1
        return self._data[pos]

    def uint(self, size: int, what: str) -> int:
        """A big-endian unsigned integer of ``size`` bytes."""
        return int.from_bytes(self.take(size, what), "big")

    def take(self, n: int, what: str) -> bytes:
        start = self.pos
        end = start + n
        if end > self._end:
            self._need(n, what)
        self.pos = end
        return self._data[start:end]

    def expect(self, expected: bytes, what: str) -> None:
        got = self.take(len(expected), what)
        if got != expected:
            raise GbcsDecodeError(
                f"{what}: expected {expected.hex().upper()}, got {got.hex().upper()}",
                self.pos - len(expected),
            )

    def length(self, what: str) -> int:
        """A BER definite length: one byte below 0x80, else 0x81/0x82/0x83 and that many bytes.

        Only the shortest form is read (GBCS lengths are DER's), so a message has one encoding:
        a longer form would carry the same fields in other bytes, which no signature or MAC
        covers.
        """
        start = self.pos
        first = self.u8(what)
        if first < 0x80:
            return first
        count = first & 0x7F
        if count == 0 or count > 3:
            raise GbcsDecodeError(f"{what}: unsupported length form 0x{first:02X}", start)
        n = self.uint(count, what)
        if n < 0x80 or n >> (8 * count - 8) == 0:  # fits one byte, or has a leading zero octet
            raise GbcsDecodeError(f"{what}: non-minimal length encoding", start)
        return n

    def sub(self, n: int, what: str) -> Reader:
        """A cursor over the next ``n`` bytes; this cursor moves past them."""
        self._need(n, what)
        start = self.pos
        self.pos += n
        return Reader(self._data, start, self.pos)

    def rest(self) -> bytes:
        data = self._data[self.pos : self._end]
        self.pos = self._end
        return data

    def expect_end(self, what: str) -> None:
        if self.pos < self._end:
            raise GbcsDecodeError(f"{self._end - self.pos} trailing bytes after {what}", self.pos)


def encode_length(n: int) -> bytes:
    """The BER definite length that :meth:`Reader.length` reads back."""
    if n < 0:
        raise GbcsEncodeError("negative length")
    if n < 0x80:
        return bytes((n,))
    size = (n.bit_length() + 7) // 8
    if size > 3:
        raise GbcsEncodeError(f"length {n} too large")
    return bytes((0x80 | size,)) + n.to_bytes(size, "big")


def encode_uint(
    value: int,
    size: int,
    what: str,
    order: Literal["big", "little"] = "big",
    *,
    signed: bool = False,
) -> bytes:
    """``value`` in exactly ``size`` bytes, or a GbcsEncodeError naming the field."""
    try:
        return value.to_bytes(size, order, signed=signed)
    except OverflowError:
        raise GbcsEncodeError(f"{what} {value} does not fit {size} bytes") from None
