"""Through the DCC: a signed request may travel indented, and the DCC signs its own responses and
alerts on one line, as DCC Boxed does; a changed character still fails the signature stage."""

from __future__ import annotations

from lxml import etree

from dcc.duis.codes import ResponseCode
from dcc.duis.request import CommandVariant, Credit, Request, UpdatePaymentMode
from dcc.pipeline import Acted, Received, run
from devices.gbcs.payment_mode import PaymentMode
from sim.world import duis_client
from sim.world.testbed import BRIGHT, ESME_ID, World
from tests.dcc.rule_checks import NOW, assert_refused, assert_signed_by_dcc
from tests.duis.layouts import hand_indented, lxml_indented

TAMPER = 0x8F3F


def transform(world: World) -> Request:
    return world.request(BRIGHT, ESME_ID, UpdatePaymentMode(Credit()), CommandVariant.TRANSFORM)


def assert_dcc_signed_on_one_line(world: World, document: bytes) -> None:
    assert document.count(b"\n") == 1
    for layout in (lxml_indented, hand_indented):
        assert_signed_by_dcc(world, layout(document), NOW)


def test_a_switch_signed_compact_and_sent_indented_is_accepted(world: World) -> None:
    request = transform(world)
    signed = world.signed(request)
    assert signed.count(b"\n") == 1
    outcome = world.dcc.submit(lxml_indented(signed), NOW)
    assert outcome.response_code is ResponseCode.I0, outcome.reason
    assert_dcc_signed_on_one_line(world, outcome.response)

    pre_command = world.sign_pre_command(outcome, BRIGHT)
    send = world.signed(duis_client.signed_send(request, pre_command))
    outcome = world.dcc.submit(hand_indented(send), NOW)
    assert outcome.accepted, (outcome.decided_by, outcome.reason)
    world.deliver(outcome, NOW)
    assert world.meters[ESME_ID].state.account.payment_mode is PaymentMode.CREDIT


def test_an_indented_request_changed_in_a_value_is_refused_at_the_signature(
    world: World,
) -> None:
    indented = lxml_indented(world.signed(transform(world)))
    counter = f":{world.counters[BRIGHT]}<".encode()
    for changed in (
        indented.replace(counter, counter.replace(b":", b":9")),
        indented.replace(b"<sr:CommandVariant>4<", b"<sr:CommandVariant> 4 <"),
    ):
        assert changed != indented
        assert_refused(world.dcc.submit(changed, NOW), ResponseCode.E1000, "signature")


def test_the_stages_after_the_signature_read_the_tree_it_verified(world: World) -> None:
    ctx = run(world.dcc.services, Received(hand_indented(world.signed(transform(world))), NOW))
    assert isinstance(ctx, Acted)
    assert ctx.tree is ctx.signer.document
    assert b"\n" not in etree.tostring(ctx.tree)
    assert ctx.request.body == UpdatePaymentMode(Credit())


def test_the_dccs_device_alerts_are_on_one_line_and_verify_indented(world: World) -> None:
    (delivery,) = world.alert(ESME_ID, TAMPER, NOW)
    assert delivery.user_id == BRIGHT
    assert_dcc_signed_on_one_line(world, delivery.document)
