"""The RTDS messages' payloads, and byte mutations of them, for the payload codec tests."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import pytest
from hypothesis import strategies as st

from devices.gbcs.frame import decode as decode_frame
from tests.conformance import read_hex, rtds_files


class RtdsPayload(NamedTuple):
    name: str
    cra: int
    message_code: int
    counter: int
    content: bytes


@functools.cache
def rtds_payloads() -> tuple[RtdsPayload, ...]:
    """The content of every RTDS message, with the header fields the payload codecs need."""
    found = []
    for path in rtds_files():
        message = decode_frame(read_hex(path))
        header = message.header
        found.append(
            RtdsPayload(
                path.stem, header.cra, message.message_code, header.counter, message.content
            )
        )
    return tuple(found)


def payload_params(accept: Callable[[RtdsPayload], bool]) -> list:
    """The RTDS payloads ``accept`` takes, as pytest params; one skipped param without corpus."""
    found = [pytest.param(p, id=p.name) for p in rtds_payloads() if accept(p)]
    return found or [pytest.param(None, marks=pytest.mark.skip(reason="RTDS corpus absent"))]


def is_dlms(payload: RtdsPayload) -> bool:
    return payload.content[:1] in (b"\xd9", b"\xda", b"\x0f")


def mutated(data: st.DataObject, content: bytes) -> bytes:
    """``content`` with one to four bytes flipped, inserted, or everything after one cut."""
    result = bytearray(content)
    for _ in range(data.draw(st.integers(1, 4))):
        if not result:
            break
        index = data.draw(st.integers(0, len(result) - 1))
        operation = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if operation == "flip":
            result[index] = data.draw(st.integers(0, 255))
        elif operation == "cut":
            del result[index:]
        else:
            result.insert(index, data.draw(st.integers(0, 255)))
    return bytes(result)
