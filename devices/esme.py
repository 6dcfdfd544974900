"""The electricity meter (ESME): SR 1.6 as ECS02/ECS03, DLMS payloads.

A success answers every Set of the request with result 0 (3 Sets for ECS02, 5 for ECS03 with its
disablement threshold); a refusal answers each Set it can read, else one, with 0xFA "other
reason", the RTDS error result. A future-dated ECS03 is announced by two 8F66 alerts, threshold
activation first, then the account activation time, as RTDS sends them.
"""

from __future__ import annotations

from typing import ClassVar

from devices.gbcs import dlms, payment_mode
from devices.gbcs.alert_payload import CosemTarget, ZclTarget
from devices.gbcs.content import Protocol
from devices.gbcs.errors import GbcsError
from devices.gbcs.payment_mode import (
    ECS02,
    ECS03,
    DlmsSetResults,
    PaymentModeChange,
    PaymentModeResponse,
)
from devices.smets2 import Smets2Meter

# The attributes RTDS 8F66 alerts name (classes Account 111 and GBCS extended data 9000).
ACCOUNT_ACTIVATION_TIME = CosemTarget(
    payment_mode.ACCOUNT_CLASS,
    payment_mode.ACCOUNT_OBIS,
    payment_mode.ACCOUNT_ACTIVATION_TIME_ATTRIBUTE,
)
THRESHOLD_ACTIVATION_TIME = CosemTarget(
    payment_mode.EXTENDED_DATA_CLASS,
    payment_mode.DISABLEMENT_THRESHOLD_OBIS,
    payment_mode.THRESHOLD_ACTIVATION_TIME_ATTRIBUTE,
)
_SETS_WITHOUT_THRESHOLD = 3
_SETS_WITH_THRESHOLD = 5
# The success responses, one value each: every accepted command of a kind shares it, and its
# encoded content is then found by identity (encode_payment_mode_response keeps the last few).
_SUCCESS_WITHOUT_THRESHOLD = PaymentModeResponse(
    DlmsSetResults((dlms.DataAccessResult.SUCCESS,) * _SETS_WITHOUT_THRESHOLD)
)
_SUCCESS_WITH_THRESHOLD = PaymentModeResponse(
    DlmsSetResults((dlms.DataAccessResult.SUCCESS,) * _SETS_WITH_THRESHOLD)
)


class Esme(Smets2Meter):
    __slots__ = ()

    protocol: ClassVar[Protocol] = Protocol.DLMS
    commands: ClassVar[frozenset[int]] = frozenset({ECS02, ECS03})
    future_dated_alert_code: ClassVar[int] = 0x00CC

    def _accepted(self, change: PaymentModeChange) -> PaymentModeResponse:
        if change.disablement_threshold is None:
            return _SUCCESS_WITHOUT_THRESHOLD
        return _SUCCESS_WITH_THRESHOLD

    def _refused(self, content: bytes) -> PaymentModeResponse:
        return PaymentModeResponse(
            DlmsSetResults((dlms.DataAccessResult.OTHER_REASON,) * _set_count(content))
        )

    def _future_dated_targets(
        self, change: PaymentModeChange
    ) -> tuple[CosemTarget | ZclTarget, ...]:
        if change.disablement_threshold is None:
            return (ACCOUNT_ACTIVATION_TIME,)
        return (THRESHOLD_ACTIVATION_TIME, ACCOUNT_ACTIVATION_TIME)


def _set_count(content: bytes) -> int:
    """How many requests a refused payload holds, when it is a readable DLMS request at all."""
    try:
        apdu = dlms.decode_dlms(content)
    except GbcsError:
        return 1
    if isinstance(apdu, dlms.AccessRequest) and apdu.specs:
        return len(apdu.specs)
    return 1
