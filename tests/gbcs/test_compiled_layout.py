"""The compiled frame reader reads what the layout reads, and gives up where the layout refuses;
the compiled writers write what the layout writes, or let it raise its error; both read only the
shortest form of a length, so a decoded message keeps the bytes it was read from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.gbcs import frame
from devices.gbcs._compiled import Unreadable
from devices.gbcs._reader import Reader, encode_length
from devices.gbcs.errors import GbcsDecodeError, GbcsEncodeError
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
    assert signed_block(message) == frame._SIGNED_BLOCK.write(message)
    built = GbcsMessage(message.header, message.content, message.signature, message.mac)
    assert built._wire is None
    assert encode(built) == data
    assert signed_block(built) == signed_block(message)


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


@settings(max_examples=500)
@given(st.sampled_from(_SEEDS), st.data())
def test_mutated_rtds_messages_read_the_same_both_ways(seed: bytes, data: st.DataObject) -> None:
    _same_reading(mutated(data, seed))


@settings(max_examples=300)
@given(st.binary(max_size=120))
def test_random_bytes_read_the_same_both_ways(data: bytes) -> None:
    for candidate in (data, b"\xdf\x09" + data, b"\xdd" + bytes(6) + data):
        _same_reading(candidate)


_HEADER = GroupingHeader(Cra.COMMAND, 7, SUPPLIER, ESME, OtherInformation(0x001A))
_CONTENT = b"\xd9\x20\x00\x03\xea"
_FRAMES = {
    "signed": encode(GbcsMessage(_HEADER, _CONTENT, bytes(64))),  # lengths 02, 05
    "maced": encode(GbcsMessage(_HEADER, _CONTENT, bytes(64), bytes(12))),  # 79, 02, 05
    "maced-300": encode(GbcsMessage(_HEADER, bytes(300), b"", bytes(12))),  # 82 01 62, 02, 82 01 2C
}


def _length_at(data: bytes, which: str) -> int:
    """Where a length of ``data`` starts: the ciphered service's of a DD frame, or the DF
    frame's other-information or content (after DF 09 CRA counter 08 orig 08 recip 00)."""
    df = 0 if data[0] == 0xDF else 7 + frame._length_size(data[7]) + 5
    return {"ciphered service": 7, "other-information": df + 30, "content": df + 33}[which]


def _longer(data: bytes, at: int, octets: int) -> bytes:
    """``data`` with the length at ``at`` in ``octets`` more bytes than it needs; a ciphered
    service's length that holds it grows to match, so only the one length is wrong."""
    size = frame._length_size(data[at])
    n = Reader(data, at).length("length")
    count = size - 1 + octets
    wider = bytes((0x80 | count,)) + n.to_bytes(count, "big")
    data = data[:at] + wider + data[at + size :]
    if data[0] == 0xDD and at > 7:
        outer = frame._length_size(data[7])
        service = Reader(data, 7).length("length") + count + 1 - size
        assert frame._length_size(encode_length(service)[0]) == outer
        data = data[:7] + encode_length(service) + data[7 + outer :]
    return data


@pytest.mark.parametrize(
    ("base", "which", "octets"),
    [
        ("signed", "other-information", 1),  # 81 02
        ("signed", "content", 1),  # 81 05
        ("signed", "content", 2),  # 82 00 05
        ("signed", "content", 3),  # 83 00 00 05
        ("maced", "ciphered service", 1),  # 81 79
        ("maced", "other-information", 1),
        ("maced", "content", 2),
        ("maced-300", "ciphered service", 1),  # 83 00 01 62
        ("maced-300", "content", 1),  # 83 00 01 2C
    ],
)
def test_a_length_in_a_longer_form_than_needed_is_refused_by_both_readers(
    base: str, which: str, octets: int
) -> None:
    """A frame with one length in a longer form than it needs: the compiled reader gives up,
    and the layout's, and so :func:`decode`, says which length and where it starts."""
    at = _length_at(_FRAMES[base], which)
    data = _longer(_FRAMES[base], at, octets)
    with pytest.raises(Unreadable):
        frame._read_compiled(data)
    for read in (frame._read, decode):
        with pytest.raises(GbcsDecodeError) as refused:
            read(data)
        assert refused.value.reason == f"{which} length: non-minimal length encoding"
        assert refused.value.offset == at


@pytest.mark.parametrize(
    ("size", "length"),
    [(0, "00"), (127, "7F"), (128, "8180"), (255, "81FF"), (256, "820100"), (65536, "83010000")],
)
def test_lengths_in_their_shortest_form_are_read_by_both_readers(size: int, length: str) -> None:
    for mac in (None, bytes(12)):
        message = GbcsMessage(_HEADER, bytes(size), bytes(64), mac)
        data = encode(message)
        tail = bytes.fromhex(length) + bytes(size) + b"\x40" + bytes(64) + (mac or b"")
        assert data.endswith(tail)
        assert frame._read_compiled(data) == frame._read(data) == message
        read = decode(data)
        assert read._wire == data
        assert signed_block(read) == frame._SIGNED_BLOCK.write(message)


def test_a_signed_or_maced_message_keeps_the_signed_block_of_what_it_was_made_from() -> None:
    header = GroupingHeader(Cra.COMMAND, 7, SUPPLIER, ESME, OtherInformation(0x001A))
    message = GbcsMessage(header, b"\xd9\x20\x00\x03\xea", b"")
    block = signed_block(message)
    sealed = frame.sealed(message, bytes(64), bytes(12))
    assert signed_block(sealed) is block
    assert decode(encode(sealed)) == sealed
    assert encode(sealed) != encode(message)


def _outcome(write: Callable[[GbcsMessage], bytes], message: GbcsMessage) -> object:
    """The bytes, or the error raised: a typed one, or what an unbuildable value gives."""
    try:
        return write(message)
    except (GbcsEncodeError, TypeError, AttributeError) as error:
        return type(error), str(error)


_EUI = st.binary(min_size=8, max_size=8)
_COUNTER = st.integers(0, 2**64 - 1)


@st.composite
def _other_info(draw: st.DrawFn) -> OtherInformation:
    """Supplementary fields nested as GBCS has them: each needs the one before, and an
    originator counter or a key agreement certificate may follow the remote party counter."""
    depth = draw(st.integers(0, 3))
    party = draw(_EUI) if depth >= 1 else None
    party_counter = draw(_COUNTER) if depth >= 2 else None
    counter = certificate = None
    if depth == 3 and draw(st.booleans()):
        counter = draw(_COUNTER)
    elif depth == 3:
        certificate = b"\x30" + draw(st.binary(min_size=8, max_size=40))  # beyond 26 bytes
    return OtherInformation(
        draw(st.integers(0, 0xFFFF)), party, party_counter, counter, certificate
    )


_WRITABLE = st.builds(
    GbcsMessage,
    st.builds(
        GroupingHeader,
        st.sampled_from(list(Cra)),
        _COUNTER,
        _EUI,
        _EUI,
        _other_info(),
        st.none() | st.binary(min_size=12, max_size=12),
    ),
    st.binary(max_size=300),
    st.binary(min_size=64, max_size=64) | st.just(b""),
    st.binary(min_size=12, max_size=12),
)

# Each field maybe of the wrong size, type or range, or nested as GBCS does not allow.
_UNCHECKED_EUI = st.one_of(_EUI, st.binary(max_size=10))
_UNCHECKED_COUNTER = st.one_of(_COUNTER, st.integers(-1, 2**65))
_ANY = st.builds(
    GbcsMessage,
    st.builds(
        GroupingHeader,
        st.sampled_from(list(Cra)) | st.integers(0, 5),
        _UNCHECKED_COUNTER,
        _UNCHECKED_EUI,
        _UNCHECKED_EUI,
        st.builds(
            OtherInformation,
            st.integers(-1, 0x10000),
            st.none() | _UNCHECKED_EUI,
            st.none() | _UNCHECKED_COUNTER,
            st.none() | _UNCHECKED_COUNTER,
            st.none() | st.binary(max_size=3).map(lambda tail: b"\x30" + tail) | st.binary(),
        ),
        st.none() | st.binary(max_size=13),
    ),
    st.binary(max_size=200) | st.binary(min_size=0x10000, max_size=0x10000),
    st.none() | st.binary(min_size=64, max_size=64) | st.binary(max_size=3),
    st.none() | st.binary(max_size=13),
)


@settings(max_examples=300)
@given(_WRITABLE)
def test_writable_messages_are_written_the_same_both_ways(message: GbcsMessage) -> None:
    assert frame._WRITE_SIGNED_BLOCK(message) == frame._SIGNED_BLOCK.write(message)
    assert frame._WRITE_MACED(message) == frame._MACED_MESSAGE.write(message)


@settings(max_examples=300)
@given(_ANY)
def test_any_built_message_is_written_the_same_both_ways_or_refused_alike(
    message: GbcsMessage,
) -> None:
    assert _outcome(frame._WRITE_SIGNED_BLOCK, message) == _outcome(
        frame._SIGNED_BLOCK.write, message
    )
    assert _outcome(frame._WRITE_MACED, message) == _outcome(frame._MACED_MESSAGE.write, message)
