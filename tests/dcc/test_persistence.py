"""The DCC restarts from its SQLite file without losing users, certificates, instructions,
ADT state or the requests in flight."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dcc.audit import AuditTrail
from dcc.duis.codes import ResponseCode
from dcc.duis.request import Credit
from dcc.duis.response import parse_response
from dcc.persistence import RestoreError, restore_dcc, save_dcc
from dcc.state_store import StateStore
from devices.gbcs.payment_mode import PaymentMode
from sim.world.testbed import BRIGHT, ESME_ID, GSME_ID, SEED, SMETS1_ID, SRP, World, build_world
from tests.dcc.rule_checks import MINUTE, NOW, srp_switch_sent, unsigned_ecs10_under

TAMPER, LOW_BATTERY = 0x8F3F, 0x8F1F


def _restart(world: World, tmp_path) -> None:
    """Save into the audit file, close everything, and start a new DCC from that file."""
    path = world.audit.path
    with StateStore(world.audit.connection) as store:
        save_dcc(world.dcc, store, tmp_path / "smki")
    world.audit.close()
    world.audit = AuditTrail(path)
    with StateStore.open(path) as store:
        world.dcc = restore_dcc(store, SEED, world.config, world.audit)
    world.smki = world.dcc.services.smki


def test_solr_carries_on_after_a_restart(world: World, tmp_path) -> None:
    ready = world.solr_ready(NOW, count=2)
    transform, issued = world.transform(SRP, ESME_ID, Credit(), ready)
    assert issued.response_code is ResponseCode.I0

    _restart(world, tmp_path)

    signed = world.sign_pre_command(issued, BRIGHT)
    outcome = world.send_signed(transform, signed, ready)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)
    world.deliver(outcome, ready)
    assert world.meters[ESME_ID].state.account.payment_mode is PaymentMode.CREDIT
    assert [d.user_id for d in world.received if d.kind == "response"] == [SRP]
    second = world.switch(SRP, GSME_ID, ready)
    assert second.accepted
    third = world.switch(SRP, GSME_ID, ready)
    assert third.quarantined and third.decided_by == "adt"


def test_restart_keeps_counters_and_the_audit_history(world: World, tmp_path) -> None:
    transform, _ = world.transform(BRIGHT, ESME_ID, Credit(), NOW)
    _restart(world, tmp_path)
    replay = world.dcc.submit(world.signed(transform), NOW)
    assert (replay.response_code, replay.decided_by) == (ResponseCode.E1000, "replay")
    history = world.audit.history(transform.header.request_id)
    assert len(history.requests) == 2
    assert history.decisions[-1].stage == "replay"


def test_an_empty_file_cannot_be_restarted_from(tmp_path) -> None:
    world = build_world(tmp_path)
    with StateStore.open(tmp_path / "empty.sqlite") as store, pytest.raises(RestoreError):
        restore_dcc(store, SEED, world.config)


def test_alerts_held_for_ofgem_s_srp_survive_a_restart(world: World, tmp_path) -> None:
    """Held in the DCC's state, in order, SMETS1 and SMETS2+: after the restart Ofgem's
    instruction hands every one to the SRP, and the audit trail shows each once."""
    world.fail(BRIGHT, NOW)
    world.alert(ESME_ID, TAMPER, NOW + MINUTE)
    world.alert(SMETS1_ID, LOW_BATTERY, NOW + 2 * MINUTE)

    _restart(world, tmp_path)

    assert [h.alert.alert_code for h in world.dcc.held_alerts[BRIGHT]] == [TAMPER, LOW_BATTERY]
    released = world.instruct(BRIGHT, SRP, NOW + timedelta(hours=1))
    assert [d.user_id for d in released] == [SRP, SRP]
    bodies = [parse_response(d.document).body for d in released]
    assert bodies[0].alert_code == TAMPER
    assert bodies[1].alert.alert_code == LOW_BATTERY
    records = world.audit.alerts_for(SRP)
    assert [(r.device, len(r.deliveries)) for r in records] == [(ESME_ID, 1), (SMETS1_ID, 1)]


def test_a_command_awaiting_its_answer_keeps_its_message_code_across_a_restart(
    world: World, tmp_path
) -> None:
    """Restarted, the DCC still takes only the 1.6 response as the answer to the 1.6 command."""
    ready, answer = srp_switch_sent(world)
    _restart(world, tmp_path)
    forged = unsigned_ecs10_under(answer)
    assert world.dcc.on_device_message(ESME_ID, forged, ready) == []
    (response,) = world.dcc.on_device_message(ESME_ID, answer, ready)
    assert response.user_id == SRP


def test_a_smets1_alert_passed_on_before_a_restart_is_a_replay_after_it(
    world: World, tmp_path
) -> None:
    (frame,) = world.meters[SMETS1_ID].trigger(TAMPER, NOW)
    assert len(world.dcc.on_device_message(SMETS1_ID, frame, NOW)) == 1
    _restart(world, tmp_path)
    assert world.dcc.on_device_message(SMETS1_ID, frame, NOW) == []
