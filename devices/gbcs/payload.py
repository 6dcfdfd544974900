"""What a message's content means: one typed value per message, chosen by code and CRA flag.

SR 1.6 commands, responses and the future-dated and generic alerts get their semantic types;
other DLMS and GBZ content gets the structural APDU; ASN.1 security payloads stay as bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import dlms, gbz
from .alert_payload import (
    FutureDatedAlert,
    GenericAlert,
    decode_future_dated_alert,
    decode_generic_alert,
)
from .frame import Cra, GbcsMessage
from .payment_mode import (
    ECS02,
    ECS03,
    GCS02,
    GCS03,
    PaymentModeChange,
    PaymentModeResponse,
    decode_payment_mode_command,
    decode_payment_mode_response,
)

PAYMENT_MODE_CODES = frozenset((ECS02, ECS03, GCS02, GCS03))
FUTURE_DATED_ALERT_CODES = frozenset((0x00CC, 0x00CD))
GENERIC_ALERT_CODES = frozenset((0x1000, 0x1001))
# Alerts whose payload carries the alert code; other alert message codes are use-case specific.
ALERT_PAYLOAD_CODES = FUTURE_DATED_ALERT_CODES | GENERIC_ALERT_CODES


@dataclass(frozen=True, slots=True)
class OpaqueContent:
    """Content solrsim does not model (the ASN.1 security use cases)."""

    content: bytes


Payload = (
    PaymentModeChange
    | PaymentModeResponse
    | FutureDatedAlert
    | GenericAlert
    | dlms.AccessRequest
    | dlms.AccessResponse
    | dlms.DataNotification
    | gbz.GbzPayload
    | gbz.GbzAlert
    | OpaqueContent
)


def decode_payload(message: GbcsMessage) -> Payload:
    """The typed content of ``message``; malformed content raises GbcsDecodeError."""
    code, cra, content = message.message_code, message.header.cra, message.content
    if code in PAYMENT_MODE_CODES:
        if cra is Cra.COMMAND:
            return decode_payment_mode_command(code, content)
        return decode_payment_mode_response(content)
    if code in FUTURE_DATED_ALERT_CODES:
        return decode_future_dated_alert(content)
    if code in GENERIC_ALERT_CODES:
        return decode_generic_alert(content)
    if content[:2] == b"\x01\x09":
        return gbz.decode_gbz_alert(content) if cra is Cra.ALERT else gbz.decode_gbz(content)
    if content[:1] in (b"\xd9", b"\xda", b"\x0f"):
        return dlms.decode_dlms(content)
    return OpaqueContent(content)
