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
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric import ec

from dcc._public_keys import key_of, point_of


class DeviceKind(StrEnum):
    ESME = "ESME"
    GSME = "GSME"
    SMETS1 = "SMETS1"


class DeviceRecord:
    """One device: its kind, registered supplier and public keys. Immutable. The keys are
    held as their points (:mod:`dcc._public_keys`): a record costs bytes, not kilobytes."""

    __slots__ = ("device_id", "ds_point", "ka_point", "kind", "registered_supplier")
    device_id: bytes
    kind: DeviceKind
    registered_supplier: bytes
    ka_point: bytes | None
    ds_point: bytes | None

    def __init__(
        self,
        device_id: bytes,
        kind: DeviceKind,
        registered_supplier: bytes,
        ka_public_key: ec.EllipticCurvePublicKey | None = None,
        ds_public_key: ec.EllipticCurvePublicKey | None = None,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "device_id", device_id)
        set_(self, "kind", kind)
        set_(self, "registered_supplier", registered_supplier)
        set_(self, "ka_point", None if ka_public_key is None else point_of(ka_public_key))
        set_(self, "ds_point", None if ds_public_key is None else point_of(ds_public_key))

    @classmethod
    def from_points(
        cls,
        device_id: bytes,
        kind: DeviceKind,
        registered_supplier: bytes,
        ka_point: bytes | None,
        ds_point: bytes | None,
    ) -> DeviceRecord:
        """The record of keys given as their points (checked: each must load as a P-256 key)."""
        return cls(
            device_id,
            kind,
            registered_supplier,
            None if ka_point is None else key_of(ka_point),
            None if ds_point is None else key_of(ds_point),
        )

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (DeviceRecord.from_points, self._fields())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a DeviceRecord is immutable: cannot set {name}")

    @property
    def ka_public_key(self) -> ec.EllipticCurvePublicKey | None:
        return None if self.ka_point is None else key_of(self.ka_point)

    @property
    def ds_public_key(self) -> ec.EllipticCurvePublicKey | None:
        return None if self.ds_point is None else key_of(self.ds_point)

    @property
    def smets1(self) -> bool:
        return self.kind is DeviceKind.SMETS1

    def _fields(self) -> tuple[object, ...]:
        return (self.device_id, self.kind, self.registered_supplier, self.ka_point, self.ds_point)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DeviceRecord):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"DeviceRecord(device_id={self.device_id!r}, kind={self.kind!r}, "
            f"registered_supplier={self.registered_supplier!r}, "
            f"ka_point={self.ka_point!r}, ds_point={self.ds_point!r})"
        )


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
        if not record.smets1 and (record.ka_point is None or record.ds_point is None):
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
