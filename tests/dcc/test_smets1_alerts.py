"""R7 for SMETS1 meters: their alerts name no recipient, so the DCC routes them to the device's
registered supplier or, once Ofgem has instructed, its SRP, in an SMETS1ResponseMessage that the
DCC signs as S1SP. Forged alerts are not passed on and an alert never takes a command's answer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from dcc.dcc import AlertHeld
from dcc.duis.elements import sr
from dcc.duis.request import CommandVariant, Credit, UpdatePaymentMode
from dcc.duis.response import parse_response
from dcc.duis.schema import official_schema, solrsim_schema, validate
from dcc.duis.smets1 import SMETS1ResponseMessage
from dcc.duis.xmldsig import (
    DCC_SIGNING_ROLES,
    SignatureCheck,
    SignatureRejected,
    verify_document,
)
from dcc.duis.xmlparse import parse_xml
from dcc.identity import DCC_ID
from dcc.outcome import UserDelivery
from dcc.smki.roles import KeyUsage
from devices.credentials import device_key
from devices.smets1_frame import decode, encode, sign
from sim.world.testbed import BRIGHT, SMETS1_ID, SRP, T0, World
from tests.dcc.rule_checks import NOW

TAMPER = 0x8F3F


def _signed_part(document: bytes) -> bytes:
    """The S1SP's signed part of an SMETS1ResponseMessage, as a document of its own."""
    return etree.tostring(parse_xml(document).getroot().find(f".//{sr('SMETS1SignedResponse')}"))


def _alert_body(world: World, delivery: UserDelivery, user: bytes) -> SMETS1ResponseMessage:
    """The delivered SMETS1 alert: for ``user``, schema-valid, and its S1SP part signed by the
    DCC's DSP xmlSign certificate, which verifies."""
    assert (delivery.user_id, delivery.kind) == (user, "device-alert")
    validate(parse_xml(delivery.document), solrsim_schema())
    body = parse_response(delivery.document).body
    assert isinstance(body, SMETS1ResponseMessage)
    verified = verify_document(
        _signed_part(delivery.document),
        world.smki,
        at=NOW,
        expected_signer=DCC_ID,
        allowed_roles=DCC_SIGNING_ROLES,
    )
    assert verified.certificate == world.dcc.identity.xml_sign_certificate
    return body


def test_the_s1sp_signature_breaks_when_the_alert_is_altered(world: World) -> None:
    ready = world.solr_ready(NOW)
    (frame,) = world.meters[SMETS1_ID].trigger(TAMPER, ready)
    (delivery,) = world.dcc.on_device_message(SMETS1_ID, frame, ready)
    altered = delivery.document.replace(b"8F3F", b"8F1F")
    assert altered != delivery.document
    with pytest.raises(SignatureRejected) as refused:
        verify_document(
            _signed_part(altered),
            world.smki,
            at=ready,
            expected_signer=DCC_ID,
            allowed_roles=DCC_SIGNING_ROLES,
        )
    assert refused.value.check is SignatureCheck.DIGEST


def test_after_the_instruction_a_smets1_tamper_alert_reaches_the_srp(world: World) -> None:
    at = world.solr_ready(NOW)
    (delivery,) = world.alert(SMETS1_ID, TAMPER, at)
    body = _alert_body(world, delivery, SRP)
    assert (body.alert.device_id, body.alert.target_id) == (SMETS1_ID, SRP)
    assert (body.alert.alert_code, body.alert.raised_at) == (TAMPER, at)
    (record,) = world.audit.alerts_for(SMETS1_ID)
    assert (record.addressed_to, record.delivered_to) == (BRIGHT, SRP)
    assert record.safety_critical and "R7.1" in record.reason
    assert [d.data for d in record.deliveries] == [delivery.document]


def test_before_the_failure_a_smets1_alert_reaches_the_registered_supplier(
    world: World,
) -> None:
    (delivery,) = world.alert(SMETS1_ID, TAMPER, NOW)
    assert _alert_body(world, delivery, BRIGHT).alert.target_id == BRIGHT


def test_from_the_revocation_a_smets1_alert_goes_to_the_arranged_srp(world: World) -> None:
    world.dcc.arrange_srp(BRIGHT, SRP, T0)
    world.fail(BRIGHT, NOW)
    (delivery,) = world.alert(SMETS1_ID, TAMPER, NOW + timedelta(minutes=1))
    assert _alert_body(world, delivery, SRP).alert.target_id == SRP


def test_a_held_smets1_alert_reaches_the_instructed_srp_addressed_to_it(world: World) -> None:
    """Held between revocation and instruction, the alert is signed for the SRP when it goes:
    its ra:Header names the SRP, the meter's counter and time are the meter's own."""
    world.fail(BRIGHT, NOW)
    raised = NOW + timedelta(minutes=1)
    (held,) = world.alert(SMETS1_ID, TAMPER, raised)
    assert isinstance(held, AlertHeld) and held.alert.smets1 is not None
    released = NOW + timedelta(hours=1)
    (delivery,) = world.instruct(BRIGHT, SRP, released)
    body = _alert_body(world, delivery, SRP)
    assert (body.alert.target_id, body.alert.raised_at) == (SRP, raised)
    assert body.alert.originator_counter == held.alert.counter


def test_smets1_alert_document_is_valid_against_the_official_schema(
    world: World, conformance: Path
) -> None:
    (delivery,) = world.alert(SMETS1_ID, TAMPER, world.solr_ready(NOW))
    validate(parse_xml(delivery.document), official_schema(conformance / "duis" / "xsd"))


def test_forged_smets1_alerts_are_not_passed_on(world: World) -> None:
    (frame,) = world.meters[SMETS1_ID].trigger(TAMPER, NOW)
    genuine = decode(frame)
    wrong_key = device_key(b"not the meter", SMETS1_ID, KeyUsage.DIGITAL_SIGNING)
    forgeries = [
        encode(replace(genuine, alert_code=0x8F1C)),  # altered after signing
        encode(sign(genuine, wrong_key)),
        encode(replace(genuine, signature=None)),
        frame[:-1],
    ]
    for forged in forgeries:
        assert world.dcc.on_device_message(SMETS1_ID, forged, NOW) == []
    assert world.audit.alerts_for(SMETS1_ID) == []


def test_a_smets1_alert_while_a_command_is_pending_does_not_take_its_answer(
    world: World,
) -> None:
    request = world.request(
        BRIGHT, SMETS1_ID, UpdatePaymentMode(Credit()), CommandVariant.SEND_COMMAND
    )
    outcome = world.dcc.submit(world.signed(request), NOW)
    (command,) = outcome.to_devices
    (answer,) = world.meters[SMETS1_ID].receive(command.frame, NOW)
    (alert,) = world.alert(SMETS1_ID, TAMPER, NOW)
    assert alert.kind == "device-alert"
    (response,) = world.dcc.on_device_message(SMETS1_ID, answer, NOW)
    assert (response.user_id, response.kind) == (BRIGHT, "response")
