"""Whitespace between elements is layout, not content: DUIS signatures do not cover it.

The DCC Boxed signer and validator parse DUIS with Xerces told to ignore element content
whitespace, so the signer writes one line and the validator accepts the same document indented.
solrsim removes the same text before it digests a document, when signing and when verifying,
so either side accepts the other's documents in both layouts.

Only whitespace-only text in element-only content goes. The text of a leaf element (a value,
whitespace included) and every text of mixed content stay as written: removing them could
change what a reader takes from the document without changing its digest.
"""

from __future__ import annotations

from lxml import etree

XML_WHITESPACE = " \t\r\n"  # XML 1.0 production S; other Unicode spaces are content


def is_blank(text: str | None) -> bool:
    """No text, or XML whitespace only."""
    return not text or not text.strip(XML_WHITESPACE)


def remove_element_content_whitespace(root: etree._Element) -> None:
    """Drop, in place, the whitespace-only text of every element under and including ``root``
    whose content is child elements and layout (comments and processing instructions aside)."""
    for element in root.iter(etree.Element):
        if not len(element) or not any(isinstance(child.tag, str) for child in element):
            continue
        if is_blank(element.text) and all(is_blank(child.tail) for child in element):
            element.text = None
            for child in element:
                child.tail = None
