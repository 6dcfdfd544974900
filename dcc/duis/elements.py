"""Reading and writing ``sr:`` elements in schema order, with errors that say where.

The readers check what the model relies on - element names, namespaces, order and counts, no
stray text or attributes - and leave the rest (enumerations, string lengths the model does not
need) to :mod:`dcc.duis.schema`. Comments and processing instructions are skipped, as XSD
validation skips them: the RTDS templates carry comments inside their headers and signatures.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from lxml import etree

from .codes import SCHEMA_INVALID, ResponseCode
from .errors import DuisSchemaError, DuisXmlError, invalid
from .ids import parse_eui64
from .values import collapse, parse_datetime, parse_int
from .xmlparse import parse_xml

SR = "http://www.dccinterface.co.uk/ServiceUserGateway"
DS = "http://www.w3.org/2000/09/xmldsig#"
# The MMC schema's namespace: a SMETS1 device's content inside sr:SMETS1SignedResponse.
RA = "http://www.dccinterface.co.uk/ResponseAndAlert"
NSMAP = {"sr": SR, "ds": DS}
SCHEMA_VERSION = "5.4"  # what solrsim writes; documents keep the version they came with
SIGNATURE = f"{{{DS}}}Signature"

T = TypeVar("T")
_XML_SPACE = " \t\r\n"


def sr(name: str) -> str:
    return f"{{{SR}}}{name}"


def ra(name: str) -> str:
    return f"{{{RA}}}{name}"


def label(element: etree._Element) -> str:
    """``sr:Header`` for DUIS, MMC and XML-DSig names, ``{uri}name`` for anything else."""
    qname = etree.QName(element)
    prefix = {SR: "sr:", RA: "ra:", DS: "ds:"}.get(qname.namespace or "")
    return f"{prefix}{qname.localname}" if prefix else qname.text


def located(
    element: etree._Element, reason: str, code: ResponseCode = SCHEMA_INVALID
) -> DuisSchemaError:
    line = f" at line {element.sourceline}" if element.sourceline else ""
    return DuisSchemaError(f"{label(element)}{line}: {reason}", code)


def _check_attributes(element: etree._Element, allowed: frozenset[str]) -> None:
    if not len(element.attrib):
        return
    for name in element.attrib:
        if name not in allowed:
            raise located(element, f"attribute {name!r} is not allowed")


class Children:
    """The element children of one element, taken one by one in the order the schema fixes.

    Names are looked up in ``namespace``: DUIS (``sr:``) unless the children are MMC (``ra:``).
    """

    def __init__(
        self, parent: etree._Element, attributes: frozenset[str] = frozenset(), namespace: str = SR
    ) -> None:
        _check_attributes(parent, attributes)
        text = parent.text
        if text and text.strip(_XML_SPACE):
            raise located(parent, "text is not allowed between elements")
        elements = []
        for child in parent:
            tail = child.tail
            if tail and tail.strip(_XML_SPACE):
                raise located(parent, "text is not allowed between elements")
            if isinstance(child.tag, str):
                elements.append(child)
        self._parent = parent
        self._namespace = namespace
        self._clark = f"{{{namespace}}}"
        self._elements = elements
        self._next = 0

    def _peek(self) -> etree._Element | None:
        return self._elements[self._next] if self._next < len(self._elements) else None

    def optional(self, name: str) -> etree._Element | None:
        element = self._peek()
        if element is None or element.tag != self._clark + name:
            return None
        self._next += 1
        return element

    def required(self, name: str) -> etree._Element:
        element = self.optional(name)
        if element is None:
            found = self._peek()
            instead = f", found {label(found)}" if found is not None else ""
            prefix = "ra" if self._namespace == RA else "sr"
            raise located(self._parent, f"{prefix}:{name} is missing{instead}")
        return element

    def any(self) -> etree._Element:
        """The next element whatever its name: the member of an ``xs:choice``."""
        element = self._peek()
        if element is None:
            raise located(self._parent, "an element is missing")
        self._next += 1
        return element

    def optional_any(self) -> etree._Element | None:
        """The next element whatever its name, if any: the member of an optional ``xs:choice``."""
        element = self._peek()
        if element is not None:
            self._next += 1
        return element

    def signature(self) -> bytes | None:
        """An enveloped ``ds:Signature``, kept as exclusive C14N bytes for dcc/duis/xmldsig.py."""
        element = self._peek()
        if element is None or element.tag != SIGNATURE:
            return None
        self._next += 1
        return canonical_signature(element)

    def finish(self) -> None:
        element = self._peek()
        if element is not None:
            raise located(element, f"unexpected element in {label(self._parent)}")


def text(element: etree._Element) -> str:
    """The text of a simple-typed element, exactly as written (xs:string keeps white space)."""
    _check_attributes(element, frozenset())
    if not len(element):  # no child node at all: the text is the element's own
        return element.text or ""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            raise located(child, f"no element is allowed inside {label(element)}")
        parts.append(child.tail or "")
    return "".join(parts)


def value(element: etree._Element, parse: Callable[[str], T], *, preserve: bool = False) -> T:
    """``parse`` applied to the element's text, its error told with the element and line.

    The text is collapsed first unless the type derives from xs:string (``preserve``), whose
    white space is significant: `` I0`` is not a ResponseCode.
    """
    raw = text(element)
    try:
        return parse(raw if preserve else collapse(raw))
    except DuisSchemaError as exc:
        raise located(element, exc.reason, exc.response_code) from None


def integer(element: etree._Element, low: int, high: int) -> int:
    return value(element, lambda raw: parse_int(raw, low, high))


def date_time(element: etree._Element) -> datetime:
    return value(element, parse_datetime)


def eui64(element: etree._Element) -> bytes:
    return value(element, parse_eui64)


def add(
    parent: etree._Element, name: str, content: str | None = None, namespace: str = SR
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    element.text = content
    return element


def open_document(tree: etree._ElementTree, name: str) -> tuple[str, Children]:
    """The ``schemaVersion`` and the children of a root ``sr:{name}``, or a schema error."""
    element = tree.getroot()
    if element.tag != sr(name):
        raise invalid(f"the root element is {label(element)}, not sr:{name}")
    schema_version = element.get("schemaVersion")
    if schema_version is None:
        raise located(element, "the schemaVersion attribute is missing")
    return collapse(schema_version), Children(element, frozenset({"schemaVersion"}))


def root(name: str, schema_version: str) -> etree._Element:
    """A new document's root ``sr:{name}``, declaring ``sr`` and ``ds``: a copy of one made
    once, which costs a tenth of declaring the namespaces again."""
    return copy.copy(_root(name, schema_version))


@functools.lru_cache(maxsize=64)
def _root(name: str, schema_version: str) -> etree._Element:
    return etree.Element(sr(name), {"schemaVersion": schema_version}, nsmap=NSMAP)


def append_signature(parent: etree._Element, signature: bytes | None) -> None:
    if signature is not None:
        parent.append(parse_xml(signature).getroot())


class _CanonicalSignature(bytes):
    """The exclusive C14N of a parsed ``ds:Signature`` element, as the canonicaliser wrote it:
    :func:`check_signature` would give the same bytes back, so it need not parse them again."""


def canonical_signature(element: etree._Element) -> bytes:
    """The exclusive C14N (without comments) of a ``ds:Signature`` element: what a document
    read from a tree holds as its signature."""
    try:
        c14n = etree.tostring(element, method="c14n", exclusive=True, with_comments=False)
    except etree.C14NError:  # libxml2 refuses relative namespace URIs
        raise DuisXmlError("the ds:Signature cannot be canonicalised") from None
    return _CanonicalSignature(c14n)


def check_signature(signature: bytes) -> bytes:
    """The bytes of one ``ds:Signature`` element in exclusive C14N form, or a schema error."""
    if type(signature) is _CanonicalSignature:
        return signature
    element = parse_xml(signature).getroot()
    if element.tag != SIGNATURE:
        raise invalid(f"a signature must be a ds:Signature element, not {label(element)}")
    return canonical_signature(element)


def to_bytes(element: etree._Element) -> bytes:
    """A whole document: UTF-8 with an XML declaration, no indentation (as DCC Boxed sends)."""
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8")
