"""The serial framing: the docs/serial.md examples, and stream properties under any chunking."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.serial_framing import (
    MAX_PAYLOAD,
    MAX_REASON_BYTES,
    START,
    Decoder,
    DecoderEvent,
    ErrorCode,
    Frame,
    FrameType,
    FramingError,
    Garbage,
    Rejected,
    crc16,
)

# The worked examples of docs/serial.md: a test fails if the page and the code drift apart.
DOC = Path(__file__).parents[2] / "docs" / "serial.md"
DOC_GBCS = Frame.gbcs(bytes.fromhex("DF09017E7D"))
DOC_GBCS_WIRE = "7E 01 00 05 DF 09 01 7D 5E 7D 5D 27 DC"
DOC_EVENT_WIRE = "7E 02 00 02 8F 3F F7 F5"
DOC_ERROR_WIRE = "7E 03 00 04 01 43 52 43 82 79"


def frames_of(events: list[DecoderEvent]) -> list[Frame]:
    return [event for event in events if isinstance(event, Frame)]


def feed_chunks(data: bytes, cuts: list[int]) -> tuple[Decoder, list[DecoderEvent]]:
    decoder, events, last = Decoder(), [], 0
    for cut in [*sorted(cuts), len(data)]:
        events += decoder.feed(data[last:cut])
        last = cut
    return decoder, events


frames = st.builds(
    Frame,
    st.sampled_from(FrameType),
    st.binary(max_size=300) | st.binary(min_size=1, max_size=40).map(lambda b: b * 20),
)
noise = st.binary(max_size=60).map(lambda b: b.replace(bytes((START,)), b""))
# Bytes that reach every decoder state: start and escape bytes, headers, whole and cut frames.
soup = st.lists(
    st.binary(max_size=8)
    | st.sampled_from([b"\x7e", b"\x7d", b"\x5e", b"\x5d", b"\x7e\x01\x00\x02", b"\x7e\x01\xff"])
    | frames.map(Frame.encode)
    | frames.map(lambda frame: frame.encode()[:-1]),
    max_size=20,
).map(b"".join)


@st.composite
def chunked(draw: st.DrawFn, data: bytes) -> list[int]:
    return draw(st.lists(st.integers(0, len(data)), max_size=12))


def reference_crc(data: bytes) -> int:
    """CRC-16/IBM-3740 bit by bit, as docs/serial.md gives it to a lab."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    return crc


def test_crc_is_crc16_ibm_3740_with_its_check_value() -> None:
    assert crc16(b"123456789") == reference_crc(b"123456789") == 0x29B1


@given(st.binary(max_size=100))
def test_crc_matches_the_documented_reference(data: bytes) -> None:
    assert crc16(data) == reference_crc(data)


@pytest.mark.parametrize(
    ("frame", "wire"),
    [
        (DOC_GBCS, DOC_GBCS_WIRE),
        (Frame.event(0x8F3F), DOC_EVENT_WIRE),
        (Frame.error(ErrorCode.BAD_CRC, "CRC"), DOC_ERROR_WIRE),
    ],
)
def test_documented_examples(frame: Frame, wire: str) -> None:
    assert wire in DOC.read_text()
    assert frame.encode() == bytes.fromhex(wire)
    assert Decoder().feed(bytes.fromhex(wire)) == [frame]


def test_payload_fields_round_trip() -> None:
    assert Frame.event(0x8F35).alert_code == 0x8F35
    assert Frame.error(ErrorCode.OVERSIZE, "too big").error_reason == (
        ErrorCode.OVERSIZE,
        "too big",
    )
    assert Frame(FrameType.ERROR, b"\x99why").error_reason == (0x99, "why")


@pytest.mark.parametrize("frame", [Frame(FrameType.EVENT, b"\x01"), Frame.gbcs(b"\x8f\x35")])
def test_an_alert_code_needs_a_two_byte_event(frame: Frame) -> None:
    with pytest.raises(FramingError, match="not an event trigger"):
        _ = frame.alert_code


@pytest.mark.parametrize("frame", [Frame(FrameType.ERROR, b""), Frame.event(1)])
def test_an_error_reason_needs_an_error_frame_with_a_code(frame: Frame) -> None:
    with pytest.raises(FramingError, match="not an error report"):
        _ = frame.error_reason


def test_building_refuses_what_cannot_be_framed() -> None:
    with pytest.raises(FramingError, match="exceeds 4096"):
        Frame.gbcs(bytes(MAX_PAYLOAD + 1)).encode()
    with pytest.raises(FramingError, match="2 bytes"):
        Frame.event(0x10000)
    biggest = Frame.gbcs(b"\x7e" * MAX_PAYLOAD)
    assert len(biggest.encode()) == 1 + 3 + 2 * MAX_PAYLOAD + 2
    assert Decoder().feed(biggest.encode()) == [biggest]


def test_long_error_reasons_are_cut_on_a_character_boundary() -> None:
    code, reason = Frame.error(ErrorCode.METER_FAILURE, "é" * 500).error_reason
    assert code is ErrorCode.METER_FAILURE
    assert reason == "é" * (MAX_REASON_BYTES // 2)


def test_bad_crc_is_rejected_and_the_next_frame_kept() -> None:
    wire = bytearray.fromhex(DOC_EVENT_WIRE)
    wire[-1] ^= 0xFF
    events = Decoder().feed(bytes(wire) + DOC_GBCS.encode())
    assert events == [
        Rejected(ErrorCode.BAD_CRC, "CRC 0xF70A sent, 0xF7F5 computed", len(wire)),
        DOC_GBCS,
    ]


def test_oversize_is_rejected_at_the_header_without_waiting_for_the_payload() -> None:
    decoder = Decoder()
    events = decoder.feed(bytes.fromhex("7E 01 10 01") + b"\x00" * 5)
    assert events == [Rejected(ErrorCode.OVERSIZE, "length 4097 exceeds 4096", 4), Garbage(5)]
    assert decoder.discarded == 9


def test_unknown_type_with_a_good_crc_is_rejected_as_such() -> None:
    body = b"\x09\x00\x00"
    wire = bytes((START,)) + body + crc16(body).to_bytes(2, "big")
    assert Decoder().feed(wire) == [Rejected(ErrorCode.UNKNOWN_TYPE, "frame type 0x09", 6)]


def test_a_start_byte_inside_a_frame_truncates_it() -> None:
    wire = DOC_GBCS.encode()
    assert Decoder().feed(wire[:6] + wire) == [
        Rejected(ErrorCode.TRUNCATED, "start byte after 5 frame bytes", 6),
        DOC_GBCS,
    ]


def test_bad_escape_is_rejected() -> None:
    assert Decoder().feed(bytes.fromhex("7E 01 7D 01")) == [
        Rejected(ErrorCode.BAD_ESCAPE, "escape followed by 0x01", 4)
    ]


@given(st.lists(frames, min_size=1, max_size=8), st.data())
def test_any_chunking_yields_the_same_frames(sent: list[Frame], data: st.DataObject) -> None:
    stream = b"".join(frame.encode() for frame in sent)
    decoder, events = feed_chunks(stream, data.draw(chunked(stream)))
    assert events == sent
    assert decoder.discarded == 0


@given(st.lists(st.tuples(noise, frames), min_size=1, max_size=6), st.data())
def test_noise_before_and_between_frames_is_skipped_and_counted(
    pairs: list[tuple[bytes, Frame]], data: st.DataObject
) -> None:
    stream = b"".join(gap + frame.encode() for gap, frame in pairs)
    decoder, events = feed_chunks(stream, data.draw(chunked(stream)))
    assert frames_of(events) == [frame for _, frame in pairs]
    assert all(isinstance(event, Frame | Garbage) for event in events)
    assert decoder.discarded == sum(len(gap) for gap, _ in pairs)


@given(st.binary(max_size=200) | soup, frames, st.data())
def test_a_good_frame_after_any_bytes_is_never_lost(
    junk: bytes, frame: Frame, data: st.DataObject
) -> None:
    stream = junk + frame.encode()
    _, events = feed_chunks(stream, data.draw(chunked(stream)))
    assert frames_of(events)[-1] == frame
    assert events[-1] == frame


@given(frames, st.data())
def test_any_single_bit_error_in_payload_or_crc_is_rejected(
    frame: Frame, data: st.DataObject
) -> None:
    body = bytes((frame.kind,)) + len(frame.payload).to_bytes(2, "big") + frame.payload
    unstuffed = bytearray(body + crc16(body).to_bytes(2, "big"))
    at = data.draw(st.integers(3, len(unstuffed) - 1))
    unstuffed[at] ^= 1 << data.draw(st.integers(0, 7))
    stuffed = bytes(unstuffed).replace(b"\x7d", b"\x7d\x5d").replace(b"\x7e", b"\x7d\x5e")
    events = Decoder().feed(bytes((START,)) + stuffed + DOC_GBCS.encode())
    assert [type(event) for event in events] == [Rejected, Frame]
    assert events[0].code is ErrorCode.BAD_CRC
    assert events[1] == DOC_GBCS


@given(st.binary(max_size=300) | soup, st.data())
def test_any_bytes_only_ever_yield_events(stream: bytes, data: st.DataObject) -> None:
    decoder, events = feed_chunks(stream, data.draw(chunked(stream)))
    assert all(isinstance(event, Frame | Garbage | Rejected) for event in events)
    frame_bytes = sum(len(frame.encode()) for frame in frames_of(events))
    assert decoder.discarded + frame_bytes <= len(stream)
