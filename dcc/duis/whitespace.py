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

_XML_WHITESPACE = " \t\r\n"  # XML 1.0 production S; other Unicode spaces are content


def is_blank(text: str | None) -> bool:
    """No text, or XML whitespace only."""
    return not text or not text.strip(_XML_WHITESPACE)


# The whitespace-only text nodes of every element that has child elements and no other text.
# XPath's normalize-space() strips XML whitespace only, as is_blank does; libxml2 does the search.
_LAYOUT = etree.XPath("descendant-or-self::*[* and not(text()[normalize-space()])]/text()")


def text_between_elements(root: etree._Element) -> bool:
    """Whether any text at all sits beside child elements under ``root`` (layout or not): when
    none does, there is no layout to drop. A walk in Python is cheaper than the XPath search
    for the one-line documents signers write."""
    if len(root) and root.text is not None:
        return True
    for node in root.iterdescendants():
        if node.tail is not None or (len(node) and node.text is not None):
            return True
    return False


def remove_element_content_whitespace(root: etree._Element) -> None:
    """Drop, in place, the whitespace-only text of every element under and including ``root``
    whose content is child elements and layout (comments and processing instructions aside)."""
    if not text_between_elements(root):
        return
    for text in _LAYOUT(root):
        owner = text.getparent()  # the node the text is the tail of, or its parent
        if text.is_tail:
            owner.tail = None
        else:
            owner.text = None
