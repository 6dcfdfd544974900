"""A decoded, verified message as plain data (JSON-ready), for people and for event logs."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any

from .alert_payload import FutureDatedAlert, GenericAlert
from .errors import GbcsDecodeError
from .frame import GbcsMessage
from .keystore import KeyStore
from .payload import Payload, decode_payload
from .payment_mode import PaymentModeChange, PaymentModeResponse
from .usecases import use_case_for
from .verify import DEFAULT_ACB, check_mac, check_signature


def describe(message: GbcsMessage, keys: KeyStore, acb: bytes = DEFAULT_ACB) -> dict[str, Any]:
    """Header fields, MAC and signature verdicts, and the decoded payload of ``message``.

    Content that does not decode is reported under ``error`` beside the header fields.
    """
    header = message.header
    use_case = use_case_for(message.message_code)
    record: dict[str, Any] = {
        "message_code": f"{message.message_code:04X}",
        "use_case": use_case.name if use_case else None,
        "title": use_case.title if use_case else None,
        "srv": use_case.srv if use_case else None,
        "cra": header.cra.name.lower(),
        "originator": header.originator.hex().upper(),
        "recipient": header.recipient.hex().upper(),
        "counter": header.counter,
        "date_time": header.date_time.hex().upper() if header.date_time else None,
        "mac": str(check_mac(message, keys, acb)),
        "signature": str(check_signature(message, keys)),
    }
    other = dataclasses.asdict(header.other_info)
    supplementary = {k: to_jsonable(v) for k, v in other.items() if v is not None}
    supplementary.pop("message_code")
    if supplementary:
        record["supplementary"] = supplementary
    try:
        payload = decode_payload(message)
    except GbcsDecodeError as exc:
        record["error"] = f"payload: {exc}"
        record["offset"] = exc.offset
        return record
    record["summary"] = summarize(payload)
    record["payload"] = to_jsonable(payload)
    return record


def summarize(payload: Payload) -> str:
    """One line a person reads first: for SR 1.6, plainly what the payment mode becomes."""
    if isinstance(payload, PaymentModeChange):
        when = payload.activation.value
        if payload.execute_at is not None:
            when += f" at {payload.execute_at.isoformat()}"
        return f"payment mode → {payload.mode.value} ({when})"
    if isinstance(payload, PaymentModeResponse):
        return "payment mode change " + ("succeeded" if payload.success else "failed")
    if isinstance(payload, FutureDatedAlert):
        outcome = "carried out" if payload.succeeded else "not carried out"
        return f"alert {payload.alert_code:04X}: future-dated {payload.message_code:04X} {outcome}"
    if isinstance(payload, GenericAlert):
        return f"alert {payload.alert_code:04X} at {payload.timestamp.isoformat()}"
    return type(payload).__name__


def to_jsonable(value: Any) -> Any:
    """Dataclasses as dicts tagged with their type, bytes as hex, enums by value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"type": type(value).__name__, **fields}
    if isinstance(value, bytes):
        return value.hex().upper()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    return value
