"""Verdicts on a message's MAC and signature, with the keys a key store holds.

Which keys apply (spec/gbcs.md §2.2): a command's MAC is agreed between the ACB and the
target device; a response's or alert's between the device and the remote party it is sent
to; a signature is the grouping-header originator's digital signing key.
"""

from __future__ import annotations

from enum import StrEnum

from .frame import Cra, GbcsMessage
from .keystore import KeyStore, KeyUsage
from .security import mac_valid, signature_valid

# The DCC Access Control Broker of DCC Boxed and the RTDS (cert OU=04).
DEFAULT_ACB = bytes.fromhex("90B3D51F30000002")
# PCS02 (0x0090) and PCS01 (0x009B): a PPMID commands a GSME over the HAN; the two devices
# agree the MAC key between themselves, the ACB takes no part (message type SME.C.PPMID-GSME).
DEVICE_TO_DEVICE_COMMANDS = frozenset({0x0090, 0x009B})


class Verdict(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    ABSENT = "absent"
    NO_KEY = "no-key"


def check_signature(message: GbcsMessage, keys: KeyStore) -> Verdict:
    if not message.signature:
        return Verdict.ABSENT
    public = keys.public(message.header.originator, KeyUsage.DIGITAL_SIGNING)
    if public is None:
        return Verdict.NO_KEY
    return Verdict.VALID if signature_valid(message, public) else Verdict.INVALID


def mac_parties(message: GbcsMessage, acb: bytes = DEFAULT_ACB) -> tuple[bytes, bytes]:
    """The two parties whose key agreement keys make this message's MAC key."""
    header = message.header
    if header.cra is Cra.COMMAND and header.message_code not in DEVICE_TO_DEVICE_COMMANDS:
        return acb, header.recipient
    return header.originator, header.recipient


def check_mac(message: GbcsMessage, keys: KeyStore, acb: bytes = DEFAULT_ACB) -> Verdict:
    if message.mac is None:
        return Verdict.ABSENT
    secret = keys.shared_secret(*mac_parties(message, acb))
    if secret is None:
        return Verdict.NO_KEY
    return Verdict.VALID if mac_valid(message, secret) else Verdict.INVALID
