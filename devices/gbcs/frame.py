"""GBCS framing: the grouping header (``DF``, general signing) and the MAC header (``DD``).

One declarative layout (the tables below, built from :mod:`devices.gbcs._layout`) is read by
:func:`decode` and written by :func:`encode`, so the two cannot drift apart; encoding a decoded
message gives back the input bytes. Layout (spec/gbcs.md §1.1)::

    [DD 00*6 len 11 00000000]  DF 09 CRA counter(8) 08 orig(8) 08 recip(8)
    date-time(00 | 0C+12) len other-info  len content  [sig-len [sig(64)]]  [MAC(12)]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import IntEnum

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


def decode(data: bytes) -> GbcsMessage:
    """Parse one whole GBCS message; anything malformed raises :class:`GbcsDecodeError`.

    A message is a frozen value of its bytes, so the last few are kept: a frame is read by
    the host that carries it and by its recipient, a response by the host and the DCC."""
    return _decoded(bytes(data))


@functools.lru_cache(maxsize=256)
def _decoded(data: bytes) -> GbcsMessage:
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


@functools.lru_cache(maxsize=256)
def encode(message: GbcsMessage) -> bytes:
    """The wire bytes of ``message``: :func:`decode`'s exact inverse. A message is a frozen
    value, so its bytes are kept for the next few asks (a command is encoded by its signer, the
    DCC and the host in turn)."""
    if message.mac is None:
        return signed_block(message) + _SIGNATURE_OR_ABSENT.write(message.signature)
    return _MACED_MESSAGE.write(message)


def signed_block(message: GbcsMessage) -> bytes:
    """From the ``DF`` tag through the content: what a signature covers, less the tag. Kept
    like :func:`encode`'s answer, by header and content, so a message and the same signed
    share it: signing, MACing, encoding and each check of a command ask for it."""
    return _signed_block(message.header, message.content)


@functools.lru_cache(maxsize=256)
def _signed_block(header: GroupingHeader, content: bytes) -> bytes:
    return _GROUPING_HEADER.write(header) + _CONTENT.write(content)


def signature_block(message: GbcsMessage) -> bytes:
    """The signature-length byte and the signature, or nothing when the byte is absent."""
    return _SIGNATURE_OR_ABSENT.write(message.signature)
