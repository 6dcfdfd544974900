"""A DUIS document written as text, not built as a tree: its bytes and their inclusive C14N.

The DCC and its Users write a few documents per switched meter. Building each as an lxml tree,
element by element, then writing it and canonicalising it for the signature costs more than
the ECDSA that signs it. A document whose parts are all plain (printable ASCII without ``&``,
``<`` or ``>``, elements in the ``sr:`` namespace) is written straight to both forms instead:
what ``to_bytes`` of the built tree gives, and what inclusive C14N of it gives, byte for byte.
The two differ only in the root's start tag (C14N sorts the namespace declarations) and in
empty elements (``<sr:Credit/>`` against ``<sr:Credit></sr:Credit>``; plain text holds no ``>``,
so ``/>`` ends nothing but an empty element's tag). The root's tags are taken from lxml itself,
once per root, so they are its output. A document with anything else in it (a value to escape,
another namespace, a signature) is left to the tree (:class:`NoMarkup`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lxml import etree

from .elements import root, sr

# What both forms write as it is: printable ASCII but & < >
PLAIN_TEXT = re.compile(r"[\x20-\x25\x27-\x3b\x3d\x3f-\x7e]*")


class NoMarkup(Exception):
    """Something the text writer leaves to the tree: the document is built with lxml."""


@dataclass(frozen=True, slots=True)
class Markup:
    """A whole document: ``written`` as :func:`~dcc.duis.elements.to_bytes` writes its tree
    (UTF-8, XML declaration, one line) and ``canonical``, its inclusive C14N 1.0 (what the DCC
    profile digests)."""

    written: bytes
    canonical: bytes


def plain(text: str) -> str:
    """``text`` if both forms write it as it is; else :class:`NoMarkup`."""
    if PLAIN_TEXT.fullmatch(text) is None:
        raise NoMarkup(text)
    return text


def element(parts: list[str], tag: str, inner: list[str]) -> None:
    """A complex-typed element holding the parts ``inner`` (a simple-typed one holding text
    is one part, ``<t>text</t>``; ``""`` writes ``<t></t>``, as lxml does); with none, an
    empty element."""
    parts.append(wrapped(tag, "".join(inner)))


def wrapped(tag: str, inner: str) -> str:
    """The element ``tag`` holding the text ``inner``, as written: empty if ``inner`` is."""
    return f"<{tag}>{inner}</{tag}>" if inner else f"<{tag}/>"


def document(name: str, schema_version: str, content: str) -> Markup:
    """The document ``sr:{name}`` holding ``content`` (its children, as written), in both forms."""
    written_start, canonical_start, end = _root_tags(name, schema_version)
    canonical = _expanded(content) if "/>" in content else content
    return Markup(
        f"{written_start}{content}{end}".encode(), f"{canonical_start}{canonical}{end}".encode()
    )


def _expanded(content: str) -> str:
    """``content`` with each empty element ``<t/>`` written ``<t></t>``, as C14N writes it."""
    pieces = content.split("/>")
    for i, piece in enumerate(pieces[:-1]):
        pieces[i] = f"{piece}></{piece[piece.rindex('<') + 1 :]}>"
    return "".join(pieces)


@functools.lru_cache(maxsize=64)
def _root_tags(name: str, schema_version: str) -> tuple[str, str, str]:
    """What lxml writes before and after the children of the root ``sr:{name}``: the written
    start (declaration included), the canonical start, and the end tag."""
    document = root(name, schema_version)
    etree.SubElement(document, sr("Body"))
    written = etree.tostring(document, xml_declaration=True, encoding="UTF-8").decode()
    canonical = etree.tostring(
        document.getroottree(), method="c14n", exclusive=False, with_comments=False
    ).decode()
    child, end = "<sr:Body/>", f"</sr:{name}>"
    if not (written.endswith(child + end) and canonical.endswith("<sr:Body></sr:Body>" + end)):
        raise AssertionError(f"lxml writes sr:{name} unlike the markup writer expects")
    return written[: written.index(child)], canonical[: canonical.index("<sr:Body>")], end
