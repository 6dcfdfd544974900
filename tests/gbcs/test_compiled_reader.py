"""The compiled frame reader reads what the layout reads, and gives up where the layout refuses;
a decoded message keeps its bytes and signed block only where they are the canonical ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.gbcs import frame
from devices.gbcs._compiled import Unreadable
from devices.gbcs.errors import GbcsDecodeError
from devices.gbcs.frame import (
    Cra,
    GbcsMessage,
    GroupingHeader,
    OtherInformation,
    decode,
    encode,
    signed_block,
)
from tests.conformance import read_hex, rtds_files, rtds_params
from tests.gbcs.rtds_payloads import mutated

SUPPLIER = bytes.fromhex("90B3D51F30010000")
ESME = bytes.fromhex("00DB1234567890A0")


def _same_reading(data: bytes) -> None:
    """Both readers give the same message, or the compiled one gives up where the layout's
    refuses (with its typed error)."""
    try:
        expected = frame._read(data)
    except GbcsDecodeError:
        with pytest.raises(Unreadable):
            frame._read_compiled(data)
        return
    assert frame._read_compiled(data) == expected


@pytest.mark.parametrize("path", rtds_params())
def test_every_rtds_message_reads_the_same_both_ways(path: Path) -> None:
    data = read_hex(path)
    _same_reading(data)
    message = decode(data)
    assert message._wire == data
    assert signed_block(message) == frame._GROUPING_HEADER.write(
        message.header
    ) + frame._CONTENT.write(message.content)


def test_every_cut_and_flipped_byte_of_a_command_and_a_response_reads_the_same_both_ways() -> None:
    files = [path for path in rtds_files() if path.parent.name in ("1.6_ECS02", "1.6_GCS02")]
    if not files:
        pytest.skip("conformance corpus not found")
    for path in files:
        data = read_hex(path)
        for index in range(len(data)):
            _same_reading(data[:index])
            for value in (0x00, 0x7F, 0x80, 0x81, 0xFF, data[index] ^ 0x01):
                _same_reading(data[:index] + bytes((value,)) + data[index + 1 :])


_SEEDS = [read_hex(path) for path in rtds_files()[::40]] or [bytes.fromhex("DF09")]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(_SEEDS), st.data())
def test_mutated_rtds_messages_read_the_same_both_ways(seed: bytes, data: st.DataObject) -> None:
    _same_reading(mutated(data, seed))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=120))
def test_random_bytes_read_the_same_both_ways(data: bytes) -> None:
    for candidate in (data, b"\xdf\x09" + data, b"\xdd" + bytes(6) + data):
        _same_reading(candidate)


def test_a_long_length_form_is_read_but_not_kept_as_the_message_bytes() -> None:
    """``81 05`` for a five-byte content is a length the reader takes; the message's bytes and
    signed block are then its canonical encoding (``05``), as they always were, not the input."""
    header = GroupingHeader(Cra.COMMAND, 7, SUPPLIER, ESME, OtherInformation(0x001A))
    message = GbcsMessage(header, b"\xd9\x20\x00\x03\xea", b"")
    canonical = encode(message)
    content_length_at = len(canonical) - 1 - 5 - 1
    assert canonical[content_length_at] == 5
    long_form = canonical[:content_length_at] + b"\x81" + canonical[content_length_at:]
    read = decode(long_form)
    assert read == message
    assert encode(read) == canonical
    assert signed_block(read) == canonical[:-1]


def test_a_signed_or_maced_message_keeps_the_signed_block_of_what_it_was_made_from() -> None:
    header = GroupingHeader(Cra.COMMAND, 7, SUPPLIER, ESME, OtherInformation(0x001A))
    message = GbcsMessage(header, b"\xd9\x20\x00\x03\xea", b"")
    block = signed_block(message)
    sealed = frame.sealed(message, bytes(64), bytes(12))
    assert signed_block(sealed) is block
    assert decode(encode(sealed)) == sealed
    assert encode(sealed) != encode(message)
