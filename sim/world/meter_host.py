"""The fleet's end of the WAN: frames in to the sans-IO meters, their answers back up the WAN.

It also watches, at the device, for the one thing MP134B says must never happen under SoLR: a
command that sets prepayment reaching a meter (counted whoever sent it; a supplier may, the SRP
may not, and the rehearsal only has the SRP sending). It reads the frame itself, not a label.

A physical meter also speaks unasked (its alerts): :meth:`MeterHost.watch` collects what it sent
and sends it up the WAN.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence

import simpy

from devices.gbcs.errors import GbcsError
from devices.gbcs.frame import Cra, cra_flag
from devices.gbcs.frame import decode as decode_gbcs
from devices.gbcs.payment_mode import ECS03, GCS03, PaymentMode
from devices.smets1 import Smets1Meter
from devices.smets1_frame import Smets1Alert, Smets1Command, Smets1DecodeError
from devices.smets1_frame import decode as decode_smets1
from sim.report.events import EventKind
from sim.report.tally import Tally
from sim.report.wire_log import WireLog
from sim.world.population import Meter
from sim.world.wan import ALERT_KINDS, SimulatedWan

_PREPAYMENT_CODES = frozenset({ECS03, GCS03})


class MeterHost:
    def __init__(
        self, log: WireLog, meters: Callable[[bytes], Meter], wan: SimulatedWan, tally: Tally
    ) -> None:
        self._log = log
        self._meter = meters
        self._wan = wan
        self._tally = tally

    def receive(self, device_id: bytes, frame: bytes, kind: EventKind) -> None:
        """A command the WAN delivered to ``device_id``."""
        smets1 = kind is EventKind.SMETS1_COMMAND
        if _sets_prepayment(frame, smets1=smets1):
            self._tally.prepayment_actioned += 1
        meter = self._meter(device_id)
        for answer in meter.receive(frame, self._log.now):
            self._uplink(device_id, answer, _uplink_kind(answer, smets1=smets1))

    def trigger(self, device_id: bytes, alert_code: int) -> int:
        """A physical event on a meter, SMETS2+ or SMETS1; its alert frames go up the WAN.
        Returns how many."""
        meter = self._meter(device_id)
        kind = EventKind.SMETS1_ALERT if isinstance(meter, Smets1Meter) else EventKind.GBCS_ALERT
        frames = meter.trigger(alert_code, self._log.now)
        for frame in frames:
            self._uplink(device_id, frame, kind)
        return len(frames)

    def watch(
        self, device_ids: Sequence[bytes], interval: float
    ) -> Generator[simpy.Event, object, None]:
        """The simpy process sending up the WAN, every ``interval`` seconds, what each meter
        sent on its own since the last look (``advance``)."""
        while True:
            for device_id in device_ids:
                meter = self._meter(device_id)
                if meter.next_due() is None:
                    continue
                for frame in meter.advance(self._log.now):
                    self._uplink(device_id, frame, _uplink_kind(frame, smets1=False))
            yield self._log.env.timeout(interval)

    def _uplink(self, device_id: bytes, frame: bytes, kind: EventKind) -> None:
        """Every alert a meter raises is counted here, as it leaves the meter."""
        self._tally.alerts_raised += kind in ALERT_KINDS
        self._wan.uplink(device_id, frame, kind)


def _sets_prepayment(frame: bytes, *, smets1: bool) -> bool:
    if smets1:
        try:
            command = decode_smets1(frame)
            return (
                isinstance(command, Smets1Command)
                and command.payment_mode_change().mode is PaymentMode.PREPAYMENT
            )
        except Smets1DecodeError:
            return False
    try:
        return decode_gbcs(frame).header.message_code in _PREPAYMENT_CODES
    except GbcsError:
        return False


def _uplink_kind(frame: bytes, *, smets1: bool) -> EventKind:
    """A SMETS2+ meter answers a command with a response or, refusing its originator, an 8F30
    alert; a SMETS1 meter with a response or, for a future-dated change, an alert."""
    if smets1:
        try:
            alert = isinstance(decode_smets1(frame), Smets1Alert)
        except Smets1DecodeError:
            alert = False
        return EventKind.SMETS1_ALERT if alert else EventKind.SMETS1_RESPONSE
    if cra_flag(frame) != Cra.ALERT:  # not a well-formed alert: only its recipient reads it
        return EventKind.GBCS_RESPONSE
    try:
        cra = decode_gbcs(frame).header.cra
    except GbcsError:
        return EventKind.GBCS_RESPONSE
    return EventKind.GBCS_ALERT if cra is Cra.ALERT else EventKind.GBCS_RESPONSE
