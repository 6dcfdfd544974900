"""All 1,275 RTDS 4.5.0 messages: decode, re-encode byte for byte, verify what the keys allow."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.gbcs.errors import GbcsDecodeError
from devices.gbcs.frame import GbcsMessage, decode, encode
from devices.gbcs.keystore import KeyStore, load_keystore
from devices.gbcs.verify import Verdict, check_mac, check_signature
from tests.conformance import SUMMARY, read_hex, rtds_files, rtds_params


@pytest.fixture(scope="module")
def keys(conformance: Path) -> KeyStore:
    return load_keystore(conformance / "rtds" / "keystore")


def _flip(value: bytes, index: int) -> bytes:
    return value[:index] + bytes((value[index] ^ 0x01,)) + value[index + 1 :]


def _tampered(message: GbcsMessage) -> list[GbcsMessage]:
    """One flipped byte in each covered part: counter, content, signature, MAC."""
    variants = [
        replace(message, header=replace(message.header, counter=message.header.counter ^ 1)),
        replace(message, content=_flip(message.content, len(message.content) // 2)),
    ]
    if message.signature:
        variants.append(replace(message, signature=_flip(message.signature, 31)))
    if message.mac:
        variants.append(replace(message, mac=_flip(message.mac, 11)))
    return variants


@pytest.mark.parametrize("path", rtds_params())
def test_rtds_message(path: Path, keys: KeyStore) -> None:
    data = read_hex(path)
    message = decode(data)
    assert encode(message) == data
    is_precommand = "_PRECOMMAND_" in path.name
    assert (message.signature is None) is is_precommand
    assert (message.mac is None) is (data[0] == 0xDF)

    mac, signature = check_mac(message, keys), check_signature(message, keys)
    assert mac is not Verdict.INVALID
    assert signature is not Verdict.INVALID
    for tampered in _tampered(message):
        if mac is Verdict.VALID:
            assert check_mac(tampered, keys) is Verdict.INVALID
        if signature is Verdict.VALID and tampered.mac == message.mac:
            assert check_signature(tampered, keys) is Verdict.INVALID


def test_rtds_verification_totals(keys: KeyStore, request: pytest.FixtureRequest) -> None:
    """The counts the corpus must give: only the PPMID-to-GSME MACs lack a key."""
    totals: Counter[str] = Counter()
    for path in rtds_files():
        message = decode(read_hex(path))
        totals[f"MAC {check_mac(message, keys)}"] += 1
        totals[f"signature {check_signature(message, keys)}"] += 1
    assert totals == {
        "MAC valid": 811,
        "MAC absent": 460,
        "MAC no-key": 4,
        "signature valid": 472,
        "signature absent": 803,
    }
    summary = ", ".join(f"{key}: {count}" for key, count in sorted(totals.items()))
    request.config.stash[SUMMARY].append(f"RTDS 4.5.0, {len(rtds_files())} messages: {summary}")


@functools.cache
def _keystore_beside(path: Path) -> KeyStore:
    return load_keystore(path.parents[2] / "keystore")


_COMMAND = "1.6_ECS02/ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_COMMAND_GBCS.HEX"


@settings(max_examples=300)
@given(st.data())
def test_any_single_byte_flip_is_refused(data: st.DataObject) -> None:
    """Flipping any bit of a critical command: a decode error or an invalid verdict, never valid."""
    files = [p for p in rtds_files() if p.as_posix().endswith(_COMMAND)]
    if not files:
        pytest.skip("RTDS corpus absent")
    original = read_hex(files[0])
    keys = _keystore_beside(files[0])
    index = data.draw(st.integers(0, len(original) - 1))
    bit = data.draw(st.integers(0, 7))
    flipped = original[:index] + bytes((original[index] ^ (1 << bit),)) + original[index + 1 :]
    try:
        message = decode(flipped)
    except GbcsDecodeError:
        return
    verdicts = {check_mac(message, keys), check_signature(message, keys)}
    assert Verdict.INVALID in verdicts or Verdict.NO_KEY in verdicts
