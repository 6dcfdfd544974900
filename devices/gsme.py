"""The gas meter (GSME): SR 1.6 as GCS02/GCS03, GBZ payloads (ZSE Change Payment Mode).

A success is the ZSE Change Payment Mode Response with the values the RTDS GSME reports; a
refusal is a ZCL Default Response to Change Payment Mode with status 0x80 MALFORMED_COMMAND,
echoing the command's ZCL sequence number when the payload has one.
"""

from __future__ import annotations

from typing import ClassVar

from devices.gbcs import gbz
from devices.gbcs.alert_payload import CosemTarget, ZclTarget
from devices.gbcs.content import Protocol
from devices.gbcs.errors import GbcsError
from devices.gbcs.payment_mode import (
    GCS02,
    GCS03,
    GbzPaymentModeDetails,
    PaymentModeChange,
    PaymentModeResponse,
    ZclChangePaymentModeResponse,
    ZclDefaultResponse,
)
from devices.smets2 import Smets2Meter

# What an 8F66 alert names: the Prepayment cluster's Change Payment Mode command.
CHANGE_PAYMENT_MODE = ZclTarget(cluster_id=0x0705, frame_control=0x01, command_id=0x06)
ZCL_MALFORMED_COMMAND = 0x80
# The Change Payment Mode Response fields of every RTDS GCS02/GCS03 success response.
_FRIENDLY_CREDIT = 1
_FRIENDLY_CREDIT_CALENDAR_ID = 2
_EMERGENCY_CREDIT_LIMIT = 1_000_000
_EMERGENCY_CREDIT_THRESHOLD = 200_000


class Gsme(Smets2Meter):
    __slots__ = ()

    protocol: ClassVar[Protocol] = Protocol.GBZ
    commands: ClassVar[frozenset[int]] = frozenset({GCS02, GCS03})
    future_dated_alert_code: ClassVar[int] = 0x00CD

    def _accepted(self, change: PaymentModeChange) -> PaymentModeResponse:
        details = change.details
        sequence = details.sequence_number if isinstance(details, GbzPaymentModeDetails) else 0
        return PaymentModeResponse(
            ZclChangePaymentModeResponse(
                sequence,
                _FRIENDLY_CREDIT,
                _FRIENDLY_CREDIT_CALENDAR_ID,
                _EMERGENCY_CREDIT_LIMIT,
                _EMERGENCY_CREDIT_THRESHOLD,
            )
        )

    def _refused(self, content: bytes) -> PaymentModeResponse:
        return PaymentModeResponse(
            ZclDefaultResponse(_sequence_number(content), ZCL_MALFORMED_COMMAND)
        )

    def _future_dated_targets(
        self, change: PaymentModeChange
    ) -> tuple[CosemTarget | ZclTarget, ...]:
        return (CHANGE_PAYMENT_MODE,)


def _sequence_number(content: bytes) -> int:
    """The ZCL sequence number of a refused payload's first plaintext frame, else 0."""
    try:
        components = gbz.decode_gbz(content).components
    except GbcsError:
        return 0
    frames = [c.frame for c in components if isinstance(c.frame, gbz.ZclFrame)]
    return frames[0].sequence_number if frames else 0
