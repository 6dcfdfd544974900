"""The layouts a DUIS document travels in: on one line as DCC Boxed writes it, or indented by a
library or by hand. Written apart from the code under test, with libxml2's own rules."""

from __future__ import annotations

from lxml import etree


def compact(data: bytes) -> bytes:
    """``data`` on one line: libxml2 drops the blank text between elements."""
    root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def lxml_indented(data: bytes) -> bytes:
    """``data`` as ``lxml.etree.indent`` lays it out: two spaces a level."""
    root = etree.fromstring(data)
    etree.indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def hand_indented(data: bytes) -> bytes:
    """``data`` as an editor might leave it: tabs, CRLF line ends, blank lines between siblings
    and a space before each closing tag. ``data`` must be compact."""
    root = etree.fromstring(data)
    _indent(root, 1)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").replace(b"\n", b"\r\n")


def _indent(element: etree._Element, depth: int) -> None:
    children = list(element)
    if not children:
        return
    assert element.text is None and all(child.tail is None for child in children), "not compact"
    element.text = "\n" + "\t" * depth
    for child in children:
        child.tail = "\n\n" + "\t" * depth
        _indent(child, depth + 1)
    children[-1].tail = "\n" + "\t" * (depth - 1) + " "
