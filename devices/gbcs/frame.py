"""GBCS framing: the grouping header (``DF``, general signing) and the MAC header (``DD``).

One declarative layout (the tables below, built from :mod:`devices.gbcs._layout`) is read by
:func:`decode` and written by :func:`encode`, so the two cannot drift apart; encoding a decoded
message gives back the input bytes. Both go through functions compiled from the layout
(:mod:`devices.gbcs._compiled`), which leave any byte or value they would not take to it.
Layout (spec/gbcs.md §1.1)::

    [DD 00*6 len 11 00000000]  DF 09 CRA counter(8) 08 orig(8) 08 recip(8)
    date-time(00 | 0C+12) len other-info  len content  [sig-len [sig(64)]]  [MAC(12)]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import IntEnum

from ._compiled import Unreadable, compile_reader, compile_writer
from ._layout import (
    Bytes,
    Const,
    DerSequence,
    Enum,
    Optional,
    Preceded,
    Prefixed,
    Rest,
    Sized,
    Struct,
    UInt,
)
from ._reader import Reader
from .errors import GbcsDecodeError

GENERAL_SIGNING = 0xDF
GENERAL_CIPHERING = 0xDD
SECURITY_HEADER = b"\x11\x00\x00\x00\x00"
MAC_LENGTH = 12
SIGNATURE_LENGTH = 64
DATE_TIME_LENGTH = 12
EUI64_LENGTH = 8


class Cra(IntEnum):
    """The CRA flag: what kind of message this is (GBCS 7.2.7)."""

    COMMAND = 1
    RESPONSE = 2
    ALERT = 3


@dataclass(frozen=True, slots=True)
class OtherInformation:
    """The grouping header's other-information: a message code and optional supplementary fields.

    The supplementary fields nest: a remote party counter needs a remote party ID, and either
    an originator counter or a key agreement certificate (DER) may follow the counter.
    """

    message_code: int
    supplementary_remote_party_id: bytes | None = None
    supplementary_remote_party_counter: int | None = None
    supplementary_originator_counter: int | None = None
    supplementary_remote_party_ka_certificate: bytes | None = None


@dataclass(frozen=True, slots=True)
class GroupingHeader:
    cra: Cra
    counter: int
    originator: bytes
    recipient: bytes
    other_info: OtherInformation
    date_time: bytes | None = None

    @property
    def message_code(self) -> int:
        return self.other_info.message_code

    @property
    def transaction_id(self) -> bytes:
        """CRA flag and originator counter, as the KDF's OtherInfo takes them."""
        return bytes((self.cra,)) + self.counter.to_bytes(8, "big")


@dataclass(frozen=True, slots=True)
class GbcsMessage:
    """A whole GBCS message.

    ``signature`` is ``None`` when the signature-length byte is absent (a pre-command as the
    DCC returns it), ``b""`` for a present zero length (non-critical, or a pre-command with its
    null signature byte), else the 64-byte raw r||s signature. ``mac`` is ``None`` unless the
    message is wrapped in a MAC header.
    """

    header: GroupingHeader
    content: bytes
    signature: bytes | None = None
    mac: bytes | None = None
    # The signed block and the wire bytes, made once per message (see signed_block, encode):
    # functions of the fields above, so left out of equality and hashing.
    _signed: bytes | None = field(default=None, init=False, repr=False, compare=False)
    _wire: bytes | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def message_code(self) -> int:
        return self.header.other_info.message_code

    @property
    def is_signed(self) -> bool:
        return bool(self.signature)


_OTHER_INFORMATION = Prefixed(
    "other-information",
    Struct(
        OtherInformation,
        ("message_code", UInt(2, "message code")),
        (
            "supplementary_remote_party_id",
            Optional(Bytes(EUI64_LENGTH, "supplementary remote party ID")),
        ),
        (
            "supplementary_remote_party_counter",
            Optional(UInt(8, "supplementary remote party counter")),
        ),
        ("supplementary_originator_counter", Optional(UInt(8, "supplementary counter"), last=8)),
        (
            "supplementary_remote_party_ka_certificate",
            Optional(DerSequence("supplementary key agreement certificate")),
        ),
    ),
    valid=lambda size: size > 26 or size in (2, 10, 18, 26),
    expected="2, 10, 18, 26 or more",
)

_GROUPING_HEADER = Struct(
    GroupingHeader,
    (None, Const(bytes((GENERAL_SIGNING, 9)), "general signing tag and transaction-id length")),
    ("cra", Enum(Cra, "CRA flag")),
    ("counter", UInt(8, "originator counter")),
    (None, Const(bytes((EUI64_LENGTH,)), "originator system title length")),
    ("originator", Bytes(EUI64_LENGTH, "originator system title")),
    (None, Const(bytes((EUI64_LENGTH,)), "recipient system title length")),
    ("recipient", Bytes(EUI64_LENGTH, "recipient system title")),
    ("date_time", Sized("date-time", (0, DATE_TIME_LENGTH), empty=None)),
    ("other_info", _OTHER_INFORMATION),
)
_CONTENT = Prefixed("content", Rest())
_SIGNATURE = Sized("signature", (0, SIGNATURE_LENGTH))
# A signature-length byte may be absent only where nothing follows: a pre-command (§1.2).
_SIGNATURE_OR_ABSENT = Optional(_SIGNATURE)

_SIGNED_MESSAGE = Struct(
    GbcsMessage,
    ("header", _GROUPING_HEADER),
    ("content", _CONTENT),
    ("signature", _SIGNATURE_OR_ABSENT),
)
_MACED_MESSAGE = Preceded(
    (
        Const(bytes((GENERAL_CIPHERING,)), "general ciphering tag"),
        Const(b"\x00", "block transfer flag", refusal="GBT (segmented) frames are not supported"),
        Const(bytes(5), "general ciphering header"),
    ),
    Prefixed(
        "ciphered service",
        Struct(
            GbcsMessage,
            (None, Const(SECURITY_HEADER, "security header")),
            ("header", _GROUPING_HEADER),
            ("content", _CONTENT),
            ("signature", _SIGNATURE),
            ("mac", Bytes(MAC_LENGTH, "MAC")),
        ),
        valid=lambda size: size >= len(SECURITY_HEADER) + MAC_LENGTH,
        expected=f"{len(SECURITY_HEADER) + MAC_LENGTH} or more",
        whole=True,
    ),
)
# What a signature covers, with the DF tag: the signed message less its signature.
_SIGNED_BLOCK = Struct(GbcsMessage, ("header", _GROUPING_HEADER), ("content", _CONTENT))

_READ_SIGNED = compile_reader(_SIGNED_MESSAGE)
_READ_MACED = compile_reader(_MACED_MESSAGE)
_WRITE_SIGNED_BLOCK = compile_writer(_SIGNED_BLOCK)
_WRITE_MACED = compile_writer(_MACED_MESSAGE)


def decode(data: bytes) -> GbcsMessage:
    """Parse one whole GBCS message; anything malformed raises :class:`GbcsDecodeError`.

    A message is a frozen value of its bytes, so the last few are kept: a frame is read by
    the host that carries it and by its recipient, a response by the host and the DCC. Only
    minimal lengths are read, so the bytes are the ones the fields encode to: the message
    keeps them and its signed block, sliced from them, for :func:`encode` and
    :func:`signed_block`, and a signature or MAC is checked over exactly what was received."""
    return _decoded(bytes(data))


@functools.lru_cache(maxsize=256)
def _decoded(data: bytes) -> GbcsMessage:
    try:
        message = _read_compiled(data)
    except Unreadable:
        message = _read(data)
    if message.mac is None:
        start, end = 0, len(data) - _signature_size(message.signature)
    else:  # after DD 00 00*5, the ciphered service's length and the security header
        start = 7 + _length_size(data[7]) + len(SECURITY_HEADER)
        end = len(data) - MAC_LENGTH - _signature_size(message.signature)
    object.__setattr__(message, "_signed", data[start:end])
    object.__setattr__(message, "_wire", data)
    return message


def cra_flag(data: bytes) -> int | None:
    """The byte where a message's CRA flag is, if ``data`` is one, without reading the rest:
    ``None`` when ``data`` is too short or starts with neither tag. Where this is not a
    :class:`Cra`, :func:`decode` refuses ``data`` or reads it with another flag, so a host
    sorting the frames it carries decodes only those it cannot rule out."""
    try:
        tag = data[0]
        if tag == GENERAL_SIGNING:
            return data[2]
        if tag == GENERAL_CIPHERING:  # DD 00 00*5, the ciphered service's length, header, DF 09
            return data[7 + _length_size(data[7]) + len(SECURITY_HEADER) + 2]
    except IndexError:
        return None
    return None


def _read_compiled(data: bytes) -> GbcsMessage:
    tag = data[0] if data else None
    if tag == GENERAL_SIGNING:
        message: GbcsMessage = _READ_SIGNED(data)
    elif tag == GENERAL_CIPHERING:
        message = _READ_MACED(data)
    else:
        raise Unreadable
    return message


def _read(data: bytes) -> GbcsMessage:
    """The layout's own reading: slower than the compiled one, and says what is wrong."""
    reader = Reader(data)
    tag = reader.peek("frame tag")
    if tag == GENERAL_SIGNING:
        message = _SIGNED_MESSAGE.read(reader)
    elif tag == GENERAL_CIPHERING:
        message = _MACED_MESSAGE.read(reader)
    else:
        raise GbcsDecodeError(f"unknown frame tag 0x{tag:02X} (expected DD or DF)", 0)
    reader.expect_end("the message")
    return message


def encode(message: GbcsMessage) -> bytes:
    """The wire bytes of ``message``: :func:`decode`'s exact inverse. Made once per message
    (a command is encoded by its signer, the DCC and the host in turn)."""
    wire = message._wire
    if wire is None:
        if message.mac is None:
            wire = signed_block(message) + _SIGNATURE_OR_ABSENT.write(message.signature)
        else:
            wire = _WRITE_MACED(message)
        object.__setattr__(message, "_wire", wire)
    return wire


def signed_block(message: GbcsMessage) -> bytes:
    """From the ``DF`` tag through the content: what a signature covers, less the tag. Made
    once per message, and kept by :func:`sealed` for the same header and content signed or
    MACed: signing, MACing, encoding and each check of a command ask for it."""
    block = message._signed
    if block is None:
        block = _WRITE_SIGNED_BLOCK(message)
        object.__setattr__(message, "_signed", block)
    return block


def sealed(message: GbcsMessage, signature: bytes | None, mac: bytes | None) -> GbcsMessage:
    """``message`` with this signature and MAC: the same header and content, so the same
    signed block, which the new message keeps rather than encoding it again."""
    result = GbcsMessage(message.header, message.content, signature, mac)
    object.__setattr__(result, "_signed", message._signed)
    return result


def signature_block(message: GbcsMessage) -> bytes:
    """The signature-length byte and the signature, or nothing when the byte is absent."""
    return _SIGNATURE_OR_ABSENT.write(message.signature)


def _length_size(first: int) -> int:
    """How many bytes a BER length takes, from its first byte."""
    return 1 if first < 0x80 else 1 + (first & 0x7F)


def _signature_size(signature: bytes | None) -> int:
    return 0 if signature is None else 1 + len(signature)
