"""A DCC Boxed client against ``solrsim serve --boxed-identities``: the ECS02 template signed
with the Boxed test supplier's key, the DCC's answer checked against the Boxed DSP certificate."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.duis.codes import ResponseCode
from dcc.duis.ids import RequestID
from dcc.duis.request import CommandVariant, Request, RequestHeader, SignedPreCommand, build_request
from dcc.duis.response import parse_response
from dcc.duis.xmldsig import DCC_SIGNING_ROLES, InMemoryResolver, sign_document, verify_document
from dcc.identity import DCC_ID
from dcc.smki.roles import RemotePartyRole
from devices.gbcs.frame import encode
from devices.gbcs.payment_mode import PaymentMode
from devices.gbcs.security import sign
from sim.scenario.model import load_scenario
from sim.web.boxed import BOXED_ESME, BOXED_GSME, BOXED_SUPPLIER, BoxedPopulation
from sim.web.delivery import DeliveryService
from sim.web.live import LiveSimulation
from sim.web.server import DuisServer, free_port
from sim.world.duis_client import pre_command
from tests.conformance import require_conformance
from tests.web.support import FAST_RETRY, SCENARIO, Receiver, post, wait_for

TEMPLATE = "ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML"
TEMPLATE_REQUEST_ID = b"90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1002"
COUNTER = 4711


def _key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_der_private_key(path.read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def test_a_boxed_client_switches_the_boxed_esme_to_credit() -> None:
    corpus = require_conformance()
    boxed = corpus / "duis" / "boxed-keys"
    xml_key = _key(boxed / "xml-sign-90B3D51F30010000-ds.key")
    xml_cert = x509.load_pem_x509_certificate(
        (boxed / "xml-sign-90B3D51F30010000-ds.pem").read_bytes()
    )
    receiver = Receiver()
    receiver.start()
    population = BoxedPopulation(load_scenario(SCENARIO), corpus)
    live = LiveSimulation(population.scenario, speed=10.0, population=population)
    delivery = DeliveryService({BOXED_SUPPLIER: receiver.url}, policy=FAST_RETRY)
    server = DuisServer(live, delivery, port=free_port())
    server.start()
    try:
        template = (corpus / "duis" / "templates" / TEMPLATE).read_bytes()
        request_id = RequestID(BOXED_SUPPLIER, BOXED_ESME, COUNTER)
        fresh = template.replace(TEMPLATE_REQUEST_ID, str(request_id).encode())
        assert fresh != template
        answer = post(server, "/api/v1/serviceT", sign_document(fresh, xml_key, xml_cert))
        response = parse_response(answer.content)
        assert response.header.response_code is ResponseCode.I0, answer.text

        verified = verify_document(
            answer.content,
            InMemoryResolver.from_directory(boxed),
            at=live.now,
            expected_signer=DCC_ID,
            allowed_roles=DCC_SIGNING_ROLES,
        )
        dsp = x509.load_pem_x509_certificate(
            (boxed / "dsp-xml-sign-90B3D51F30000002-ds.pem").read_bytes()
        )
        assert verified.certificate == dsp
        assert verified.info.role is RemotePartyRole.DSP_XML_SIGN

        gbcs = encode(sign(pre_command(answer.content), _key(boxed / "Z1-supplier-ds.key")))
        header = RequestHeader(request_id, CommandVariant.SIGNED_SEND_COMMAND, "1.6", "1.6")
        send = build_request(Request(header, SignedPreCommand(gbcs)))
        sent = post(server, "/api/v1/serviceS", sign_document(send, xml_key, xml_cert))
        assert parse_response(sent.content).header.response_code is ResponseCode.I99, sent.text

        wait_for(lambda: receiver.documents, timeout=10)
        device_answer = parse_response(receiver.documents[0])
        assert device_answer.header.response_code is ResponseCode.I0
        assert device_answer.header.response_id.request_id == request_id
        state = live.locked(lambda: population.meter(BOXED_ESME).state)
        assert state.account.payment_mode is PaymentMode.CREDIT
    finally:
        server.stop()
        receiver.stop()


def test_a_scenario_without_the_boxed_supplier_is_refused() -> None:
    corpus = require_conformance()
    scenario = load_scenario(SCENARIO)
    others = [s for s in scenario.suppliers if s.eui != BOXED_SUPPLIER]
    sole = others[0].model_copy(update={"share": 1.0, "fails_after_hours": 0.5})
    alone = scenario.model_copy(update={"suppliers": [sole]})
    with pytest.raises(ValueError, match="90-B3-D5-1F-30-01-00-00"):
        BoxedPopulation(alone, corpus)


def test_the_boxed_meters_have_world_certificates_for_the_keys_they_use() -> None:
    corpus = require_conformance()
    population = BoxedPopulation(load_scenario(SCENARIO), corpus)
    smki = population.cast.smki
    for device in (BOXED_ESME, BOXED_GSME):
        meter = population.meter(device)
        records = smki.devices(device)
        assert [r.key_usage.code for r in records] == ["DS", "KA"]
        for record in records:
            assert record.issuer == smki.authority.device_ca.name and not record.external
            assert record.certificate.public_key() == meter.credentials.public_key(record.key_usage)
            rtds = corpus / "rtds" / "keystore" / f"{device.hex()}-{record.key_usage.value}.pem"
            published = x509.load_pem_x509_certificate(rtds.read_bytes())
            # RTDS publishes no device private keys: its certificate is of a key no meter holds.
            assert published.public_key() != record.certificate.public_key()
            assert smki.by_serial(published.serial_number) == []
        inventory = population.inventory.get(device)
        assert inventory.ds_public_key == records[0].certificate.public_key()
