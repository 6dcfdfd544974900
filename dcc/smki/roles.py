"""Remote Party Roles and key usages, as SMKI Organisation certificates carry them.

The role is written in the certificate subject's OU as two hex digits (``02`` supplier, ``87``
xmlSign, ``89`` dspXmlSign); DCC Boxed before 1.4.1 wrote the DSP role in decimal (``137``),
so that legacy form is still read (spec duis-smki §4.1, §4.2).
"""

from __future__ import annotations

import re
from enum import IntEnum

from devices.gbcs.keystore import KeyUsage

from .errors import SmkiInputError

__all__ = ["KeyUsage", "RemotePartyRole", "parse_key_usage"]


class RemotePartyRole(IntEnum):
    ROOT = 0
    RECOVERY = 1
    SUPPLIER = 2
    NETWORK_OPERATOR = 3
    ACCESS_CONTROL_BROKER = 4
    TRANSITIONAL_COS = 5
    WAN_PROVIDER = 6
    ISSUING_AUTHORITY = 7
    LOAD_CONTROLLER = 8
    OTHER = 127
    XML_SIGN = 135
    DSP_XML_SIGN = 137

    @property
    def ou(self) -> str:
        """The subject OU that encodes this role: two upper-case hex digits."""
        return f"{self.value:02X}"

    @property
    def display_name(self) -> str:
        """The SMKI name (dccboxed-keystore ``CertificateRole``), e.g. ``xmlSign``."""
        return _DISPLAY_NAMES[self]

    @property
    def label(self) -> str:
        """Name and OU together, as reasons quote it: ``supplier (02)``."""
        return f"{self.display_name} ({self.ou})"

    @classmethod
    def from_ou(cls, text: str) -> RemotePartyRole:
        """The role a subject OU names: two hex digits, or the legacy three-digit decimal."""
        if re.fullmatch(r"[0-9A-Fa-f]{2}", text):
            code = int(text, 16)
        elif re.fullmatch(r"[0-9]{3}", text):
            code = int(text)
        else:
            raise SmkiInputError(f"OU {text!r} is not a Remote Party Role (two hex digits)")
        try:
            return cls(code)
        except ValueError:
            raise SmkiInputError(f"OU {text!r} names no known Remote Party Role") from None

    @classmethod
    def parse(cls, text: str) -> RemotePartyRole:
        """A role as a person types it: ``supplier``, ``xmlSign``, ``network-operator``, ``ACB``,
        ``TransCoS`` (the DUIS names) or the decimal code, ``135``."""
        key = re.sub(r"[-_\s]", "", text).lower()
        if key.isdigit():
            try:
                return cls(int(key))
            except ValueError:
                pass
        elif key in _BY_NAME:
            return _BY_NAME[key]
        known = ", ".join(role.display_name for role in cls)
        raise SmkiInputError(f"unknown Remote Party Role {text!r}; known: {known}")


_DISPLAY_NAMES = {
    RemotePartyRole.ROOT: "root",
    RemotePartyRole.RECOVERY: "recovery",
    RemotePartyRole.SUPPLIER: "supplier",
    RemotePartyRole.NETWORK_OPERATOR: "networkOperator",
    RemotePartyRole.ACCESS_CONTROL_BROKER: "accessControlBroker",
    RemotePartyRole.TRANSITIONAL_COS: "transitionalCoS",
    RemotePartyRole.WAN_PROVIDER: "wanProvider",
    RemotePartyRole.ISSUING_AUTHORITY: "issuingAuthority",
    RemotePartyRole.LOAD_CONTROLLER: "loadController",
    RemotePartyRole.OTHER: "other",
    RemotePartyRole.XML_SIGN: "xmlSign",
    RemotePartyRole.DSP_XML_SIGN: "dspXmlSign",
}
_BY_NAME = {name.lower(): role for role, name in _DISPLAY_NAMES.items()} | {
    "acb": RemotePartyRole.ACCESS_CONTROL_BROKER,
    "transcos": RemotePartyRole.TRANSITIONAL_COS,
}


def parse_key_usage(text: str) -> KeyUsage:
    """``ds`` / ``ka`` in any case, or the X.509 bit name."""
    key = text.strip().lower()
    for usage in KeyUsage:
        if key in (usage.value, usage.extension_name.lower()):
            return usage
    raise SmkiInputError(f"unknown key usage {text!r}; use DS or KA")
