"""BER lengths: the shortest form is read, any longer one refused where it starts, so a message
has one encoding and what a signature or MAC covers is what was received."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.gbcs._reader import Reader, encode_length
from devices.gbcs.errors import GbcsDecodeError


@pytest.mark.parametrize(
    ("n", "wire"),
    [
        (0, "00"),
        (127, "7F"),
        (128, "8180"),
        (255, "81FF"),
        (256, "820100"),
        (0xFFFF, "82FFFF"),
        (0x10000, "83010000"),
        (0xFFFFFF, "83FFFFFF"),
    ],
)
def test_the_shortest_form_is_read_and_written(n: int, wire: str) -> None:
    data = bytes.fromhex(wire)
    assert encode_length(n) == data
    reader = Reader(data)
    assert reader.length("length") == n
    assert reader.at_end


@pytest.mark.parametrize(
    "wire",
    ["8100", "817F", "82007F", "820080", "8200FF", "83000100", "8300FFFF", "83000000"],
)
def test_a_longer_form_than_needed_is_refused_where_it_starts(wire: str) -> None:
    data = b"\xaa\xbb" + bytes.fromhex(wire)
    reader = Reader(data, 2)
    with pytest.raises(GbcsDecodeError, match="content length: non-minimal length encoding") as e:
        reader.length("content length")
    assert e.value.offset == 2


@given(st.integers(0, 0xFFFFFF), st.integers(1, 3))
def test_each_length_has_one_form(n: int, count: int) -> None:
    """``n`` in ``count`` length octets is read back only when no shorter form holds it."""
    if n >= 1 << (8 * count):
        return
    data = bytes((0x80 | count,)) + n.to_bytes(count, "big")
    if data == encode_length(n):
        assert Reader(data).length("length") == n
    else:
        with pytest.raises(GbcsDecodeError, match="non-minimal length encoding"):
            Reader(data).length("length")


@pytest.mark.parametrize(("wire", "offset"), [("80", 0), ("84000000FF", 0), ("8201", 1)])
def test_other_malformed_lengths_keep_their_errors(wire: str, offset: int) -> None:
    with pytest.raises(GbcsDecodeError) as e:
        Reader(bytes.fromhex(wire)).length("length")
    assert "non-minimal" not in e.value.reason
    assert e.value.offset == offset
