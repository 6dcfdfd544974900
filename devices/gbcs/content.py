"""The two content protocols of SMETS2+ meters, told apart by their first bytes."""

from __future__ import annotations

from enum import Enum

from .gbz import PROFILE_ID


class Protocol(Enum):
    DLMS = "DLMS"  # ESME payloads
    GBZ = "GBZ"  # GSME payloads


def is_gbz(content: bytes) -> bool:
    """GBZ payloads open with the ZigBee SE profile id; DLMS APDUs never do."""
    return content[:2] == PROFILE_ID
