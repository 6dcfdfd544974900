"""SRV 8.2 Read Inventory: the request body and the DCC's ``DSPInventory`` answer.

The SRP reads the inventory to find the failed supplier's meters before switching them. Free-text
and enumerated inventory fields the simulation does not reason about are kept as the DCC wrote
them (``str``); :mod:`dcc.duis.schema` checks their enumerations and lengths.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from lxml import etree

from ._layout import EUI64, TEXT, Child, Field, Nested, Record, bounded, enumeration
from .elements import (
    Children,
    add,
    located,
    sr,
)
from .errors import invalid
from .ids import check_eui64
from .values import check_length, check_range

UPRN_RANGE = (1, 10**12 - 1)
MAX_INVENTORY_DEVICES = 17


class DeviceType(StrEnum):
    ESME = "ESME"
    GSME = "GSME"
    GPF = "GPF"
    CHF = "CHF"
    HCALCS = "HCALCS"
    PPMID = "PPMID"
    IHD = "IHD"
    CAD = "CAD"


class DeviceStatus(StrEnum):
    """SMI status of a device in the DCC inventory."""

    PENDING = "Pending"
    WHITELISTED = "Whitelisted"
    INSTALLED_NOT_COMMISSIONED = "InstalledNotCommissioned"
    COMMISSIONED = "Commissioned"
    DECOMMISSIONED = "Decommissioned"
    WITHDRAWN = "Withdrawn"
    SUSPENDED = "Suspended"
    RECOVERY = "Recovery"
    RECOVERED = "Recovered"


@dataclass(frozen=True, slots=True)
class PropertyFilter(Record):
    """An address: post code and the identifier of the property within it."""

    ELEMENT: ClassVar[str] = "PropertyFilter"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Child("PostCode", "post_code", TEXT),
        Child("AddressIdentifier", "address_identifier", TEXT),
    )

    post_code: str
    address_identifier: str

    def __post_init__(self) -> None:
        check_length(self.post_code, 6, 8, "PostCode")
        check_length(self.address_identifier, 0, 30, "AddressIdentifier")


# The members of ReadInventory's choice; a request holds exactly one.
_SELECTORS = (
    Child("DeviceID", "device_id", EUI64, optional=True),
    Child("UPRN", "uprn", bounded(*UPRN_RANGE), optional=True),
    Child("MPxN", "mpxn", TEXT, optional=True),
    Child("PropertyFilter", "property_filter", Nested(PropertyFilter), optional=True),
)


@dataclass(frozen=True, slots=True)
class ReadInventory:
    """SR 8.2 body: exactly one selector - a device, a UPRN, an import MPxN or an address."""

    ELEMENT: ClassVar[str] = "ReadInventory"

    device_id: bytes | None = None
    uprn: int | None = None
    mpxn: str | None = None
    property_filter: PropertyFilter | None = None

    def __post_init__(self) -> None:
        selectors = (self.device_id, self.uprn, self.mpxn, self.property_filter)
        if sum(selector is not None for selector in selectors) != 1:
            raise invalid("ReadInventory takes exactly one of DeviceID, UPRN, MPxN, PropertyFilter")
        if self.device_id is not None:
            check_eui64(self.device_id, "DeviceID")
        if self.uprn is not None:
            check_range(self.uprn, *UPRN_RANGE, what="UPRN")
        if self.mpxn is not None:
            check_length(self.mpxn, 1, 13, "MPxN")

    @classmethod
    def from_element(cls, element: etree._Element) -> ReadInventory:
        children = Children(element)
        selector = children.any()
        children.finish()
        for field in _SELECTORS:
            if selector.tag == sr(field.name):
                return cls(**{field.attr: field.codec.read(selector)})
        raise located(selector, "not a selector (DeviceID, UPRN, MPxN or PropertyFilter)")

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, self.ELEMENT)
        for field in _SELECTORS:
            field.write(element, getattr(self, field.attr))


def _free_text(*names: tuple[str, str]) -> tuple[Child, ...]:
    return tuple(Child(name, attr, TEXT, optional=True) for name, attr in names)


@dataclass(frozen=True, slots=True)
class InventoryDevice(Record):
    """One ``sr:Device`` of a ``DSPInventory``.

    ``date_commissioned`` stays text: an xs:date may carry a zone (``2025-12-28Z``) that
    :class:`datetime.date` cannot hold.
    """

    ELEMENT: ClassVar[str] = "Device"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Child("DeviceID", "device_id", EUI64),
        Child("DeviceType", "device_type", enumeration(DeviceType)),
        Child("DeviceStatus", "status", enumeration(DeviceStatus), optional=True),
        Child("DeviceManufacturer", "manufacturer", TEXT),
        Child("DeviceModel", "model", TEXT),
        *_free_text(
            ("SMETSCHTSVersion", "smets_chts_version"),
            ("DeviceFirmwareVersion", "firmware_version"),
            ("DeviceFirmwareVersionStatus", "firmware_version_status"),
            ("CPLStatus", "cpl_status"),
            ("DateCommissioned", "date_commissioned"),
            ("ImportMPxN", "import_mpxn"),
            ("SecondaryImportMPAN", "secondary_import_mpan"),
            ("ExportMPAN", "export_mpan"),
            ("ESMEVariant", "esme_variant"),
        ),
        Child("UPRN", "uprn", bounded(*UPRN_RANGE), optional=True),
        Child("PropertyFilter", "property_filter", Nested(PropertyFilter), optional=True),
        *_free_text(
            ("CSPRegion", "csp_region"),
            ("DeviceGBCSVersion", "gbcs_version"),
            ("HANVariant", "han_variant"),
            ("S1SP", "s1sp"),
            ("Connectivity", "connectivity"),
        ),
    )

    device_id: bytes
    device_type: DeviceType
    manufacturer: str
    model: str
    status: DeviceStatus | None = None
    smets_chts_version: str | None = None
    firmware_version: str | None = None
    firmware_version_status: str | None = None
    cpl_status: str | None = None
    date_commissioned: str | None = None
    import_mpxn: str | None = None
    secondary_import_mpan: str | None = None
    export_mpan: str | None = None
    esme_variant: str | None = None
    uprn: int | None = None
    property_filter: PropertyFilter | None = None
    csp_region: str | None = None
    gbcs_version: str | None = None
    han_variant: str | None = None
    s1sp: str | None = None
    connectivity: str | None = None

    def __post_init__(self) -> None:
        check_eui64(self.device_id, "DeviceID")
        if self.uprn is not None:
            check_range(self.uprn, *UPRN_RANGE, what="UPRN")


@dataclass(frozen=True, slots=True)
class DSPInventory(Record):
    """The DCC's answer to SR 8.2: one to seventeen devices."""

    ELEMENT: ClassVar[str] = "DSPInventory"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Child("Device", "devices", Nested(InventoryDevice), repeated=True),
    )

    devices: tuple[InventoryDevice, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.devices) <= MAX_INVENTORY_DEVICES:
            raise invalid(f"a DSPInventory holds 1 to 17 devices, not {len(self.devices)}")
