"""What the DCC does with a frame from a device that it must not pass on as it stands: a response
that answers no command awaiting it, an alert it cannot label or that is for nobody it may tell,
a replayed SMETS1 alert. None reaches a User, none takes the place of the genuine frame, and each
is kept in the audit trail with why; an alert whose payload the DCC need not read keeps its code.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from devices.credentials import device_key
from devices.gbcs.frame import GbcsMessage, decode, encode
from devices.gbcs.keystore import KeyUsage
from devices.gbcs.security import sign
from sim.world.testbed import BRIGHT, ESME_ID, GSME_ID, SEED, SMETS1_ID, SRP, STEADY, World
from tests.dcc.rule_checks import MINUTE, NOW, srp_switch_sent, unsigned_ecs10_under

TAMPER = 0x8F3F
UNKNOWN_DEVICE = bytes.fromhex("00DB1234567890FF")


def _reasons(world: World, device: bytes) -> list[str]:
    return [refused.reason for refused in world.audit.refused_frames(device)]


def _resigned(device: bytes, message: GbcsMessage) -> bytes:
    """``message`` signed again by the device itself: whatever it says, it authenticates."""
    key = device_key(SEED, device, KeyUsage.DIGITAL_SIGNING)
    return encode(sign(replace(message, signature=b""), key))


# --- responses --------------------------------------------------------------------------------


def test_a_response_of_another_message_code_does_not_take_the_commands_place(
    world: World,
) -> None:
    """Under the pending command's counter, an unsigned frame of a non-critical message code
    with a made-up MAC: the DCC cannot check that MAC, but it is no answer to a 1.6 command. The
    SRP gets only the meter's real response."""
    ready, answer = srp_switch_sent(world)
    assert world.dcc.on_device_message(ESME_ID, unsigned_ecs10_under(answer), ready) == []
    assert _reasons(world, ESME_ID) == ["a response of message code 0021 to a command of 001A"]
    (response,) = world.dcc.on_device_message(ESME_ID, answer, ready)
    assert (response.user_id, response.kind) == (SRP, "response")
    assert world.dcc.pending == {}


def test_a_response_to_no_command_awaiting_one_is_refused_and_kept(world: World) -> None:
    ready, answer = srp_switch_sent(world)
    world.dcc.on_device_message(ESME_ID, answer, ready)
    assert world.dcc.on_device_message(ESME_ID, answer, ready) == []
    counter = decode(answer).header.counter
    assert _reasons(world, ESME_ID) == [
        f"a response (counter {counter}) to no command awaiting one"
    ]
    (refused,) = world.audit.refused_frames(ESME_ID)
    assert (refused.frame, refused.at) == (answer, ready)


def test_frames_that_do_not_read_or_authenticate_are_kept_with_why(world: World) -> None:
    ready, answer = srp_switch_sent(world)
    stripped = encode(replace(decode(answer), signature=b""))
    for frame in (b"\x00\x01", stripped):
        assert world.dcc.on_device_message(ESME_ID, frame, ready) == []
    assert world.dcc.on_device_message(UNKNOWN_DEVICE, answer, ready) == []
    (unreadable, forged) = _reasons(world, ESME_ID)
    assert unreadable.startswith("not a GBCS message: ")
    assert forged == "does not authenticate as the device's"
    assert _reasons(world, UNKNOWN_DEVICE) == ["from no device in the inventory"]
    assert world.dcc.pending  # the command still awaits its real answer


# --- SMETS2+ alerts ---------------------------------------------------------------------------


def _tamper(world: World, device: bytes) -> GbcsMessage:
    (frame,) = world.meters[device].trigger(TAMPER, NOW)
    return decode(frame)


@pytest.mark.parametrize(
    ("device", "patch"),
    [
        (ESME_ID, lambda content: content[:22] + b"\x00\x3c" + content[24:]),
        (GSME_ID, lambda content: content[:2] + b"\x01" + content[3:]),
    ],
    ids=["dlms-time-stamp-not-utc", "gbz-one-component-no-detail"],
)
def test_an_alert_keeps_its_code_whatever_follows_it(world: World, device: bytes, patch) -> None:
    """The DCC reads only the alert code, to label and route the alert; the rest of the payload
    (here a time stamp 60 minutes off UTC, or a GBZ component count without its bytes) is the
    User's to read. A tamper alert stays a safety-critical 8F3F."""
    message = _tamper(world, device)
    frame = _resigned(device, replace(message, content=patch(message.content)))
    (delivery,) = world.dcc.on_device_message(device, frame, NOW)
    assert (delivery.user_id, delivery.response.body.alert_code) == (BRIGHT, TAMPER)
    (record,) = world.audit.alerts_for(device)
    assert (record.alert_code, record.safety_critical) == (TAMPER, True)


def test_an_alert_whose_code_cannot_be_read_is_not_relabelled(world: World) -> None:
    """Cut short before its alert code, a genuine Generic Critical Alert is refused and kept,
    never passed on under its message code (1000), which would lose R7.2's flag."""
    message = _tamper(world, ESME_ID)
    frame = _resigned(ESME_ID, replace(message, content=message.content[:8]))
    assert world.dcc.on_device_message(ESME_ID, frame, NOW) == []
    assert world.audit.alerts_for(ESME_ID) == []
    (reason,) = _reasons(world, ESME_ID)
    assert reason.startswith("an alert whose alert code cannot be read: ")


@pytest.mark.parametrize("addressee", [STEADY, bytes(8)], ids=["another-supplier", "nobody"])
def test_an_alert_for_anyone_but_the_registered_supplier_is_not_passed_on(
    world: World, addressee: bytes
) -> None:
    message = _tamper(world, ESME_ID)
    frame = _resigned(
        ESME_ID, replace(message, header=replace(message.header, recipient=addressee))
    )
    assert world.dcc.on_device_message(ESME_ID, frame, NOW) == []
    assert world.audit.alerts_for(addressee) == []
    assert _reasons(world, ESME_ID) == [
        f"an alert addressed to {addressee.hex().upper()}, not to the device's registered "
        f"supplier {BRIGHT.hex().upper()}"
    ]


# --- SMETS1 alerts ----------------------------------------------------------------------------


def test_the_s1sp_refuses_a_replayed_smets1_alert(world: World) -> None:
    """The S1SP signs a SMETS1 alert in its own name, so the User cannot tell a replay: each
    alert's counter must rise above the last one passed on from that meter."""
    (first,) = world.meters[SMETS1_ID].trigger(TAMPER, NOW)
    (second,) = world.meters[SMETS1_ID].trigger(TAMPER, NOW + MINUTE)
    assert len(world.dcc.on_device_message(SMETS1_ID, first, NOW)) == 1
    assert world.dcc.on_device_message(SMETS1_ID, first, NOW) == []
    assert len(world.dcc.on_device_message(SMETS1_ID, second, NOW + MINUTE)) == 1
    assert world.dcc.on_device_message(SMETS1_ID, first, NOW + MINUTE) == []
    assert _reasons(world, SMETS1_ID) == [
        "a replayed alert: counter 1, not above 1",
        "a replayed alert: counter 1, not above 2",
    ]
    assert len(world.audit.alerts_for(SMETS1_ID)) == 2
