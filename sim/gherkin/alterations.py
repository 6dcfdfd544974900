"""What a User may do to an issued pre-command before signing it: the forgeries the feature steps
(by the words a feature uses) and the DCC's rule tests both try on the DCC."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from devices.gbcs import dlms
from devices.gbcs.frame import GbcsMessage, OtherInformation
from devices.gbcs.gbz import to_gbz_time
from devices.gbcs.payment_mode import (
    ECS02,
    ECS03,
    GCS02,
    GCS03,
    Activation,
    PaymentMode,
    PaymentModeChange,
    encode_payment_mode_command,
)
from sim.gherkin.words import PARTIES

PREPAYMENT_CHANGE = PaymentModeChange(PaymentMode.PREPAYMENT, Activation.IMMEDIATE)
CREDIT_CHANGE = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)


def with_payload(
    issued: GbcsMessage, code: int, change: PaymentModeChange, at: datetime
) -> GbcsMessage:
    """The issued pre-command with another message code and a payload built for ``change``."""
    header = replace(issued.header, other_info=OtherInformation(code))
    content = encode_payment_mode_command(
        code, header.counter, change, issuer_event_id=to_gbz_time(at)
    )
    return replace(issued, header=header, content=content)


def _labelled(message: GbcsMessage, code: int) -> GbcsMessage:
    return replace(message, header=replace(message.header, other_info=OtherInformation(code)))


def dlms_mode_flipped(issued: GbcsMessage) -> GbcsMessage:
    """The issued ECS02 with account_mode_and_status's payment_mode enum 01 (credit) set to 02
    (prepayment); message code and every other byte as issued."""
    apdu = dlms.decode_dlms(issued.content)
    credit = dlms.Structure((dlms.Enum(1), dlms.Enum(1)))
    if not isinstance(apdu, dlms.AccessRequest) or not apdu.data or apdu.data[0] != credit:
        raise ValueError("not an issued ECS02 credit command: no payment mode 01 to flip")
    _, *rest = apdu.data
    flipped = dlms.Structure((dlms.Enum(2), dlms.Enum(1)))
    content = dlms.encode_dlms(replace(apdu, data=(flipped, *rest)))
    if len(content) != len(issued.content) or (
        sum(a != b for a, b in zip(content, issued.content, strict=True)) != 1
    ):
        raise ValueError("flipping the payment mode changed more than its one byte")
    return replace(issued, content=content)


def _zse_set_to_prepayment(issued: GbcsMessage, at: datetime) -> GbcsMessage:
    """The issued GCS02 carrying a GCS03 (prepayment) ZSE payload, still labelled GCS02."""
    return replace(with_payload(issued, GCS03, PREPAYMENT_CHANGE, at), header=issued.header)


def executed_a_week_later(issued: GbcsMessage, at: datetime) -> GbcsMessage:
    """The issued credit command, unchanged but for taking effect a week after ``at``."""
    later = PaymentModeChange(PaymentMode.CREDIT, Activation.FUTURE_DATED, at + timedelta(days=7))
    code = issued.message_code
    return replace(issued, content=encode_payment_mode_command(code, issued.header.counter, later))


def _from_originator(name: str) -> Callable[[GbcsMessage, datetime], GbcsMessage]:
    def alter(issued: GbcsMessage, at: datetime) -> GbcsMessage:
        return replace(issued, header=replace(issued.header, originator=PARTIES[name]))

    return alter


ALTERATIONS: dict[str, Callable[[GbcsMessage, datetime], GbcsMessage]] = {
    "the code and payload of ECS03 (ESME to prepayment)": lambda m, at: with_payload(
        m, ECS03, PREPAYMENT_CHANGE, at
    ),
    "the code and payload of GCS03 (GSME to prepayment)": lambda m, at: with_payload(
        m, GCS03, PREPAYMENT_CHANGE, at
    ),
    "the code ECS03 over its credit payload": lambda m, at: _labelled(
        with_payload(m, ECS02, CREDIT_CHANGE, at), ECS03
    ),
    "the code and payload of ECS02 (an ESME's credit command)": lambda m, at: with_payload(
        m, ECS02, CREDIT_CHANGE, at
    ),
    "the code and payload of GCS02 (a GSME's credit command)": lambda m, at: with_payload(
        m, GCS02, CREDIT_CHANGE, at
    ),
    "the code 0x0020 (not an SR 1.6 command) over a credit payload": lambda m, at: _labelled(
        with_payload(m, ECS02, CREDIT_CHANGE, at), 0x0020
    ),
    "its DLMS payment mode set to prepayment under the ECS02 code": lambda m, at: dlms_mode_flipped(
        m
    ),
    "its ZSE payment control set to prepayment under the GCS02 code": _zse_set_to_prepayment,
    "its execution date moved a week later": executed_a_week_later,
    'the business originator "Steady Power"': _from_originator("Steady Power"),
}
"""Alterations of an issued credit pre-command, by the words a feature uses for them."""

DISGUISES: dict[str, Callable[[GbcsMessage, datetime], GbcsMessage]] = {
    "ESME": lambda m, at: dlms_mode_flipped(m),
    "GSME": _zse_set_to_prepayment,
}
"""How "Prepayment disguised as Credit" is made for each SMETS2+ meter kind."""
