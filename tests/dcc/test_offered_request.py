"""A sender in the DCC's process may hand over the Request it signed with the bytes: the DCC still
parses, validates and verifies the bytes, and takes the Request in place of reading them only
when it is what the signature covers. A forged or altered document is refused as ever, and a
Request that is not the one signed is left aside: the bytes are read. Likewise a User's system
takes the GBCS pre-command the DCC issued in place of decoding its payload only when it is the
payload."""

from __future__ import annotations

import dataclasses

from dcc.duis.codes import ResponseCode
from dcc.duis.request import CommandVariant, Credit, Prepayment, Request, UpdatePaymentMode
from dcc.duis.request import read_request as read_duis_request
from dcc.duis.response import PreCommand, Response, ResponseMessage, parse_response
from dcc.pipeline import Acted, Received, Rejected, run
from devices.gbcs.frame import GbcsMessage, decode
from sim.world import duis_client
from sim.world.testbed import BRIGHT, ESME_ID, World
from tests.dcc.rule_checks import NOW, assert_refused


def transform(world: World, mode: Credit | Prepayment | None = None) -> Request:
    body = UpdatePaymentMode(mode or Credit())
    return world.request(BRIGHT, ESME_ID, body, CommandVariant.TRANSFORM)


def test_the_request_signed_is_taken_as_reading_would_give_it(world: World) -> None:
    request = transform(world)
    ctx = run(world.dcc.services, Received(world.signed(request), NOW, offered=request))
    assert isinstance(ctx, Acted), ctx
    assert ctx.header is request.header  # taken, not read
    assert ctx.request == read_duis_request(ctx.signer.document)
    assert ctx.request.signature == read_duis_request(ctx.signer.document).signature


def test_a_request_other_than_the_one_signed_is_left_aside_and_the_bytes_read(
    world: World,
) -> None:
    signed = transform(world)
    other = dataclasses.replace(signed, body=UpdatePaymentMode(Prepayment(True, True, 0)))
    ctx = run(world.dcc.services, Received(world.signed(signed), NOW, offered=other))
    assert isinstance(ctx, Acted), ctx
    assert ctx.request.body == UpdatePaymentMode(Credit())
    assert ctx.header is not other.header
    assert ctx.request == read_duis_request(ctx.signer.document)


def test_a_forged_signature_is_refused_whatever_is_offered(world: World) -> None:
    request = transform(world)
    signed = world.signed(request)
    start = signed.index(b"<ds:SignatureValue>") + len(b"<ds:SignatureValue>")
    flipped = b"B" if signed[start : start + 1] == b"A" else b"A"
    forged = signed[:start] + flipped + signed[start + 1 :]
    assert_refused(world.dcc.submit(forged, NOW, request), ResponseCode.E1000, "signature")


def test_altered_bytes_are_refused_with_the_request_they_were_signed_from(world: World) -> None:
    request = transform(world)
    signed = world.signed(request)
    altered = signed.replace(b"<sr:Credit/>", b"<sr:Credit></sr:Credit><!---->")
    assert altered != signed
    ctx = run(world.dcc.services, Received(altered, NOW, offered=request))
    assert isinstance(ctx, Acted)  # a comment is not covered: the same request, read or taken
    refused = signed.replace(b"<sr:CommandVariant>4<", b"<sr:CommandVariant>1<")
    ctx = run(world.dcc.services, Received(refused, NOW, offered=request))
    assert isinstance(ctx, Rejected) and ctx.rejection.stage == "signature"


def test_a_request_signed_by_another_user_is_refused_though_offered(world: World) -> None:
    request = transform(world)
    signed = world.signed(request, by=world.parties[BRIGHT].user_id)
    assert world.dcc.submit(signed, NOW, request).accepted
    mine = transform(world)
    not_mine = world.signed(mine, by=next(p for p in world.parties if p != BRIGHT))
    outcome = world.dcc.submit(not_mine, NOW, mine)
    assert_refused(outcome, ResponseCode.E1, "signature")


def test_the_pre_command_issued_in_process_is_taken_only_if_it_is_the_payload(
    world: World,
) -> None:
    _, outcome = world.transform(BRIGHT, ESME_ID, Credit(), NOW)
    response = outcome.message
    assert isinstance(response, Response) and isinstance(response.body, ResponseMessage)
    content = response.body.content
    assert isinstance(content, PreCommand) and content.message is not None
    assert duis_client.pre_command(response) is content.message
    assert content.message == decode(content.gbcs_payload)
    # read from the bytes, the response is the same, without the message: it is decoded
    read = parse_response(outcome.response)
    assert read.body == response.body and duis_client.pre_command(read) == content.message
    # a message that is not the payload is left aside
    other = dataclasses.replace(content.message, content=content.message.content + b"\x00")
    forged = dataclasses.replace(
        response, body=dataclasses.replace(response.body, content=replace_message(content, other))
    )
    assert duis_client.pre_command(forged) == decode(content.gbcs_payload) != other


def replace_message(content: PreCommand, message: GbcsMessage) -> PreCommand:
    return PreCommand(content.gbcs_version, content.gbcs_payload, message)
