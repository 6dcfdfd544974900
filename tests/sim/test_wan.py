"""The simulated WAN: fault windows hit a fixed share of devices; frames arrive late or are lost."""

from __future__ import annotations

from datetime import UTC, datetime

import simpy

from sim.report.events import EventKind
from sim.report.wire_log import WireLog
from sim.scenario.model import Latency, Wan, WanOutage
from sim.world.wan import SimulatedWan, fault_windows

START = datetime(2026, 11, 2, 8, tzinfo=UTC)
DEVICES = [(0x00DB_5000_0000_0000 + n).to_bytes(8, "big") for n in range(4000)]


def _wan(loss: float = 0.0, faults=()) -> tuple[WireLog, SimulatedWan, list]:
    latency = Latency(median_seconds=4, sigma=0.5)
    model = Wan(
        latency={"esme": latency, "gsme": latency, "smets1": latency},
        loss=loss,
        response_timeout_seconds=60,
    )
    log = WireLog(simpy.Environment(), START)
    wan = SimulatedWan(log, model, list(faults), 1, lambda device: "esme")
    arrived: list = []
    wan.connect(lambda *frame: arrived.append(("dcc", *frame)), lambda *f: arrived.append(f))
    return log, wan, arrived


def test_a_window_hits_its_share_of_devices_the_same_ones_every_time() -> None:
    outage = WanOutage(kind="wan_outage", start_hours=0, duration_hours=1, share=0.25)
    (window,) = fault_windows([outage], seed=1)
    hit = [device for device in DEVICES if window.hits(device)]
    assert 0.22 < len(hit) / len(DEVICES) < 0.28
    (same,) = fault_windows([outage], seed=1)
    assert hit == [device for device in DEVICES if same.hits(device)]
    (other,) = fault_windows([outage], seed=2)
    assert hit != [device for device in DEVICES if other.hits(device)]


def test_frames_arrive_after_a_delay_and_are_logged_on_arrival() -> None:
    log, wan, arrived = _wan()
    wan.downlink(DEVICES[0], b"frame", EventKind.GBCS_COMMAND)
    assert arrived == [] and log.events == []
    log.env.run()
    assert arrived == [(DEVICES[0], b"frame", EventKind.GBCS_COMMAND)]
    (event,) = log.events
    assert event.kind is EventKind.GBCS_COMMAND and event.verdict == "delivered"
    assert event.time > START


def test_frames_to_or_from_an_unreachable_device_are_lost() -> None:
    outage = WanOutage(kind="wan_outage", start_hours=0, duration_hours=1, share=0.5)
    log, wan, arrived = _wan(faults=[outage])
    hit = next(device for device in DEVICES if wan.windows[0].hits(device))
    wan.downlink(hit, b"command", EventKind.GBCS_COMMAND)
    wan.uplink(hit, b"alert", EventKind.GBCS_ALERT)
    log.env.run()
    assert arrived == [] and wan.lost == 2 and wan.ever_hit(hit)
    assert [e.kind for e in log.events] == [EventKind.WAN_LOST] * 2
    assert all("WAN outage" in e.detail for e in log.events)


def test_loss_drops_about_its_share() -> None:
    log, wan, arrived = _wan(loss=0.2)
    for device in DEVICES[:2000]:
        wan.uplink(device, b"x", EventKind.GBCS_RESPONSE)
    log.env.run()
    assert 0.17 < wan.lost / 2000 < 0.23 and len(arrived) == 2000 - wan.lost
