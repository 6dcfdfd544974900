"""The simulated WAN between the DCC and the meters: latency, loss, outages, hubs offline.

A device can also be cut off by name (:meth:`SimulatedWan.cut`), as a Gherkin step does.

Each frame takes a one-way delay drawn per device class from a lognormal distribution around half
the scenario's round-trip median. A frame is lost (a WAN_LOST event, never delivered) when the
loss draw says so, or when its device is unreachable at the moment it is sent: inside a WAN
outage or hubs-offline window that hits the device. Which devices a window hits is fixed by a
keyed hash of the seed, the window and the device ID, so the same ``share`` of any fleet is hit,
the same devices in every run, without listing a million devices. Delays and losses are drawn
per device: the n-th frame to or from a device takes its loss and delay draws from a keyed hash
of the seed, the device ID and n. So what happens to a device's frames depends on that device's
own history alone, never on the order in which other devices' frames were sent: a fleet split
between workers sees the same WAN as one process (docs/scaling.md).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import simpy

from sim.report.events import EventKind
from sim.report.wire_log import DCC, WireLog, party
from sim.scenario.model import DeviceClass, Fault, HubsOffline, Wan, WanOutage

Deliver = Callable[[bytes, bytes, EventKind], None]  # (device ID, frame, kind)
ALERT_KINDS = frozenset({EventKind.GBCS_ALERT, EventKind.SMETS1_ALERT})
_HASH_RANGE = 2**64
_UNIT = 2.0**-53
_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class Window:
    """A fault window in seconds from the run's start, and the share of devices it hits."""

    start: float
    end: float
    share: float
    reason: str
    salt: bytes

    def hits(self, device_id: bytes) -> bool:
        digest = hashlib.blake2b(device_id, digest_size=8, key=self.salt).digest()
        return int.from_bytes(digest, "big") < self.share * _HASH_RANGE


def fault_windows(faults: Sequence[Fault], seed: int) -> list[Window]:
    """The WAN outages and hubs-offline windows of a scenario, in its order."""
    windows = []
    for number, fault in enumerate(faults):
        if isinstance(fault, WanOutage | HubsOffline):
            reason = "WAN outage" if isinstance(fault, WanOutage) else "communications hub offline"
            windows.append(
                Window(
                    fault.start_hours * 3600,
                    fault.end_hours * 3600,
                    fault.share,
                    reason,
                    f"solrsim/wan/{seed}/{number}".encode(),
                )
            )
    return windows


class SimulatedWan:
    """Carries frames between the DCC end and the device end, once both are connected."""

    def __init__(
        self,
        log: WireLog,
        model: Wan,
        faults: Sequence[Fault],
        seed: int,
        device_class: Callable[[bytes], DeviceClass],
    ) -> None:
        self._log = log
        self._env: simpy.Environment = log.env
        salt = hashlib.blake2b(f"solrsim/wan/{seed}".encode(), digest_size=32).digest()
        self._keyed = hashlib.blake2b(digest_size=16, key=salt)
        self._frames: dict[bytes, int] = {}  # device ID -> frames drawn for so far
        # One-way: half the round trip's median, the same spread.
        self._delay = {
            name: (math.log(latency.median_seconds / 2), latency.sigma)
            for name, latency in model.latency.items()
        }
        self._loss = model.loss
        self._device_class = device_class
        self.windows = fault_windows(faults, seed)
        self.lost = 0
        self.lost_alerts = 0
        self.alerts_in_flight = 0  # alert frames sent and not yet arrived
        self._to_dcc: Deliver | None = None
        self._to_device: Deliver | None = None
        self._cut: dict[bytes, str] = {}  # device ID -> why it is off the WAN until restored

    def cut(self, device_id: bytes, reason: str = "communications hub offline") -> None:
        """Take one device off the WAN until :meth:`restore`: what is sent to or from it is
        lost, for ``reason``. A fault on a device named, beside the scenario's windows."""
        self._cut[device_id] = reason

    def restore(self, device_id: bytes) -> None:
        """Put a device :meth:`cut` off back on the WAN."""
        self._cut.pop(device_id, None)

    def is_cut(self, device_id: bytes) -> bool:
        return device_id in self._cut

    def connect(self, to_dcc: Deliver, to_device: Deliver) -> None:
        self._to_dcc, self._to_device = to_dcc, to_device

    def downlink(self, device_id: bytes, frame: bytes, kind: EventKind) -> None:
        """DCC to device."""
        self._send(device_id, frame, kind, DCC, party(device_id), self._to_device)

    def uplink(self, device_id: bytes, frame: bytes, kind: EventKind) -> None:
        """Device to DCC."""
        self._send(device_id, frame, kind, party(device_id), DCC, self._to_dcc)

    def ever_hit(self, device_id: bytes) -> bool:
        """Whether any fault window hits the device: it may be unreachable for a while."""
        return any(window.hits(device_id) for window in self.windows)

    def _send(
        self,
        device_id: bytes,
        frame: bytes,
        kind: EventKind,
        sender: str,
        recipient: str,
        deliver: Deliver | None,
    ) -> None:
        if deliver is None:
            raise RuntimeError("the WAN is not connected: call connect() first")
        why = self._unreachable(device_id)
        lost_draw, delay_draw = self._draws(device_id)
        if why is None and self._loss and lost_draw < self._loss:
            why = "lost in transit"
        alert = kind in ALERT_KINDS
        if why is not None:
            self.lost += 1
            self.lost_alerts += alert
            self._log.record(EventKind.WAN_LOST, sender, recipient, "lost", frame, f"{kind}: {why}")
            return
        self.alerts_in_flight += alert
        mu, sigma = self._delay[self._device_class(device_id)]
        arrival = self._env.timeout(math.exp(mu + sigma * _NORMAL.inv_cdf(delay_draw)))
        arrival.callbacks.append(
            lambda _: self._arrive(device_id, frame, kind, sender, recipient, deliver)
        )

    def _arrive(
        self,
        device_id: bytes,
        frame: bytes,
        kind: EventKind,
        sender: str,
        recipient: str,
        deliver: Deliver,
    ) -> None:
        self.alerts_in_flight -= kind in ALERT_KINDS
        self._log.record(kind, sender, recipient, "delivered", frame)
        deliver(device_id, frame, kind)

    def _draws(self, device_id: bytes) -> tuple[float, float]:
        """The loss and delay draws of the device's next frame: uniform in [0, 1) and (0, 1)."""
        number = self._frames.get(device_id, 0)
        self._frames[device_id] = number + 1
        keyed = self._keyed.copy()  # the key taken in once, not per frame
        keyed.update(device_id + number.to_bytes(4, "big"))
        digest = keyed.digest()
        lost = (int.from_bytes(digest[:8], "big") >> 11) * _UNIT
        delay = ((int.from_bytes(digest[8:], "big") >> 11) + 0.5) * _UNIT
        return lost, delay

    def _unreachable(self, device_id: bytes) -> str | None:
        cut = self._cut.get(device_id)
        if cut is not None:
            return cut
        now = self._env.now
        for window in self.windows:
            if window.start <= now < window.end and window.hits(device_id):
                return window.reason
        return None
