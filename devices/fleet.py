"""A fleet of SMETS2+ meters keyed by EUI-64, made on first use.

A rehearsal fleet has 100,000 meters or more, most of which only ever raise the odd alert. So a
meter is created when it is first asked for, its keys are derived from the run's seed when it
first needs them, and every meter shares the immutable parts: the trust anchors (hence the ACB
key and the supplier anchors), the seed, the starting account and the alert catalogue. No meter
has a thread or a process of its own; the host drives them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from devices.credentials import DeviceSecurityCredentials, TrustAnchors
from devices.esme import Esme
from devices.gbcs import alerts
from devices.gbcs.keystore import parse_eui64
from devices.gsme import Gsme
from devices.meter import DEFAULT_ACCOUNT, Account
from devices.smets2 import Smets2Meter

_M = TypeVar("_M", bound=Smets2Meter)


class Fleet:
    """Meters that all start alike: same anchors, registered supplier and account."""

    def __init__(
        self,
        seed: bytes,
        anchors: TrustAnchors,
        registered_supplier: bytes,
        *,
        account: Account = DEFAULT_ACCOUNT,
        alert_catalogue: alerts.AlertCatalogue = alerts.DEFAULT,
    ) -> None:
        self._seed = seed
        self._anchors = anchors
        self._supplier = parse_eui64(registered_supplier)
        self._account = account
        self._alerts = alert_catalogue
        self._meters: dict[bytes, Smets2Meter] = {}

    def esme(self, eui64: bytes) -> Esme:
        """The ESME ``eui64``, created now if it is new."""
        return self._meter(eui64, Esme)

    def gsme(self, eui64: bytes) -> Gsme:
        """The GSME ``eui64``, created now if it is new."""
        return self._meter(eui64, Gsme)

    def __getitem__(self, eui64: bytes) -> Smets2Meter:
        """A meter already created; KeyError otherwise."""
        return self._meters[eui64]

    def __contains__(self, eui64: object) -> bool:
        return eui64 in self._meters

    def __len__(self) -> int:
        return len(self._meters)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._meters)

    def _meter(self, eui64: bytes, kind: type[_M]) -> _M:
        meter = self._meters.get(eui64)
        if meter is None:
            credentials = DeviceSecurityCredentials(eui64, self._anchors, seed=self._seed)
            meter = kind(
                credentials, self._supplier, account=self._account, alert_catalogue=self._alerts
            )
            self._meters[credentials.eui64] = meter
        if not isinstance(meter, kind):
            raise TypeError(
                f"{eui64.hex().upper()} is a {type(meter).__name__}, not {kind.__name__}"
            )
        return meter
