"""Whitespace between elements goes; values and mixed content stay exactly as written."""

from __future__ import annotations

import pytest
from lxml import etree

from dcc.duis.whitespace import is_blank, remove_element_content_whitespace


def normalised(xml: str) -> str:
    root = etree.fromstring(xml)
    remove_element_content_whitespace(root)
    return etree.tostring(root, encoding="unicode")


def test_layout_between_elements_goes_at_every_depth() -> None:
    xml = "<a>\n  <b>\n\t<c>1</c>\r\n  </b>\n  <d/>\n</a>"
    assert normalised(xml) == "<a><b><c>1</c></b><d/></a>"


def test_comments_and_processing_instructions_stay_their_layout_goes() -> None:
    assert normalised("<a>\n <!-- note -->\n <b/>\n <?pi x?>\n</a>") == (
        "<a><!-- note --><b/><?pi x?></a>"
    )


@pytest.mark.parametrize(
    "xml",
    [
        "<a><b> 4 </b></a>",  # a value keeps its spaces
        "<a><b>\n  </b></a>",  # a whitespace-only value is still a value
        "<a><b>two  words\n</b></a>",
        "<a> <b/> text <c/> </a>",  # mixed content: every text of it stays
        "<a>\u00a0<b/></a>",  # a no-break space is content, not XML whitespace
        "<a> <!-- only a comment --> </a>",  # no child element: not element content
    ],
    ids=["padded", "blank-leaf", "inner", "mixed", "nbsp", "comment-only"],
)
def test_text_that_is_content_stays(xml: str) -> None:
    assert normalised(xml) == xml


def test_is_blank_knows_only_xml_whitespace() -> None:
    assert is_blank(None) and is_blank("") and is_blank(" \t\r\n")
    assert not is_blank("\u00a0") and not is_blank("\u2003") and not is_blank(" x ")
