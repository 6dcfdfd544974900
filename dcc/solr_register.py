"""The SoLR register: Ofgem's SoLR notifications and instructions, and the SRP each supplier
arranged in advance, as the DCC records them.

An instruction names the failed supplier and the SRP User ID appointed to act for it; the
DCC accepts one only after the SoLR notification for that supplier (R6.2). An arrangement is the
service an SRP offers its suppliers before anything fails (MP134B 2.1.1): it says where the
supplier's alerts go the moment its certificates are revoked (R7.1), before Ofgem has spoken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class RegisterError(Exception):
    """An instruction the DCC cannot record, with the reason."""


@dataclass(frozen=True, slots=True)
class SolrNotification:
    failed_supplier: bytes
    at: datetime


@dataclass(frozen=True, slots=True)
class OfgemInstruction:
    failed_supplier: bytes
    srp_user_id: bytes
    at: datetime


@dataclass(frozen=True, slots=True)
class SrpArrangement:
    supplier: bytes
    srp_user_id: bytes
    at: datetime


class SolrRegister:
    def __init__(self) -> None:
        self._notifications: dict[bytes, SolrNotification] = {}
        self._instructions: dict[bytes, OfgemInstruction] = {}
        self._arrangements: dict[bytes, SrpArrangement] = {}

    def arrange(self, arrangement: SrpArrangement) -> None:
        """Record (or replace) the SRP a supplier has arranged to act for it if it fails."""
        self._arrangements[arrangement.supplier] = arrangement

    def arranged_srp(self, supplier: bytes, at: datetime) -> bytes | None:
        """The SRP ``supplier`` had arranged by ``at``, if any."""
        arrangement = self._arrangements.get(supplier)
        return arrangement.srp_user_id if arrangement and arrangement.at <= at else None

    def arrangements(self) -> list[SrpArrangement]:
        return list(self._arrangements.values())

    def notify(self, notification: SolrNotification) -> None:
        self._notifications.setdefault(notification.failed_supplier, notification)

    def instruct(self, instruction: OfgemInstruction) -> None:
        notified = self._notifications.get(instruction.failed_supplier)
        if notified is None or notified.at > instruction.at:
            supplier = instruction.failed_supplier.hex().upper()
            raise RegisterError(f"no SoLR notification for supplier {supplier} on record")
        self._instructions[instruction.failed_supplier] = instruction

    def notification_for(self, supplier: bytes) -> SolrNotification | None:
        return self._notifications.get(supplier)

    def instruction_for(self, supplier: bytes, at: datetime) -> OfgemInstruction | None:
        """The instruction in force for ``supplier`` at ``at``."""
        instruction = self._instructions.get(supplier)
        return instruction if instruction is not None and instruction.at <= at else None

    def suppliers_for(self, srp_user_id: bytes, at: datetime) -> list[bytes]:
        """The failed suppliers ``srp_user_id`` has been instructed to act for by ``at``."""
        return [
            i.failed_supplier
            for i in self._instructions.values()
            if i.srp_user_id == srp_user_id and i.at <= at
        ]

    def notifications(self) -> list[SolrNotification]:
        return list(self._notifications.values())

    def instructions(self) -> list[OfgemInstruction]:
        return list(self._instructions.values())
