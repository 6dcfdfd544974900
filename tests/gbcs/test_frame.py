"""Framing: building messages, and the typed errors for every kind of malformed input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.gbcs.errors import GbcsDecodeError, GbcsEncodeError
from devices.gbcs.frame import (
    Cra,
    GbcsMessage,
    GroupingHeader,
    OtherInformation,
    cra_flag,
    decode,
    encode,
)
from tests.conformance import read_hex, rtds_files
from tests.gbcs.rtds_payloads import mutated

SUPPLIER = bytes.fromhex("90B3D51F30010000")
ESME = bytes.fromhex("00DB1234567890A0")


def _message(**changes) -> GbcsMessage:
    header = GroupingHeader(Cra.COMMAND, 0x3EA, SUPPLIER, ESME, OtherInformation(0x001A))
    fields = {"header": header, "content": b"\xd9\x20\x00\x03\xea\x00", "signature": b""}
    fields.update(changes)
    return GbcsMessage(**fields)


def test_built_message_round_trips_in_every_wrapper() -> None:
    for message in (
        _message(signature=None),
        _message(),
        _message(signature=bytes(range(64))),
        _message(mac=bytes(12)),
        _message(signature=bytes(64), mac=bytes(range(12))),
        _message(content=bytes(300), mac=bytes(12)),
    ):
        assert decode(encode(message)) == message


def test_supplementary_fields_round_trip() -> None:
    for info in (
        OtherInformation(0x0100, ESME),
        OtherInformation(0x0100, ESME, 7),
        OtherInformation(0x0100, ESME, 7, 9),
        OtherInformation(0x0100, ESME, 7, None, b"\x30\x82" + bytes(300)),
    ):
        header = GroupingHeader(Cra.COMMAND, 1, SUPPLIER, ESME, info, bytes(12))
        message = _message(header=header)
        assert decode(encode(message)) == message


def test_fields_are_read_from_the_wire() -> None:
    message = decode(encode(_message(signature=bytes(64), mac=bytes(12))))
    assert message.header.cra is Cra.COMMAND
    assert message.header.counter == 0x3EA
    assert message.header.originator == SUPPLIER
    assert message.message_code == 0x001A
    assert message.is_signed


@pytest.mark.parametrize(
    ("data", "reason", "offset"),
    [
        (b"", "truncated frame tag", 0),
        (b"\x42", "unknown frame tag 0x42", 0),
        (bytes.fromhex("DD01000000000010"), "GBT (segmented) frames are not supported", 1),
        (bytes.fromhex("DF09"), "truncated CRA flag", 2),
        (bytes.fromhex("DF0907") + bytes(8), "CRA flag 0x07 unknown", 2),
        (bytes.fromhex("DF0801") + bytes(8), "expected DF09", 0),
        (bytes.fromhex("DF0901") + bytes(5), "truncated originator counter", 3),
        (bytes.fromhex("DF0901") + bytes(8) + b"\x07", "originator system title length", 11),
    ],
)
def test_malformed_headers_say_where_and_why(data: bytes, reason: str, offset: int) -> None:
    with pytest.raises(GbcsDecodeError, match=reason.replace("(", r"\(").replace(")", r"\)")) as e:
        decode(data)
    assert e.value.offset == offset


def test_trailing_bytes_are_refused() -> None:
    data = encode(_message(signature=bytes(64)))
    with pytest.raises(GbcsDecodeError, match="trailing bytes") as e:
        decode(data + b"\x00")
    assert e.value.offset == len(data)


def test_mac_length_field_must_match_what_follows() -> None:
    data = encode(_message(mac=bytes(12)))
    with pytest.raises(GbcsDecodeError, match="ciphered service length"):
        decode(data[:-1])
    with pytest.raises(GbcsDecodeError, match="ciphered service length"):
        decode(data + b"\x00")


def test_mac_needs_a_signature_length_byte() -> None:
    with pytest.raises(GbcsEncodeError, match="signature-length"):
        encode(_message(signature=None, mac=bytes(12)))


def test_bad_lengths_are_refused() -> None:
    data = bytearray(encode(_message(signature=bytes(64))))
    data[-65] = 0x20
    with pytest.raises(GbcsDecodeError, match="signature length 32"):
        decode(bytes(data))
    with pytest.raises(GbcsDecodeError, match="other-information length 3"):
        decode(encode(_message()).replace(b"\x02\x00\x1a", b"\x03\x00\x1a\x00", 1))


@pytest.mark.parametrize(
    "message",
    [
        _message(header=GroupingHeader(Cra.COMMAND, 1, b"\x01", ESME, OtherInformation(1))),
        _message(header=GroupingHeader(Cra.COMMAND, -1, SUPPLIER, ESME, OtherInformation(1))),
        _message(header=GroupingHeader(Cra.COMMAND, 1, SUPPLIER, ESME, OtherInformation(1 << 16))),
        _message(signature=bytes(10)),
        _message(mac=bytes(4)),
        _message(
            header=GroupingHeader(Cra.COMMAND, 1, SUPPLIER, ESME, OtherInformation(1, None, 5))
        ),
        _message(
            header=GroupingHeader(
                Cra.COMMAND, 1, SUPPLIER, ESME, OtherInformation(1, ESME, 5, 6, b"\x30\x00")
            )
        ),
        _message(
            header=GroupingHeader(
                Cra.COMMAND, 1, SUPPLIER, ESME, OtherInformation(1, ESME, 5, None, b"\x04" * 9)
            )
        ),
        _message(
            header=GroupingHeader(
                Cra.COMMAND, 1, SUPPLIER, ESME, OtherInformation(1, ESME, 5, None, b"\x30")
            )
        ),
    ],
)
def test_unencodable_values_raise_typed_errors(message: GbcsMessage) -> None:
    with pytest.raises(GbcsEncodeError):
        encode(message)


def test_the_cra_flag_is_read_where_decode_reads_it_and_nowhere_else() -> None:
    for cra in Cra:
        header = GroupingHeader(cra, 7, SUPPLIER, ESME, OtherInformation(0x001A))
        for message in (
            _message(header=header, signature=None),
            _message(header=header, signature=bytes(64), mac=bytes(12)),
            _message(header=header, content=bytes(300), mac=bytes(12)),  # a two-byte length
        ):
            assert cra_flag(encode(message)) == cra
    whole = encode(_message(mac=bytes(12)))
    for short in (b"", b"\xdf\x09", whole[:8], whole[:14]):
        assert cra_flag(short) is None
    assert cra_flag(b"\x00" + whole[1:]) is None  # neither tag


_SEEDS = [read_hex(p) for p in rtds_files()[::25]] or [encode(_message(mac=bytes(12)))]


@settings(max_examples=500)
@given(st.binary(max_size=300))
def test_random_bytes_decode_or_raise_the_typed_error(data: bytes) -> None:
    for candidate in (data, b"\xdf\x09" + data, b"\xdd" + bytes(6) + data):
        try:
            message = decode(candidate)
        except GbcsDecodeError as error:
            assert 0 <= error.offset <= len(candidate)
        else:
            assert encode(message) == candidate
            assert cra_flag(candidate) == message.header.cra


@settings(max_examples=500)
@given(st.sampled_from(_SEEDS), st.data())
def test_mutated_rtds_messages_decode_or_raise_the_typed_error(seed: bytes, data) -> None:
    candidate = mutated(data, seed)
    try:
        message = decode(candidate)
    except GbcsDecodeError as error:
        assert 0 <= error.offset <= len(candidate)
    else:
        assert encode(message) == candidate
        assert cra_flag(candidate) == message.header.cra


def test_a_frame_read_again_is_the_same_value_and_a_changed_one_is_read_anew() -> None:
    """Decoded frames are kept by their bytes: reading a kept frame gives an equal message,
    a buffer changed since is read as it is now, and a malformed one is refused every time."""
    frame = bytearray(encode(_message(mac=bytes(12))))
    first = decode(frame)
    assert decode(bytes(frame)) == first
    frame[-1] ^= 0xFF  # the MAC's last byte
    assert decode(frame).mac != first.mac
    frame[0] = 0x00
    for _ in range(2):
        with pytest.raises(GbcsDecodeError, match="frame tag"):
            decode(frame)
