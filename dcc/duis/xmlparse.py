"""The one way solrsim reads untrusted XML: no DTDs, no entities, no network, bounded size.

DUIS documents never need a DOCTYPE, so any is refused outright: that stops entity expansion
("billion laughs") and external entities before the parser can act on them.
"""

from __future__ import annotations

from lxml import etree

from .errors import DuisXmlError

MAX_DOCUMENT_BYTES = 1 << 20

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    remove_comments=False,
    remove_pis=False,
    huge_tree=False,
    collect_ids=False,
)


def parse_xml(data: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> etree._ElementTree:
    """Parse ``data`` or raise :class:`DuisXmlError` saying why it was refused."""
    if not isinstance(data, bytes):
        raise DuisXmlError("XML must be given as bytes")
    if len(data) > max_bytes:
        raise DuisXmlError(f"document of {len(data)} bytes exceeds the {max_bytes}-byte limit")
    try:
        tree = etree.ElementTree(etree.fromstring(data, _PARSER))
    except etree.XMLSyntaxError as exc:
        raise DuisXmlError(f"malformed XML: {exc}") from None
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise DuisXmlError("DOCTYPE declarations are not allowed in DUIS documents")
    return tree
