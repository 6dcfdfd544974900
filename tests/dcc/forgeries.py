"""What a User may do to an issued pre-command before signing it: the forgeries the rule tests
and the feature steps both try on the DCC."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from devices.gbcs import dlms
from devices.gbcs.frame import GbcsMessage, OtherInformation
from devices.gbcs.gbz import to_gbz_time
from devices.gbcs.payment_mode import PaymentModeChange, encode_payment_mode_command


def with_payload(
    issued: GbcsMessage, code: int, change: PaymentModeChange, at: datetime
) -> GbcsMessage:
    """The issued pre-command with another message code and a payload built for ``change``."""
    header = replace(issued.header, other_info=OtherInformation(code))
    content = encode_payment_mode_command(
        code, header.counter, change, issuer_event_id=to_gbz_time(at)
    )
    return replace(issued, header=header, content=content)


def dlms_mode_flipped(issued: GbcsMessage) -> GbcsMessage:
    """The issued ECS02 with account_mode_and_status's payment_mode enum 01 (credit) set to 02
    (prepayment); message code and every other byte as issued."""
    apdu = dlms.decode_dlms(issued.content)
    assert isinstance(apdu, dlms.AccessRequest)
    mode_and_status, *rest = apdu.data
    assert mode_and_status == dlms.Structure((dlms.Enum(1), dlms.Enum(1)))
    flipped = dlms.Structure((dlms.Enum(2), dlms.Enum(1)))
    content = dlms.encode_dlms(replace(apdu, data=(flipped, *rest)))
    assert len(content) == len(issued.content)
    assert sum(a != b for a, b in zip(content, issued.content, strict=True)) == 1
    return replace(issued, content=content)
