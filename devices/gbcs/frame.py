"""GBCS framing: the grouping header (``DF``, general signing) and the MAC header (``DD``).

One declarative layout, read by :func:`decode` and written by :func:`encode`; encoding a
decoded message gives back the input bytes. Layout (spec/gbcs.md §1.1)::

    [DD 00*6 len 11 00000000]  DF 09 CRA counter(8) 08 orig(8) 08 recip(8)
    date-time(00 | 0C+12) len other-info  len content  [sig-len [sig(64)]]  [MAC(12)]
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from .errors import GbcsDecodeError, GbcsEncodeError
from .reader import Reader, encode_length

GENERAL_SIGNING = 0xDF
GENERAL_CIPHERING = 0xDD
SECURITY_HEADER = b"\x11\x00\x00\x00\x00"
MAC_LENGTH = 12
SIGNATURE_LENGTH = 64
DATE_TIME_LENGTH = 12
EUI64_LENGTH = 8
# DD tag, six empty general-ciphering fields, then the ciphered-service length (spec/gbcs.md §1.1).
_CIPHERING_PREFIX = b"\xdd\x00\x00\x00\x00\x00\x00"


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


def decode(data: bytes) -> GbcsMessage:
    """Parse one whole GBCS message; anything malformed raises :class:`GbcsDecodeError`."""
    data = bytes(data)
    reader = Reader(data)
    tag = reader.peek("frame tag")
    if tag == GENERAL_SIGNING:
        message = _read_signed(reader, inside_mac=False)
    elif tag == GENERAL_CIPHERING:
        message = _read_ciphered(reader)
    else:
        raise GbcsDecodeError(f"unknown frame tag 0x{tag:02X} (expected DD or DF)", 0)
    reader.expect_end("the message")
    return message


def _read_ciphered(reader: Reader) -> GbcsMessage:
    start = reader.pos
    prefix = reader.take(len(_CIPHERING_PREFIX), "general ciphering header")
    if prefix != _CIPHERING_PREFIX:
        if prefix[1] != 0:
            raise GbcsDecodeError("GBT (segmented) frames are not supported", start + 1)
        raise GbcsDecodeError(
            f"general ciphering header: expected {_CIPHERING_PREFIX.hex().upper()}, "
            f"got {prefix.hex().upper()}",
            start,
        )
    length = reader.length("ciphered service length")
    if length != reader.remaining:
        raise GbcsDecodeError(
            f"ciphered service length is {length} but {reader.remaining} bytes follow", reader.pos
        )
    if length < len(SECURITY_HEADER) + MAC_LENGTH:
        raise GbcsDecodeError(f"ciphered service length {length} too short", reader.pos)
    reader.expect(SECURITY_HEADER, "security header")
    inner = reader.sub(length - len(SECURITY_HEADER) - MAC_LENGTH, "general signing block")
    message = _read_signed(inner, inside_mac=True)
    mac = reader.take(MAC_LENGTH, "MAC")
    return GbcsMessage(message.header, message.content, message.signature, mac)


def _read_signed(reader: Reader, *, inside_mac: bool) -> GbcsMessage:
    reader.expect(b"\xdf\x09", "general signing tag and transaction-id length")
    cra_at = reader.pos
    cra_value = reader.u8("CRA flag")
    if cra_value not in _CRA_VALUES:
        raise GbcsDecodeError(f"CRA flag 0x{cra_value:02X} unknown", cra_at)
    counter = reader.uint(8, "originator counter")
    reader.expect(b"\x08", "originator system title length")
    originator = reader.take(EUI64_LENGTH, "originator system title")
    reader.expect(b"\x08", "recipient system title length")
    recipient = reader.take(EUI64_LENGTH, "recipient system title")
    date_time = _read_date_time(reader)
    other_info = _read_other_information(reader)
    content = reader.take(reader.length("content length"), "content")
    signature = _read_signature(reader, required=inside_mac)
    reader.expect_end("the general signing block")
    header = GroupingHeader(
        _CRA_VALUES[cra_value], counter, originator, recipient, other_info, date_time
    )
    return GbcsMessage(header, content, signature)


_CRA_VALUES = {c.value: c for c in Cra}


def _read_date_time(reader: Reader) -> bytes | None:
    at = reader.pos
    size = reader.u8("date-time length")
    if size == 0:
        return None
    if size != DATE_TIME_LENGTH:
        raise GbcsDecodeError(f"date-time length {size}, expected 0 or {DATE_TIME_LENGTH}", at)
    return reader.take(DATE_TIME_LENGTH, "date-time")


def _read_other_information(reader: Reader) -> OtherInformation:
    at = reader.pos
    size = reader.length("other-information length")
    if size <= 26 and size not in (2, 10, 18, 26):
        raise GbcsDecodeError(f"other-information length {size} is not 2, 10, 18, 26 or more", at)
    info = reader.sub(size, "other-information")
    message_code = info.uint(2, "message code")
    if info.at_end:
        return OtherInformation(message_code)
    remote_party = info.take(EUI64_LENGTH, "supplementary remote party ID")
    if info.at_end:
        return OtherInformation(message_code, remote_party)
    remote_counter = info.uint(8, "supplementary remote party counter")
    if info.at_end:
        return OtherInformation(message_code, remote_party, remote_counter)
    if info.remaining == 8:
        return OtherInformation(
            message_code, remote_party, remote_counter, info.uint(8, "supplementary counter")
        )
    if info.peek("key agreement certificate") != 0x30:
        raise info.fail("supplementary key agreement certificate is not a DER SEQUENCE")
    return OtherInformation(message_code, remote_party, remote_counter, None, info.rest())


def _read_signature(reader: Reader, *, required: bool) -> bytes | None:
    if reader.at_end and not required:
        return None
    at = reader.pos
    size = reader.length("signature length")
    if size not in (0, SIGNATURE_LENGTH):
        raise GbcsDecodeError(f"signature length {size}, expected 0 or {SIGNATURE_LENGTH}", at)
    return reader.take(size, "signature")


def encode(message: GbcsMessage) -> bytes:
    """The wire bytes of ``message``: :func:`decode`'s exact inverse."""
    block = signed_block(message) + signature_block(message)
    if message.mac is None:
        return block
    if message.signature is None:
        raise GbcsEncodeError("a MACed message needs a signature-length byte (signature=b'')")
    if len(message.mac) != MAC_LENGTH:
        raise GbcsEncodeError(f"MAC must be {MAC_LENGTH} bytes, got {len(message.mac)}")
    inner_length = len(SECURITY_HEADER) + len(block) + MAC_LENGTH
    return b"".join(
        (_CIPHERING_PREFIX, encode_length(inner_length), SECURITY_HEADER, block, message.mac)
    )


def signed_block(message: GbcsMessage) -> bytes:
    """From the ``DF`` tag through the content: what a signature covers, less the tag."""
    header = message.header
    for name, title in (("originator", header.originator), ("recipient", header.recipient)):
        if len(title) != EUI64_LENGTH:
            raise GbcsEncodeError(f"{name} must be an 8-byte EUI-64, got {len(title)} bytes")
    if not 0 <= header.counter < 1 << 64:
        raise GbcsEncodeError(f"originator counter {header.counter} out of range")
    other = _encode_other_information(header.other_info)
    return b"".join(
        (
            b"\xdf\x09",
            header.transaction_id,
            b"\x08",
            header.originator,
            b"\x08",
            header.recipient,
            _encode_date_time(header.date_time),
            encode_length(len(other)),
            other,
            encode_length(len(message.content)),
            message.content,
        )
    )


def signature_block(message: GbcsMessage) -> bytes:
    """The signature-length byte and the signature, or nothing when the byte is absent."""
    signature = message.signature
    if signature is None:
        return b""
    if len(signature) not in (0, SIGNATURE_LENGTH):
        raise GbcsEncodeError(f"signature must be 0 or {SIGNATURE_LENGTH} bytes")
    return bytes((len(signature),)) + signature


def _encode_date_time(date_time: bytes | None) -> bytes:
    if date_time is None:
        return b"\x00"
    if len(date_time) != DATE_TIME_LENGTH:
        raise GbcsEncodeError(f"date-time must be {DATE_TIME_LENGTH} bytes")
    return bytes((DATE_TIME_LENGTH,)) + date_time


def _encode_other_information(info: OtherInformation) -> bytes:
    if not 0 <= info.message_code <= 0xFFFF:
        raise GbcsEncodeError(f"message code {info.message_code} out of range")
    parts = [info.message_code.to_bytes(2, "big")]
    later = (
        info.supplementary_remote_party_counter,
        info.supplementary_originator_counter,
        info.supplementary_remote_party_ka_certificate,
    )
    if info.supplementary_remote_party_id is None:
        if any(field is not None for field in later):
            raise GbcsEncodeError("supplementary fields need a supplementary remote party ID")
        return parts[0]
    if len(info.supplementary_remote_party_id) != EUI64_LENGTH:
        raise GbcsEncodeError("supplementary remote party ID must be an 8-byte EUI-64")
    parts.append(info.supplementary_remote_party_id)
    if info.supplementary_remote_party_counter is None:
        if any(field is not None for field in later[1:]):
            raise GbcsEncodeError("supplementary fields need a supplementary remote party counter")
        return b"".join(parts)
    parts.append(info.supplementary_remote_party_counter.to_bytes(8, "big"))
    if info.supplementary_originator_counter is not None:
        if info.supplementary_remote_party_ka_certificate is not None:
            raise GbcsEncodeError("an originator counter and a certificate cannot both be present")
        parts.append(info.supplementary_originator_counter.to_bytes(8, "big"))
    elif info.supplementary_remote_party_ka_certificate is not None:
        parts.append(info.supplementary_remote_party_ka_certificate)
    return b"".join(parts)
