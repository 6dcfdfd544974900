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

from .codes import invalid
from .elements import (
    Children,
    add,
    add_optional,
    eui64,
    integer,
    located,
    optional_text,
    optional_value,
    sr,
    text,
    value,
)
from .ids import check_eui64, format_eui64
from .values import check_length, check_range, enum_parser, parse_int

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
class PropertyFilter:
    """An address: post code and the identifier of the property within it."""

    post_code: str
    address_identifier: str

    def __post_init__(self) -> None:
        check_length(self.post_code, 6, 8, "PostCode")
        check_length(self.address_identifier, 0, 30, "AddressIdentifier")

    @classmethod
    def from_element(cls, element: etree._Element) -> PropertyFilter:
        children = Children(element)
        post_code = text(children.required("PostCode"))
        address_identifier = text(children.required("AddressIdentifier"))
        children.finish()
        return cls(post_code, address_identifier)

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, "PropertyFilter")
        add(element, "PostCode", self.post_code)
        add(element, "AddressIdentifier", self.address_identifier)


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
        if selector.tag == sr("DeviceID"):
            return cls(device_id=eui64(selector))
        if selector.tag == sr("UPRN"):
            return cls(uprn=integer(selector, *UPRN_RANGE))
        if selector.tag == sr("MPxN"):
            return cls(mpxn=text(selector))
        if selector.tag == sr("PropertyFilter"):
            return cls(property_filter=PropertyFilter.from_element(selector))
        raise located(selector, "not a selector (DeviceID, UPRN, MPxN or PropertyFilter)")

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, self.ELEMENT)
        if self.device_id is not None:
            add(element, "DeviceID", format_eui64(self.device_id))
        elif self.uprn is not None:
            add(element, "UPRN", str(self.uprn))
        elif self.mpxn is not None:
            add(element, "MPxN", self.mpxn)
        elif self.property_filter is not None:
            self.property_filter.append_to(element)


# Optional free-text fields of sr:Device, in wire order, either side of UPRN and PropertyFilter.
_BEFORE_ADDRESS = (
    ("SMETSCHTSVersion", "smets_chts_version"),
    ("DeviceFirmwareVersion", "firmware_version"),
    ("DeviceFirmwareVersionStatus", "firmware_version_status"),
    ("CPLStatus", "cpl_status"),
    ("DateCommissioned", "date_commissioned"),
    ("ImportMPxN", "import_mpxn"),
    ("SecondaryImportMPAN", "secondary_import_mpan"),
    ("ExportMPAN", "export_mpan"),
    ("ESMEVariant", "esme_variant"),
)
_AFTER_ADDRESS = (
    ("CSPRegion", "csp_region"),
    ("DeviceGBCSVersion", "gbcs_version"),
    ("HANVariant", "han_variant"),
    ("S1SP", "s1sp"),
    ("Connectivity", "connectivity"),
)


@dataclass(frozen=True, slots=True)
class InventoryDevice:
    """One ``sr:Device`` of a ``DSPInventory``.

    ``date_commissioned`` stays text: an xs:date may carry a zone (``2025-12-28Z``) that
    :class:`datetime.date` cannot hold.
    """

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

    @classmethod
    def from_element(cls, element: etree._Element) -> InventoryDevice:
        children = Children(element)
        device_id = eui64(children.required("DeviceID"))
        device_type = value(children.required("DeviceType"), enum_parser(DeviceType), preserve=True)
        status = optional_value(
            children.optional("DeviceStatus"), enum_parser(DeviceStatus), preserve=True
        )
        manufacturer = text(children.required("DeviceManufacturer"))
        model = text(children.required("DeviceModel"))
        before = {field: optional_text(children.optional(name)) for name, field in _BEFORE_ADDRESS}
        uprn = optional_value(children.optional("UPRN"), lambda raw: parse_int(raw, *UPRN_RANGE))
        found = children.optional("PropertyFilter")
        property_filter = None if found is None else PropertyFilter.from_element(found)
        after = {field: optional_text(children.optional(name)) for name, field in _AFTER_ADDRESS}
        children.finish()
        return cls(
            device_id,
            device_type,
            manufacturer,
            model,
            status,
            uprn=uprn,
            property_filter=property_filter,
            **before,
            **after,
        )

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, "Device")
        add(element, "DeviceID", format_eui64(self.device_id))
        add(element, "DeviceType", str(self.device_type))
        add_optional(element, "DeviceStatus", self.status)
        add(element, "DeviceManufacturer", self.manufacturer)
        add(element, "DeviceModel", self.model)
        for name, field in _BEFORE_ADDRESS:
            add_optional(element, name, getattr(self, field))
        add_optional(element, "UPRN", self.uprn)
        if self.property_filter is not None:
            self.property_filter.append_to(element)
        for name, field in _AFTER_ADDRESS:
            add_optional(element, name, getattr(self, field))


@dataclass(frozen=True, slots=True)
class DSPInventory:
    """The DCC's answer to SR 8.2: one to seventeen devices."""

    ELEMENT: ClassVar[str] = "DSPInventory"

    devices: tuple[InventoryDevice, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.devices) <= MAX_INVENTORY_DEVICES:
            raise invalid(f"a DSPInventory holds 1 to 17 devices, not {len(self.devices)}")

    @classmethod
    def from_element(cls, element: etree._Element) -> DSPInventory:
        children = Children(element)
        devices = []
        while (device := children.optional("Device")) is not None:
            devices.append(InventoryDevice.from_element(device))
        children.finish()
        return cls(tuple(devices))

    def append_to(self, parent: etree._Element) -> None:
        element = add(parent, self.ELEMENT)
        for device in self.devices:
            device.append_to(element)
