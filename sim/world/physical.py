"""The physical meters of a rehearsal: their public keys, and their serial links while it runs.

A physical meter is enrolled like a fleet meter, for the public keys it holds: with ``keys:
seed`` the ones the run's seed gives its EUI-64 (as the fleet's), with ``keys: {keystore: DIR}``
the ``<eui>-ds.pem`` and ``<eui>-ka.pem`` of that folder. :class:`PhysicalLink` stands in the
population for the meter: a :class:`~devices.serial.SerialMeter` that counts what the meter
answered and when it stayed silent, and turns a failed port into silence (the DCC then sees no
response, as for a meter off the WAN) instead of an exception in the middle of the world.

Calls block: a command waits for the meter's answer (``reply_timeout``, 2 s, when it stays
silent). A world with physical meters runs on a wall clock, so time the world spends waiting is
time the meter really took; the rest of the world waits with it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from dcc.enrolment import DEVICE_KEY_USAGES
from dcc.inventory import DeviceKind
from devices.credentials import device_key
from devices.gbcs.errors import GbcsError
from devices.gbcs.keystore import KeyUsage, load_keystore
from devices.serial import (
    Fault,
    LinkEvent,
    Received,
    SerialLinkError,
    SerialMeter,
    Silence,
    log_event,
)
from devices.serial_framing import FrameType
from sim.scenario.model import KeystoreKeys, PhysicalMeter, Scenario

# How long the world waits, in wall seconds, for a physical meter's first answer.
REPLY_TIMEOUT = 2.0
# How often, in wall seconds, the world collects the alerts a physical meter sent unasked.
WATCH_INTERVAL = 0.1


class PhysicalMeterError(Exception):
    """A physical meter of the scenario cannot take part: its keys or its port, and why."""


def physical_meter_keys(
    meter: PhysicalMeter, kind: DeviceKind, seed: bytes
) -> dict[KeyUsage, ec.EllipticCurvePublicKey]:
    """The public keys ``meter`` holds, which its Device certificates certify."""
    usages = DEVICE_KEY_USAGES[kind]
    if meter.keys == "seed":
        return {usage: device_key(seed, meter.eui64, usage).public_key() for usage in usages}
    assert isinstance(meter.keys, KeystoreKeys)
    folder = Path(meter.keys.keystore)
    try:
        store = load_keystore(folder)
    except (OSError, GbcsError, ValueError) as exc:
        raise PhysicalMeterError(f"{meter.eui}: cannot read key folder {folder}: {exc}") from None
    keys = {usage: store.public(meter.eui64, usage) for usage in usages}
    missing = [f"{meter.eui64.hex()}-{usage.value}.pem" for usage, key in keys.items() if not key]
    if missing:
        raise PhysicalMeterError(f"{meter.eui}: key folder {folder} lacks {', '.join(missing)}")
    return {usage: key for usage, key in keys.items() if key is not None}


@dataclass
class LinkCounts:
    """What crossed one meter's link: GBCS frames it sent, ERROR frames it sent (a refused
    command, docs/serial.md), calls it left unanswered, and port faults."""

    answers: int = 0
    refusals: int = 0
    silences: int = 0
    faults: int = 0


class PhysicalLink:
    """A physical meter in the population (the Meter protocol), over its serial link."""

    def __init__(self, meter: PhysicalMeter, *, reply_timeout: float = REPLY_TIMEOUT) -> None:
        self.model = meter
        self.counts = LinkCounts()
        self._lock = threading.Lock()
        try:
            self._serial = SerialMeter(
                meter.port,
                meter.eui64,
                reply_timeout=reply_timeout,
                expected_answers=1,
                on_event=self._count,
            )
        except SerialLinkError as exc:
            raise PhysicalMeterError(f"{meter.eui}: {exc}") from None

    @property
    def eui64(self) -> bytes:
        return self.model.eui64

    def receive(self, frame: bytes, now: datetime) -> list[bytes]:
        try:
            return self._serial.receive(frame, now)
        except SerialLinkError as exc:
            self._count(Fault(str(exc)))
            return []

    def trigger(self, alert_code: int, now: datetime) -> list[bytes]:
        try:
            return self._serial.trigger(alert_code, now)
        except SerialLinkError as exc:
            self._count(Fault(str(exc)))
            return []

    def advance(self, now: datetime) -> list[bytes]:
        return self._serial.advance(now)

    def next_due(self) -> datetime | None:
        return self._serial.next_due()

    def close(self) -> None:
        self._serial.close()

    def _count(self, event: LinkEvent) -> None:
        """Called from the caller's thread and the link's reader thread."""
        log_event(event)
        with self._lock:
            if isinstance(event, Received) and event.frame.kind is FrameType.GBCS:
                self.counts.answers += 1
            elif isinstance(event, Received) and event.frame.kind is FrameType.ERROR:
                self.counts.refusals += 1
            elif isinstance(event, Silence):
                self.counts.silences += 1
            elif isinstance(event, Fault):
                self.counts.faults += 1


def open_links(meters: Iterable[PhysicalMeter]) -> dict[bytes, PhysicalLink]:
    """A link to each meter, by EUI-64; none left open if one cannot be opened."""
    links: dict[bytes, PhysicalLink] = {}
    try:
        for meter in meters:
            links[meter.eui64] = PhysicalLink(meter)
    except PhysicalMeterError:
        close_links(links)
        raise
    return links


def close_links(links: Mapping[bytes, PhysicalLink]) -> None:
    for link in links.values():
        link.close()


def split_eui64_option(text: str) -> tuple[bytes, str] | None:
    """``EUI=VALUE`` as the command line takes it, the EUI-64 dashed or bare hex: (EUI-64,
    value), or None unless both are there."""
    eui, sep, value = text.partition("=")
    try:
        eui64 = bytes.fromhex(eui.replace("-", ""))
    except ValueError:
        return None
    return (eui64, value) if sep and len(eui64) == 8 and value else None


def parse_serial_option(text: str) -> tuple[bytes, str]:
    """``EUI=PORT`` as ``--serial`` takes it: the EUI-64 and the port."""
    pair = split_eui64_option(text)
    if pair is None:
        raise PhysicalMeterError(f"{text!r} is not EUI=PORT (EUI an EUI-64, PORT a device or URL)")
    return pair


def with_ports(scenario: Scenario, ports: Mapping[bytes, str]) -> Scenario:
    """``scenario`` with the ports given for its physical meters instead of its own."""
    declared = {meter.eui64: i for i, meter in enumerate(scenario.physical_meters)}
    unknown = [eui.hex().upper() for eui in ports if eui not in declared]
    if unknown:
        raise PhysicalMeterError(
            f"no physical meter {', '.join(unknown)} in the scenario; declare it under "
            "physical_meters (port, device_class, eui, supplier, payment_mode, keys)"
        )
    meters = []
    for meter in scenario.physical_meters:
        port = ports.get(meter.eui64)
        if port is None:
            meters.append(meter)
            continue
        try:
            meters.append(PhysicalMeter.model_validate({**meter.model_dump(), "port": port}))
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise PhysicalMeterError(f"--serial {meter.eui}: {reason}") from None
    return scenario.model_copy(update={"physical_meters": meters})
