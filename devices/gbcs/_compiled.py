"""A layout's reader and writer compiled to straight-line Python functions, as ``dataclasses``
builds its ``__init__``: the same fields, read with slices and local variables and written by
concatenation instead of through a tree of calls, for a fraction of the cost.

A compiled reader only answers for bytes the layout reads without error; on anything else it
gives up (:class:`Unreadable`) and the caller reads with the layout itself, whose error names
the field and the offset. A compiled writer likewise gives up on any value the layout would not
write (:func:`compile_writer` then lets the layout raise its error). So the layout stays the one
definition of the format, and the tests hold both ways to the same values and bytes over the
reference data and its corruptions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ._layout import (
    Bytes,
    Const,
    DerSequence,
    Enum,
    Field,
    Optional,
    Preceded,
    Prefixed,
    Rest,
    Sized,
    Struct,
    UInt,
)
from ._reader import encode_length
from .errors import GbcsEncodeError


class Unreadable(Exception):
    """The compiled reader met bytes the layout would refuse; read with the layout to see why."""


def compile_reader(layout: Field[Any]) -> Callable[[bytes], Any]:
    """``read(data)``: the value ``layout`` reads from the whole of ``data``, or Unreadable."""
    compiler = _Compiler()
    compiler.field(layout, "value", "end")
    body = "\n".join(f"    {line}" for line in compiler.lines)
    source = (
        "def read(data):\n"
        "    pos = 0\n"
        "    end = len(data)\n"
        f"{body}\n"
        "    if pos != end:\n"
        "        raise Unreadable\n"
        "    return value\n"
    )
    namespace: dict[str, Any] = {"Unreadable": Unreadable, **compiler.constants}
    exec(compile(source, f"<compiled {type(layout).__name__} reader>", "exec"), namespace)
    read: Callable[[bytes], Any] = namespace["read"]
    return read


class _Compiler:
    """Writes the lines of a compiled function: a reader reads each field into a variable,
    moving ``pos`` on within ``end``; a writer sets a variable to each field's bytes."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self._depth = 0
        self._names = 0

    def name(self, prefix: str) -> str:
        self._names += 1
        return f"{prefix}{self._names}"

    def constant(self, value: object) -> str:
        name = self.name("k")
        self.constants[name] = value
        return name

    def line(self, text: str) -> None:
        self.lines.append("    " * self._depth + text)

    def need(self, size: str, end: str) -> None:
        self.line(f"if pos + {size} > {end}:")
        self.line("    raise Unreadable")

    def field(self, field: Field[Any], out: str, end: str) -> None:
        if type(field) in _FIXED_SIZES:
            self.parts(((None, field),), end, {None: out})
            return
        emit = _EMITTERS.get(type(field))
        if emit is None:
            raise TypeError(f"no compiled reader for {type(field).__name__}")
        emit(self, field, out, end)

    def parts(
        self,
        fields: tuple[tuple[str | None, Field[Any]], ...],
        end: str,
        into: dict[str | None, str] | None = None,
    ) -> dict[str | None, str]:
        """Read fields in turn, each named one into a variable (``into`` names some). A stretch
        of fixed-size fields is checked for room once and read at offsets from ``pos``, which
        moves past the whole stretch at its end."""
        read: dict[str | None, str] = {}
        stretch: list[tuple[str | None, Field[Any]]] = []
        names = into or {}

        def flush() -> None:
            total = sum(_FIXED_SIZES[type(part)](part) for _, part in stretch)
            if total:
                self.need(str(total), end)
            at = 0
            for name, part in stretch:
                variable = names.get(name) or self.name("v")
                _fixed(self, part, variable, at)
                read[name] = variable
                at += _FIXED_SIZES[type(part)](part)
            if total:
                self.line(f"pos += {total}")
            stretch.clear()

        for name, part in fields:
            if type(part) in _FIXED_SIZES:
                stretch.append((name, part))
                continue
            flush()
            variable = names.get(name) or self.name("v")
            self.field(part, variable, end)
            read[name] = variable
        flush()
        return read

    def indented(self, emit: Callable[[], None]) -> None:
        self._depth += 1
        emit()
        self._depth -= 1


def _fixed(c: _Compiler, field: Field[Any], out: str, at: int) -> None:
    """A fixed-size field ``at`` bytes past ``pos``, with room for it already checked."""
    here = f"pos + {at}" if at else "pos"
    if isinstance(field, Const):
        size = len(field.expected)
        c.line(f"if data[{here}:{here} + {size}] != {c.constant(field.expected)}:")
        c.line("    raise Unreadable")
        c.line(f"{out} = None")
    elif isinstance(field, Enum):
        c.line(f"{out} = {c.constant(field.members)}.get(data[{here}])")
        c.line(f"if {out} is None:")
        c.line("    raise Unreadable")
    elif isinstance(field, UInt) and field.size == 1:
        c.line(f"{out} = data[{here}]")
    elif isinstance(field, UInt):
        c.line(f"{out} = int.from_bytes(data[{here}:{here} + {field.size}], 'big')")
    elif isinstance(field, Bytes):
        c.line(f"{out} = data[{here}:{here} + {field.size}]")


_FIXED_SIZES: dict[type, Callable[[Any], int]] = {
    Const: lambda field: len(field.expected),
    Enum: lambda field: 1,
    UInt: lambda field: field.size,
    Bytes: lambda field: field.size,
}


def _rest(c: _Compiler, field: Rest, out: str, end: str) -> None:
    c.line(f"{out} = data[pos:{end}]")
    c.line(f"pos = {end}")


def _der_sequence(c: _Compiler, field: DerSequence, out: str, end: str) -> None:
    c.line(f"if pos >= {end} or data[pos] != 0x30:")
    c.line("    raise Unreadable")
    _rest(c, Rest(), out, end)


def _sized(c: _Compiler, field: Sized, out: str, end: str) -> None:
    size = c.name("n")
    c.need("1", end)
    c.line(f"{size} = data[pos]")
    c.line(f"if {size} not in {c.constant(frozenset(field.sizes))}:")
    c.line("    raise Unreadable")
    c.line("pos += 1")
    c.need(size, end)
    c.line(f"{out} = data[pos:pos + {size}] if {size} else {c.constant(field.empty)}")
    c.line(f"pos += {size}")


def _prefixed(c: _Compiler, field: Prefixed[Any], out: str, end: str) -> None:
    size, count, block_end = c.name("n"), c.name("c"), c.name("e")
    c.need("1", end)  # a BER definite length, as Reader.length reads it
    c.line(f"{size} = data[pos]")
    c.line("pos += 1")
    c.line(f"if {size} >= 0x80:")
    c.line(f"    {count} = {size} & 0x7F")
    c.line(f"    if {count} == 0 or {count} > 3 or pos + {count} > {end}:")
    c.line("        raise Unreadable")
    c.line(f"    {size} = int.from_bytes(data[pos:pos + {count}], 'big')")
    c.line(f"    if {size} < 0x80 or data[pos] == 0:")  # not the shortest form
    c.line("        raise Unreadable")
    c.line(f"    pos += {count}")
    if field.whole:
        c.line(f"if {size} != {end} - pos:")
        c.line("    raise Unreadable")
    if field.valid is not None:
        c.line(f"if not {c.constant(field.valid)}({size}):")
        c.line("    raise Unreadable")
    c.need(size, end)
    c.line(f"{block_end} = pos + {size}")
    c.field(field.body, out, block_end)
    c.line(f"if pos != {block_end}:")
    c.line("    raise Unreadable")


def _optional(c: _Compiler, field: Optional[Any], out: str, end: str) -> None:
    absent = f"pos >= {end}"
    if field.last is not None:
        absent += f" or {end} - pos != {field.last}"
    c.line(f"if {absent}:")
    c.line(f"    {out} = None")
    c.line("else:")
    c.indented(lambda: c.field(field.field, out, end))


def _struct(c: _Compiler, field: Struct[Any], out: str, end: str) -> None:
    named = {name: variable for name, variable in c.parts(field.fields, end).items() if name}
    c.line(f"{out} = {c.constant(field.make)}({_arguments(field.make, named)})")


def _preceded(c: _Compiler, field: Preceded[Any], out: str, end: str) -> None:
    c.parts(tuple((None, const) for const in field.prefix), end)
    c.field(field.field, out, end)


def _arguments(make: Callable[..., Any], named: dict[str, str]) -> str:
    """The call's arguments: by position when ``make`` is a dataclass whose first fields these
    are (cheaper than by keyword), else by keyword."""
    if dataclasses.is_dataclass(make):
        order = [f.name for f in dataclasses.fields(make) if f.init][: len(named)]
        if sorted(order) == sorted(named):
            return ", ".join(named[name] for name in order)
    return ", ".join(f"{name}={variable}" for name, variable in named.items())


_EMITTERS: dict[type, Callable[[_Compiler, Any, str, str], None]] = {
    Rest: _rest,
    DerSequence: _der_sequence,
    Sized: _sized,
    Prefixed: _prefixed,
    Optional: _optional,
    Struct: _struct,
    Preceded: _preceded,
}


# --- writing -----------------------------------------------------------------------------------


class _Unwritable(Exception):
    """A value the compiled writer leaves to the layout, whose error says what is wrong."""


# What a compiled writer may meet in a value the layout refuses (a wrong type, a number too big).
_GIVING_UP = (_Unwritable, GbcsEncodeError, TypeError, ValueError, OverflowError, AttributeError)


def compile_writer(layout: Field[Any]) -> Callable[[Any], bytes]:
    """``write(value)``: the bytes ``layout.write(value)`` gives, or its error."""
    compiler = _Compiler()
    compiler.constants.update(encode_length=encode_length, Unwritable=_Unwritable)
    _write(compiler, layout, "value", "out")
    body = "\n".join(f"    {line}" for line in compiler.lines)
    source = f"def write(value):\n{body}\n    return out\n"
    namespace: dict[str, Any] = dict(compiler.constants)
    exec(compile(source, f"<compiled {type(layout).__name__} writer>", "exec"), namespace)
    compiled: Callable[[Any], bytes] = namespace["write"]

    def write(value: Any) -> bytes:
        try:
            return compiled(value)
        except _GIVING_UP:
            return layout.write(value)

    return write


def _write(c: _Compiler, field: Field[Any], value: str, out: str) -> None:
    """Lines that set ``out`` to the bytes of ``value`` (a variable) written as ``field``."""
    if isinstance(field, Const):
        c.line(f"{out} = {c.constant(field.expected)}")
    elif isinstance(field, UInt):
        c.line(f"{out} = {value}.to_bytes({field.size}, 'big')")
    elif isinstance(field, Bytes):
        c.line(f"if len({value}) != {field.size}:")
        c.line("    raise Unwritable")
        c.line(f"{out} = {value}")
    elif isinstance(field, Rest):
        c.line(f"{out} = {value}")
    elif isinstance(field, DerSequence):
        c.line(f"if {value}[:1] != b'\\x30':")
        c.line("    raise Unwritable")
        c.line(f"{out} = {value}")
    elif isinstance(field, Enum):
        c.line(f"if {c.constant(field.members)}.get({value}) is not {value}:")
        c.line("    raise Unwritable")
        c.line(f"{out} = bytes(({value},))")
    elif isinstance(field, Sized):
        _write_sized(c, field, value, out)
    elif isinstance(field, Prefixed):
        block = c.name("b")
        _write(c, field.body, value, block)
        if field.valid is not None:
            c.line(f"if not {c.constant(field.valid)}(len({block})):")
            c.line("    raise Unwritable")
        c.line(f"{out} = encode_length(len({block})) + {block}")
    elif isinstance(field, Optional):
        c.line(f"if {value} is None:")
        c.line(f"    {out} = b''")
        c.line("else:")
        c.indented(lambda: _write(c, field.field, value, out))
    elif isinstance(field, Struct):
        _write_struct(c, field, value, out)
    elif isinstance(field, Preceded):
        inner = c.name("b")
        _write(c, field.field, value, inner)
        prefix = b"".join(const.expected for const in field.prefix)
        c.line(f"{out} = {c.constant(prefix)} + {inner}")
    else:
        raise TypeError(f"no compiled writer for {type(field).__name__}")


def _write_sized(c: _Compiler, field: Sized, value: str, out: str) -> None:
    item = c.name("s")
    c.line(f"{item} = {value}")
    c.line(f"if {item} is None:")
    if field.empty is not None:
        c.line("    raise Unwritable")
    else:
        c.line(f"    {item} = b''")
    c.line(f"if len({item}) not in {c.constant(frozenset(field.sizes))}:")
    c.line("    raise Unwritable")
    c.line(f"{out} = bytes((len({item}),)) + {item}")


def _write_struct(c: _Compiler, field: Struct[Any], value: str, out: str) -> None:
    """The fields in turn; among the optional ones, each needs the ones before it, except one
    marked ``last``, which excludes the ones after it (as :meth:`Struct.write` checks)."""
    missing, exclusive = c.name("m"), c.name("x")
    if any(isinstance(part, Optional) for _, part in field.fields):
        c.line(f"{missing} = {exclusive} = False")
    parts = []
    for name, part in field.fields:
        item, written = c.name("i"), c.name("p")
        c.line(f"{item} = {'None' if name is None else f'{value}.{name}'}")
        if isinstance(part, Optional):
            c.line(f"if {item} is not None:")
            c.line(f"    if {missing} or {exclusive}:")
            c.line("        raise Unwritable")
            if part.last is not None:
                c.line(f"    {exclusive} = True")
            else:
                c.line("else:")
                c.line(f"    {missing} = True")
        _write(c, part, item, written)
        parts.append(written)
    c.line(f"{out} = b''.join(({', '.join(parts)},))")
