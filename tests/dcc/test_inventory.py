"""The inventory's source: records made on first lookup, kept and checked like added ones."""

from __future__ import annotations

import copy
import pickle

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from dcc import _public_keys as public_keys
from dcc.inventory import DeviceKind, DeviceRecord, Inventory, InventoryError
from devices.gbcs.crypto import private_key_from_seed

KNOWN = bytes.fromhex("00DB000000000001")
KEY = private_key_from_seed(b"inventory", "device").public_key()


def _source(device_id: bytes) -> DeviceRecord | None:
    if device_id != KNOWN:
        return None
    return DeviceRecord(device_id, DeviceKind.ESME, bytes(8), KEY, KEY)


def test_a_source_makes_a_record_once_and_the_inventory_keeps_it() -> None:
    asked: list[bytes] = []
    inventory = Inventory(lambda device: asked.append(device) or _source(device))
    assert len(inventory) == 0
    record = inventory.get(KNOWN)
    assert record is not None and inventory.get(KNOWN) is record
    assert asked == [KNOWN] and list(inventory) == [record]
    assert inventory.get(bytes(8)) is None


def test_a_source_record_is_checked_like_an_added_one() -> None:
    inventory = Inventory(lambda device: DeviceRecord(device, DeviceKind.ESME, bytes(8)))
    with pytest.raises(InventoryError):
        inventory.get(KNOWN)


def test_without_a_source_only_added_devices_are_known() -> None:
    inventory = Inventory()
    assert inventory.get(KNOWN) is None
    inventory.add(_source(KNOWN))
    assert inventory.get(KNOWN).device_id == KNOWN


def test_a_record_holds_points_and_gives_back_the_same_keys_after_they_were_let_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = private_key_from_seed(b"inventory", "other").public_key()
    record = DeviceRecord(KNOWN, DeviceKind.ESME, bytes(8), KEY, other)
    monkeypatch.setattr(public_keys, "LOADED", 1)
    public_keys.point_of(private_key_from_seed(b"inventory", "third").public_key())
    assert record.ka_public_key == KEY and record.ds_public_key == other
    assert record.ds_public_key == other  # loaded again from its point, not another key
    assert record == DeviceRecord(KNOWN, DeviceKind.ESME, bytes(8), KEY, other)
    assert record != DeviceRecord(KNOWN, DeviceKind.ESME, bytes(8), other, KEY)
    with pytest.raises(AttributeError, match="immutable"):
        record.ds_point = record.ka_point  # type: ignore[misc]


def test_a_device_key_must_be_p256() -> None:
    wrong = ec.generate_private_key(ec.SECP384R1()).public_key()
    with pytest.raises(TypeError, match="P-256"):
        DeviceRecord(KNOWN, DeviceKind.ESME, bytes(8), KEY, wrong)


def test_a_record_is_copied_and_pickled_whole() -> None:
    record = DeviceRecord(KNOWN, DeviceKind.ESME, bytes(8), KEY, KEY)
    for copied in (pickle.loads(pickle.dumps(record)), copy.deepcopy(record)):
        assert copied == record and copied.ds_public_key == KEY
