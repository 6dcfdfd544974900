"""SR 8.2 Read Inventory answered from the DCC's inventory: a device record as a DUIS ``sr:Device``.

The pipeline has already found the device and checked that the User may see it; this module only
says what the DCC knows of it, in the shape of the DCC Boxed 8.2 response. solrsim's inventory
holds what the DCC needs to command a device (its type, its registered supplier, its keys), so:

- DeviceType: ESME or GSME; a SMETS1 record is reported as ESME, solrsim's SMETS1 meter being
  the one payment-mode meter the SMETS1 service provider reaches.
- DeviceStatus: Commissioned. The inventory holds only devices the DCC communicates with (a
  SMETS2+ record needs the device's certificates' keys), which is what commissioning gives.
- SMETSCHTSVersion: ``SMETS1`` or ``SMETS2``; the inventory records the generation only.
- DeviceManufacturer and DeviceModel, which DUIS requires, are empty: the inventory records
  neither. Nothing else is reported, as nothing else is known (no MPxN, UPRN or address).

DUIS has no element for the registered supplier: who that is decides who may read the device
(the ``registered-supplier`` stage of :mod:`dcc.pipeline`), not what the answer says.
"""

from __future__ import annotations

from dcc.duis.inventory import DeviceStatus, DeviceType, DSPInventory, InventoryDevice
from dcc.inventory import DeviceKind, DeviceRecord

_DEVICE_TYPES = {
    DeviceKind.ESME: DeviceType.ESME,
    DeviceKind.GSME: DeviceType.GSME,
    DeviceKind.SMETS1: DeviceType.ESME,
}


def read_inventory(record: DeviceRecord) -> DSPInventory:
    """The ``DSPInventory`` answering an 8.2 request by DeviceID: that device alone."""
    device = InventoryDevice(
        record.device_id,
        _DEVICE_TYPES[record.kind],
        manufacturer="",
        model="",
        status=DeviceStatus.COMMISSIONED,
        smets_chts_version="SMETS1" if record.smets1 else "SMETS2",
    )
    return DSPInventory((device,))
