"""Declarative DUIS element layouts: one table of children both reads and builds an element.

A :class:`Record` lists its child elements in schema order (``FIELDS``); ``from_element`` and
``append_to`` are both derived from that one table, so the reader and the writer cannot drift
apart (the idea :mod:`devices.gbcs._layout` follows for GBCS headers). Reading goes through
:class:`Children` and :func:`value`, so refusals name the element and line and keep their DUIS
response codes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from lxml import etree

from ._markup import PLAIN_TEXT, Markup, NoMarkup, document, plain, wrapped
from .elements import (
    SCHEMA_VERSION,
    Children,
    add,
    append_signature,
    check_signature,
    label,
    located,
    open_document,
    root,
    sr,
    value,
)
from .errors import DuisUnsupportedError
from .ids import RequestID, ResponseID, format_eui64, parse_eui64
from .values import (
    check_decimal,
    enum_parser,
    format_base64,
    format_bool,
    format_datetime,
    parse_base64,
    parse_bool,
    parse_datetime,
    parse_int,
)

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)
R = TypeVar("R", bound="Record")


class Codec(Protocol[T]):
    """How the value of one child element is read from it and written into it."""

    def read(self, element: etree._Element) -> T: ...

    def write(self, element: etree._Element, item: T) -> None: ...

    def markup(self, parts: list[str], tag: str, item: T) -> None:
        """Write the element ``tag`` holding ``item`` as text (:mod:`dcc.duis._markup`), or
        raise :class:`~dcc.duis._markup.NoMarkup`."""


@dataclass(frozen=True, slots=True)
class Text(Generic[T]):
    """A simple-typed element. ``preserve`` for types derived from xs:string, whose white space
    is significant; the text of any other type is collapsed before it is parsed. ``plain`` when
    ``format`` writes nothing but plain text (:mod:`dcc.duis._markup`) whatever it is given,
    so the text writer need not look."""

    parse: Callable[[str], T]
    format: Callable[[T], str] = str
    preserve: bool = False
    plain: bool = False

    def read(self, element: etree._Element) -> T:
        return value(element, self.parse, preserve=self.preserve)

    def write(self, element: etree._Element, item: T) -> None:
        element.text = self.format(item)

    def markup(self, parts: list[str], tag: str, item: T) -> None:
        text = self.format(item)
        parts.append(f"<{tag}>{text if self.plain else plain(text)}</{tag}>")


@dataclass(frozen=True, slots=True)
class Nested(Generic[R]):
    """A complex-typed element whose content is another record."""

    kind: type[R]

    def read(self, element: etree._Element) -> R:
        return self.kind.from_element(element)

    def write(self, element: etree._Element, item: R) -> None:
        item.fill(element)

    def markup(self, parts: list[str], tag: str, item: R) -> None:
        item.markup_element(parts, tag)


@dataclass(frozen=True, slots=True)
class Content(Generic[T]):
    """A complex-typed element read and filled by a pair of functions (an ``xs:choice`` inside)."""

    reader: Callable[[etree._Element], T]
    writer: Callable[[etree._Element, T], None]

    def read(self, element: etree._Element) -> T:
        return self.reader(element)

    def write(self, element: etree._Element, item: T) -> None:
        self.writer(element, item)

    def markup(self, parts: list[str], tag: str, item: T) -> None:
        raise NoMarkup(tag)


TEXT: Text[str] = Text(str, preserve=True)
BOOLEAN = Text(parse_bool, format_bool, plain=True)  # true or false
DATE_TIME = Text(parse_datetime, format_datetime, plain=True)  # digits, - : T . + Z
BASE64 = Text(parse_base64, format_base64, plain=True)  # A-Z a-z 0-9 + / =
EUI64 = Text(parse_eui64, format_eui64, plain=True)  # hex digits and -
REQUEST_ID = Text(RequestID.parse, plain=True)  # EUI-64s, ':' and decimal digits
RESPONSE_ID = Text(ResponseID.parse, plain=True)


def bounded(low: int, high: int) -> Text[int]:
    """An XSD integer type within the bounds of its facets."""
    return Text(lambda raw: parse_int(raw, low, high))


def enumeration(enum: type[E]) -> Text[E]:
    """An XSD enumeration of strings; it derives from xs:string, so white space counts."""
    return Text(enum_parser(enum), preserve=True)


@dataclass(frozen=True, slots=True)
class Child:
    """One child element: its ``sr:`` name, the attribute holding its value, and its codec.
    A ``repeated`` child stands zero or more times and is held as a tuple."""

    name: str
    attr: str
    codec: Codec[Any]
    optional: bool = False
    repeated: bool = False
    tag: str = dataclasses.field(init=False, repr=False, compare=False)  # sr:{name}

    def __post_init__(self) -> None:
        object.__setattr__(self, "tag", f"sr:{self.name}")

    def read(self, children: Children) -> Any:
        if self.repeated:
            items = []
            while (element := children.optional(self.name)) is not None:
                items.append(self.codec.read(element))
            return tuple(items)
        if self.optional:
            element = children.optional(self.name)
            return None if element is None else self.codec.read(element)
        return self.codec.read(children.required(self.name))

    def write(self, parent: etree._Element, item: Any) -> None:
        items = item if self.repeated else () if item is None and self.optional else (item,)
        for one in items:
            self.codec.write(add(parent, self.name), one)

    def markup(self, parts: list[str], item: Any) -> None:
        if not self.repeated:
            if item is not None or not self.optional:
                self.codec.markup(parts, self.tag, item)
            return
        for one in item:
            self.codec.markup(parts, self.tag, one)


@dataclass(frozen=True, slots=True)
class Choice:
    """An ``xs:choice`` standing directly among the children: any one element, told by its tag.
    ``markup_writer`` writes a member as text (:mod:`dcc.duis._markup`), if it can."""

    attr: str
    reader: Callable[[etree._Element], Any]
    writer: Callable[[etree._Element, Any], None]
    optional: bool = False
    markup_writer: Callable[[list[str], Any], None] | None = None

    def read(self, children: Children) -> Any:
        element = children.optional_any() if self.optional else children.any()
        return None if element is None else self.reader(element)

    def write(self, parent: etree._Element, item: Any) -> None:
        if item is not None:
            self.writer(parent, item)


Field = Child | Choice


def read_fields(element: etree._Element, fields: Iterable[Field]) -> dict[str, Any]:
    """The values of ``element``'s children by attribute name; no other child may follow."""
    children = Children(element)
    values = {field.attr: field.read(children) for field in fields}
    children.finish()
    return values


def write_fields(element: etree._Element, fields: Iterable[Field], source: object) -> None:
    for field in fields:
        field.write(element, getattr(source, field.attr))


class Record:
    """A DUIS element that is a sequence of children, described by ``FIELDS`` in schema order."""

    __slots__ = ()

    ELEMENT: ClassVar[str]
    FIELDS: ClassVar[tuple[Field, ...]]

    @classmethod
    def from_element(cls, element: etree._Element) -> Self:
        return cls(**read_fields(element, cls.FIELDS))

    def fill(self, element: etree._Element) -> None:
        """Writes the children into ``element``, which the caller has created."""
        write_fields(element, self.FIELDS, self)

    def append_to(self, parent: etree._Element) -> None:
        self.fill(add(parent, self.ELEMENT))

    def markup_element(self, parts: list[str], tag: str) -> None:
        """What :meth:`fill` puts in the element ``tag``, written as text with it."""
        parts.append(_nested_markup(self, tag))

    def markup_to(self, parts: list[str]) -> None:
        """What :meth:`append_to` appends, written as text (:mod:`dcc.duis._markup`)."""
        parts.append(_element_markup(self))


_INNER_MARKUP: dict[type[Record], Callable[[Any], str]] = {}
_ELEMENT_MARKUP: dict[type, Callable[[Any], str]] = {}


def _inner_markup(kind: type[Record]) -> Callable[[Any], str]:
    """``write(record)``: the children :meth:`Record.fill` writes, as text; compiled once per
    class from its ``FIELDS`` (:class:`_MarkupCompiler`)."""
    write = _INNER_MARKUP.get(kind)
    if write is None:
        write = _INNER_MARKUP[kind] = _MarkupCompiler(kind).compile()
    return write


def _element_markup(item: Any) -> str:
    """What ``item.append_to`` appends, written as text: by a Record's compiled writer, or by
    the ``markup_to`` of anything else that has one."""
    write = _ELEMENT_MARKUP.get(type(item))
    if write is None:
        write = _ELEMENT_MARKUP[type(item)] = _element_writer(type(item))
    return write(item)


def _element_writer(kind: type) -> Callable[[Any], str]:
    if issubclass(kind, Record):
        if kind.append_to is not Record.append_to:
            raise NoMarkup(kind.ELEMENT)
        return _MarkupCompiler(kind).compile(f"sr:{kind.ELEMENT}")
    markup_to = getattr(kind, "markup_to", None)
    if markup_to is None:
        raise NoMarkup(kind.__name__)

    def write(item: Any) -> str:
        parts: list[str] = []
        markup_to(item, parts)
        return "".join(parts)

    return write


def _nested_markup(item: Record, tag: str) -> str:
    return wrapped(tag, _inner_markup(type(item))(item))


class _MarkupCompiler:
    """Writes a Record class's text writer as one straight-line function, as ``dataclasses``
    writes an ``__init__``: each field's tags are constants, each plain codec's ``format`` is
    called directly and every other text is checked by :func:`~dcc.duis._markup.plain`. It
    writes what the fields' own ``markup`` would, and refuses (:class:`NoMarkup`) the same."""

    def __init__(self, kind: type[Record]) -> None:
        self.kind = kind
        self.lines: list[str] = ["s = ''"]
        self.constants: dict[str, Any] = {
            "NoMarkup": NoMarkup,
            "match": PLAIN_TEXT.fullmatch,
            "nested": _nested_markup,
        }

    def constant(self, value: object) -> str:
        name = f"k{len(self.constants)}"
        self.constants[name] = value
        return name

    def compile(self, tag: str | None = None) -> Callable[[Any], str]:
        """The writer of the children, or with ``tag``, of the element ``tag`` holding them."""
        if self.kind.fill is not Record.fill:
            self.lines = [f"raise NoMarkup({self.kind.__name__!r})"]
        else:
            for field in self.kind.FIELDS:
                if isinstance(field, Choice):
                    self.choice(field)
                else:
                    self.child(field)
        if tag is None:
            self.lines.append("return s")
        else:
            self.lines.append(f"return '<{tag}>' + s + '</{tag}>' if s else '<{tag}/>'")
        body = "\n".join(f"    {line}" for line in self.lines)
        namespace = dict(self.constants)
        exec(
            compile(f"def write(self):\n{body}\n", f"<{self.kind.__name__} markup>", "exec"),
            namespace,
        )
        write: Callable[[Any], str] = namespace["write"]
        return write

    def choice(self, field: Choice) -> None:
        self.lines += [f"v = self.{field.attr}", "if v is not None:"]
        if field.markup_writer is None:
            self.lines.append(f"    raise NoMarkup({field.attr!r})")
        else:
            writer = self.constant(field.markup_writer)
            self.lines += ["    p = []", f"    {writer}(p, v)", "    s += ''.join(p)"]

    def child(self, field: Child) -> None:
        self.lines.append(f"v = self.{field.attr}")
        if field.repeated:
            self.lines.append("for v in v:")
            indent = "    "
        elif field.optional:
            self.lines.append("if v is not None:")
            indent = "    "
        else:
            indent = ""
        self.lines += [indent + line for line in self.item(field.codec, field.tag)]

    def item(self, codec: Codec[Any], tag: str) -> list[str]:
        """Lines adding the element ``tag`` holding ``v``."""
        if isinstance(codec, Text):
            format = self.constant(codec.format)
            if codec.plain:
                return [f"s += '<{tag}>' + {format}(v) + '</{tag}>'"]
            return [
                f"t = {format}(v)",
                "if match(t) is None:",
                "    raise NoMarkup(t)",
                f"s += '<{tag}>' + t + '</{tag}>'",
            ]
        if isinstance(codec, Nested):
            return [f"s += nested(v, {tag!r})"]
        if isinstance(codec, Content):
            return [f"raise NoMarkup({tag!r})"]
        markup = self.constant(codec.markup)
        return ["p = []", f"{markup}(p, {tag!r}, v)", "s += ''.join(p)"]


class Member(Protocol):
    """What may stand in an ``xs:choice``: an element of its own, read by its class."""

    ELEMENT: ClassVar[str]

    @classmethod
    def from_element(cls, element: etree._Element) -> Self: ...

    def append_to(self, parent: etree._Element) -> None: ...


M = TypeVar("M", bound=Member)


class Alternatives(Generic[M]):
    """The members of an ``xs:choice``, told by their tag: those solrsim models, each read by its
    class, and the rest of the XSD's members, valid DUIS it refuses as not simulated."""

    def __init__(
        self, what: str, kinds: Iterable[type[M]], *, others: Iterable[str] = (), named: str = ""
    ) -> None:
        self.what = what  # "not a {what}" refuses an element that is no member
        self._named = named or what  # "{named} sr:X is not one solrsim simulates"
        self._kinds = {sr(kind.ELEMENT): kind for kind in kinds}
        self._others = frozenset(sr(name) for name in others)

    def read(self, element: etree._Element, *, what: str = "") -> M:
        tag = element.tag if isinstance(element.tag, str) else ""
        if (kind := self._kinds.get(tag)) is not None:
            return kind.from_element(element)
        if tag in self._others:
            raise DuisUnsupportedError(
                f"{self._named} {label(element)} is not one solrsim simulates", label(element)
            )
        raise located(element, f"not a {what or self.what}")

    def read_only_child(self, parent: etree._Element, *, what: str = "") -> M:
        """The member that is ``parent``'s one child."""
        children = Children(parent)
        element = children.any()
        children.finish()
        return self.read(element, what=what)


H = TypeVar("H", bound=Record)
B = TypeVar("B", bound=Member)


@dataclass(frozen=True, slots=True)
class Document(Generic[H, B]):
    """A whole DUIS document, ``sr:{ROOT}``: header, body, and its ``ds:Signature`` in exclusive
    C14N, if any. Subclasses say how the header and the body are read."""

    ROOT: ClassVar[str]

    header: H
    body: B
    schema_version: str = SCHEMA_VERSION
    signature: bytes | None = None
    # What markup() wrote, once asked: the document is immutable, so its text cannot change.
    _written: tuple[Markup | None] | None = dataclasses.field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        check_decimal(self.schema_version)
        if self.signature is not None:
            object.__setattr__(self, "signature", check_signature(self.signature))

    @classmethod
    def read_header(cls, element: etree._Element) -> H:
        raise NotImplementedError

    @classmethod
    def read_body(cls, element: etree._Element, header: H) -> B:
        raise NotImplementedError

    @classmethod
    def read(cls, tree: etree._ElementTree, header: H | None = None) -> Self:
        """The document in a tree parsed by :func:`parse_xml`; the tree is left untouched.
        ``header``, if given, is the one already read from this tree."""
        schema_version, children = open_document(tree, cls.ROOT)
        header_element = children.required("Header")
        if header is None:
            header = cls.read_header(header_element)
        body = cls.read_body(children.required("Body"), header)
        signature = children.signature()
        children.finish()
        return cls(header, body, schema_version, signature)

    def build(self) -> etree._Element:
        """The ``sr:{ROOT}`` element; serialise it with :func:`dcc.duis.elements.to_bytes`."""
        element = root(self.ROOT, self.schema_version)
        self.header.append_to(element)
        self.body.append_to(add(element, "Body"))
        append_signature(element, self.signature)
        return element

    def markup(self) -> Markup | None:
        """The document written as text, both as :func:`~dcc.duis.elements.to_bytes` writes
        :meth:`build`'s element and in inclusive C14N; None when some part of it must be
        built as a tree (:mod:`dcc.duis._markup`). Written once: the signer and, in the same
        process, the DCC checking what it signed both ask."""
        written = self._written
        if written is None:
            written = (self._write_markup(),)
            object.__setattr__(self, "_written", written)
        return written[0]

    def _write_markup(self) -> Markup | None:
        if self.signature is not None or type(self).build is not Document.build:
            return None
        try:
            header = _element_markup(self.header)
            body = _element_markup(self.body)
        except NoMarkup:
            return None
        return document(self.ROOT, self.schema_version, header + wrapped("sr:Body", body))
