"""End-to-end through the DCC: suppliers as usual, and the SRP under the SoLR rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from dcc.duis.codes import ResponseCode
from dcc.duis.request import CommandVariant, Credit, Prepayment, UpdatePaymentMode
from dcc.duis.response import Response, parse_response
from devices.gbcs.payment_mode import PaymentMode
from sim.world.testbed import BRIGHT, ESME_ID, GSME_ID, SMETS1_ID, SRP, World
from tests.dcc.rule_checks import NOW


def test_supplier_switches_its_esme_to_credit(world: World) -> None:
    outcome = world.switch(BRIGHT, ESME_ID, NOW)
    assert outcome.response_code is ResponseCode.I99, outcome.reason
    assert world.meters[ESME_ID].state.account.payment_mode is PaymentMode.CREDIT
    (response,) = [d for d in world.received if d.kind == "response"]
    assert response.user_id == BRIGHT
    assert parse_response(response.document).header.response_code is ResponseCode.I0


def test_srp_switches_the_failed_suppliers_meters_to_credit(world: World) -> None:
    ready = world.solr_ready(NOW)
    for device in (ESME_ID, GSME_ID):
        outcome = world.switch(SRP, device, ready)
        assert outcome.accepted, (outcome.decided_by, outcome.reason)
        assert world.meters[device].state.account.payment_mode is PaymentMode.CREDIT
    outcome = world.send_smets1(SRP, Credit(), ready)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)
    assert world.meters[SMETS1_ID].account.payment_mode is PaymentMode.CREDIT
    assert {d.user_id for d in world.received if d.kind == "response"} == {SRP}


def test_srp_prepayment_is_quarantined(world: World) -> None:
    ready = world.solr_ready(NOW)
    mode = Prepayment(False, False, 0)
    _, outcome = world.transform(SRP, ESME_ID, mode, ready)
    assert outcome.quarantined and outcome.decided_by == "content"
    assert world.meters[ESME_ID].state.account.payment_mode is PaymentMode.PREPAYMENT


def test_a_request_the_dcc_cannot_act_on_is_refused_not_crashed(world: World) -> None:
    """An execution time a SMETS1 command cannot carry: refused at 'act', meter untouched."""
    before = world.meters[SMETS1_ID].state
    body = UpdatePaymentMode(Credit(), datetime(1969, 7, 20, tzinfo=UTC))
    request = world.request(BRIGHT, SMETS1_ID, body, CommandVariant.SEND_COMMAND)
    outcome = world.dcc.submit(world.signed(request), NOW)
    assert (outcome.response_code, outcome.decided_by) == (ResponseCode.E11, "act")
    assert not outcome.to_devices and world.meters[SMETS1_ID].state == before
    assert world.audit.history(request.header.request_id).decisions[-1].stage == "act"


@pytest.mark.parametrize("device", [ESME_ID, GSME_ID])
def test_an_execution_time_no_meter_clock_holds_is_refused_not_crashed(
    world: World, device: bytes
) -> None:
    """The first hour of year 1, east of UTC: a valid xs:dateTime that is in year 0 in UTC,
    which neither a COSEM nor a GBZ time can carry. E1000 at 'act', and the refusal audited."""
    year_one = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    body = UpdatePaymentMode(Credit(), year_one)
    request = world.request(BRIGHT, device, body, CommandVariant.TRANSFORM)
    outcome = world.dcc.submit(world.signed(request), NOW)
    assert (outcome.response_code, outcome.decided_by) == (ResponseCode.E1000, "act")
    assert "outside the" in outcome.reason and "time range" in outcome.reason
    assert world.audit.history(request.header.request_id).decisions[-1].stage == "act"


def test_every_document_carries_the_response_it_was_built_from(world: World) -> None:
    """What a host in the same process reads instead of parsing the bytes back: all of it but
    the signature, which the DCC adds to the document."""
    ready = world.solr_ready(NOW)
    transform, outcome = world.transform(SRP, ESME_ID, Credit(), ready)
    assert _unsigned(parse_response(outcome.response)) == outcome.message
    signed = world.sign_pre_command(outcome, BRIGHT)
    sent = world.send_signed(transform, signed, ready)
    assert parse_response(sent.response) == sent.message
    world.send_smets1(SRP, Credit(), ready)
    _, quarantined = world.transform(SRP, GSME_ID, Prepayment(False, False, 0), ready)
    world.received.extend(quarantined.to_users)
    world.take(world.alert(SMETS1_ID, 0x8F3F, ready))
    world.take(world.alert(ESME_ID, 0x8F3F, ready))
    kinds = {delivery.kind for delivery in world.received}
    assert kinds == {"response", "dcc-alert", "device-alert"}
    for delivery in world.received:
        assert _unsigned(parse_response(delivery.document)) == delivery.response, delivery.kind


def _unsigned(response: Response) -> Response:
    return replace(response, signature=None)
