"""The DCC's device inventory: what each device is and who its registered supplier is.

The DCC holds each SMETS2+ device's key agreement and digital signing public keys (from its
device certificates) so that the ACB can MAC commands to it and the DCC can check its
responses and alerts. SMETS1 devices are reached through the SMETS1 service provider.

A simulated fleet of a million meters need not hold a record, let alone two public keys, per
device: an inventory may be given a ``source`` that makes the record of a device the inventory
has not seen yet (deriving its keys then), and the record is kept from then on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric import ec


class DeviceKind(StrEnum):
    ESME = "ESME"
    GSME = "GSME"
    SMETS1 = "SMETS1"


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    device_id: bytes
    kind: DeviceKind
    registered_supplier: bytes
    ka_public_key: ec.EllipticCurvePublicKey | None = None
    ds_public_key: ec.EllipticCurvePublicKey | None = None

    @property
    def smets1(self) -> bool:
        return self.kind is DeviceKind.SMETS1


class InventoryError(Exception):
    """A device record the DCC refuses, with the reason."""


# Makes the record of a device on first use; None for a device it does not know.
DeviceSource = Callable[[bytes], DeviceRecord | None]


class Inventory:
    """The devices the DCC knows. ``len`` and iteration cover the records held: those added,
    and those a ``source`` has made so far."""

    def __init__(self, source: DeviceSource | None = None) -> None:
        self._devices: dict[bytes, DeviceRecord] = {}
        self._source = source

    def add(self, record: DeviceRecord) -> DeviceRecord:
        if record.device_id in self._devices:
            raise InventoryError(f"device {record.device_id.hex().upper()} is already in inventory")
        if not record.smets1 and (record.ka_public_key is None or record.ds_public_key is None):
            raise InventoryError("a SMETS2+ device needs its KA and DS public keys")
        self._devices[record.device_id] = record
        return record

    def get(self, device_id: bytes) -> DeviceRecord | None:
        record = self._devices.get(device_id)
        if record is None and self._source is not None:
            made = self._source(device_id)
            record = None if made is None else self.add(made)
        return record

    def __len__(self) -> int:
        return len(self._devices)

    def __iter__(self) -> Iterator[DeviceRecord]:
        return iter(self._devices.values())
