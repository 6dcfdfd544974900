"""The one way solrsim reads untrusted XML: no DTD, entity or network; few namespaces; bounded size.

DUIS documents never need a DOCTYPE, an ENTITY declaration or XInclude, so the bytes are
scanned for them before lxml sees anything, and any is refused: libxml2 opens a DOCTYPE's
external subset and parameter entities even with ``load_dtd=False``, so the parser itself must
never get the chance. The scan reads the document in its own encoding (BOM, UTF-16/32 byte
pattern or XML declaration, as XML 1.0 Appendix F detects it); a declared encoding other than
UTF-8, US-ASCII or ISO-8859-1 is refused, so the scan and libxml2 never disagree about what the
characters are. As a second line, the parser's resolver answers every external reference with
nothing, so no file or URL is ever opened even if a declaration got past the scan.

A document may also declare at most ``MAX_NAMESPACE_DECLARATIONS`` namespaces in all: for each
element, libxml2's inclusive C14N (the signature digest) looks every in-scope declaration up among
the others, so its time grows with their square, and 60,000 declarations on a root, within the
size limit, took minutes. A total bounds what any one element has in scope.
"""

from __future__ import annotations

import codecs
import re
import threading
from typing import TYPE_CHECKING

from lxml import etree

from .errors import DuisXmlError

if TYPE_CHECKING:
    from lxml.etree._docloader import _InputDocument  # what the resolve_* methods return

MAX_DOCUMENT_BYTES = 1 << 20
# DUIS documents declare sr, ds, xsi and ra, and a template's Signature its namespace again:
# no conformance document (DUIS templates, DCC Boxed's signed responses) has more than 4. 32
# leaves room for any tool's way of writing them; C14N's work per element stays ~1,000 lookups.
MAX_NAMESPACE_DECLARATIONS = 32

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM it starts with
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<" or "<?" in a wide encoding without a BOM.
_UNMARKED = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)
_ACCEPTED_8BIT = frozenset({"utf-8", "ascii", "iso8859-1"})
_DECLARED = re.compile(rb"""\A<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")
# Case-insensitive, but a match needs "<!" as written or "nclude" in some case: no character
# outside ASCII matches n, c, l, u, d or e case-insensitively (only i, k and s have such twins).
_FORBIDDEN = re.compile(
    r"<!\s*(DOCTYPE|ENTITY)|(http://www\.w3\.org/200[13]/XInclude)", re.IGNORECASE
)


class _NothingExternal(etree.Resolver):
    """Every DTD, entity or XInclude target resolves to an empty document, never a file or URL."""

    def resolve(
        self, system_url: str | None, public_id: str | None, context: object
    ) -> _InputDocument:
        return self.resolve_string("", context)


_local = threading.local()


def _parser() -> etree.XMLParser:
    """One parser per thread: lxml serialises the threads that share a parser."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            attribute_defaults=False,
            remove_comments=False,
            remove_pis=False,
            huge_tree=False,
            collect_ids=False,
        )
        parser.resolvers.add(_NothingExternal())
        _local.parser = parser
    return parser


def parse_xml(data: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> etree._ElementTree:
    """Parse ``data`` or raise :class:`DuisXmlError` saying why it was refused."""
    if not isinstance(data, bytes):
        raise DuisXmlError("XML must be given as bytes")
    if len(data) > max_bytes:
        raise DuisXmlError(f"document of {len(data)} bytes exceeds the {max_bytes}-byte limit")
    text = _text_of(data)
    _refuse_declarations(text)
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        raise DuisXmlError(f"malformed XML: {exc}") from None
    # Every declaration's name is "xmlns" written out, so the count of that word bounds theirs:
    # only a document where it is frequent has its declarations counted.
    if text.count("xmlns") > MAX_NAMESPACE_DECLARATIONS:
        _refuse_namespace_flood(tree)
    return tree


def _refuse_declarations(text: str) -> None:
    """Raise :class:`DuisXmlError` if ``text`` holds a DOCTYPE, an ENTITY declaration or an
    XInclude."""
    if "<!" not in text and "nclude" not in text.lower():
        return  # what _FORBIDDEN needs of either alternative is absent: no need to run it
    found = _FORBIDDEN.search(text)
    if found is None:
        return
    if found.group(2):
        raise DuisXmlError("XInclude is not allowed in DUIS documents")
    raise DuisXmlError(f"{found.group(1).upper()} declarations are not allowed in DUIS documents")


def _refuse_namespace_flood(tree: etree._ElementTree) -> None:
    """Raise :class:`DuisXmlError` if the elements of ``tree`` declare more than
    :data:`MAX_NAMESPACE_DECLARATIONS` namespaces; counting stops at the first one too many."""
    events = etree.iterwalk(tree, events=("start-ns",))
    for count, _ in enumerate(events, 1):
        if count > MAX_NAMESPACE_DECLARATIONS:
            raise DuisXmlError(
                f"more than {MAX_NAMESPACE_DECLARATIONS} namespace declarations: "
                "a DUIS document needs a handful"
            )


def _text_of(data: bytes) -> str:
    for mark, codec in _BOMS:
        if data.startswith(mark):
            return data[len(mark) :].decode(codec, "replace")
    for start, codec in _UNMARKED:
        if data.startswith(start):
            return data.decode(codec, "replace")
    declared = _DECLARED.match(data)
    if declared is not None:
        name = declared.group(1).decode("ascii", "replace")
        try:
            codec = codecs.lookup(name).name
        except (LookupError, ValueError):  # ValueError: a NUL in the name
            codec = ""
        if codec not in _ACCEPTED_8BIT:
            raise DuisXmlError(
                f"encoding {name!r} is not accepted: DUIS documents are UTF-8 "
                "(UTF-16, UTF-32, US-ASCII and ISO-8859-1 are also read)"
            )
        return data.decode(codec, "replace")
    return data.decode("utf-8", "replace")
