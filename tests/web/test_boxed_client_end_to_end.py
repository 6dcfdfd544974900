"""DCC Boxed's own client toolkit against ``solrsim serve --boxed-identities``, end to end, as
its clients drive DCC Boxed: every request signed by the DCC Boxed signing tool and sent
indented as a person edits a template; the SR 1.6 switch of the Boxed ESME (transform, the
supplier's signed pre-command, the device's response to the receiver); the device's GBCS
signature checked with the certificate SMKI's own interface returns; the inventory read with
SR 8.2; and every document the DCC signs accepted by the DCC Boxed tool, compact and indented.
Skips, saying why, without the corpus, Java or the signing tool."""

from __future__ import annotations

import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.duis.codes import ResponseCode
from dcc.duis.elements import to_bytes
from dcc.duis.ids import RequestID
from dcc.duis.inventory import DSPInventory
from dcc.duis.request import CommandVariant, Request, RequestHeader, SignedPreCommand, build_request
from dcc.duis.response import parse_response
from dcc.identity import DCC_ID
from dcc.smki.profile import read_device_certificate
from devices.gbcs.frame import Cra, decode, encode
from devices.gbcs.payment_mode import PaymentMode
from devices.gbcs.security import sign, signature_valid
from sim.scenario.model import load_scenario
from sim.web.boxed import BOXED_ESME, BOXED_SUPPLIER, BoxedPopulation
from sim.web.delivery import DeliveryService
from sim.web.live import LiveSimulation
from sim.web.server import LOOPBACK, DuisServer, free_port
from sim.web.smki_port import SmkiServer
from sim.world.duis_client import pre_command
from tests.conformance import require_conformance
from tests.duis.layouts import lxml_indented as indented
from tests.duis.signing_tool import VALID, SigningTool, find_signing_tool
from tests.web.support import FAST_RETRY, SCENARIO, Receiver, post, wait_for
from tests.web.test_smki_over_http import _certificates_in_use

TEMPLATES = Path("duis", "templates")
ECS02 = "ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_REQUEST_DUIS.XML"
READ_INVENTORY = "8.2_READ_INVENTORY_REQUEST_DUIS.XML"


def _with_request_id(template: bytes, request_id: RequestID) -> bytes:
    return re.sub(
        rb"<sr:RequestID>[^<]*</sr:RequestID>",
        f"<sr:RequestID>{request_id}</sr:RequestID>".encode(),
        template,
    )


def _boxed_signed(tool: SigningTool, document: bytes) -> bytes:
    """Signed by the DCC Boxed tool, then indented as a person editing it would leave it."""
    return indented(tool.sign(document))


def _accepted_by_boxed(tool: SigningTool, document: bytes) -> None:
    for layout in (document, indented(document)):
        code, said = tool.validate(layout)
        assert code == VALID, said


def test_the_dcc_boxed_toolkit_drives_solrsim_unchanged() -> None:
    corpus = require_conformance()
    tool = find_signing_tool()
    supplier_ds = serialization.load_der_private_key(
        (corpus / "duis" / "boxed-keys" / "Z1-supplier-ds.key").read_bytes(), None
    )
    assert isinstance(supplier_ds, ec.EllipticCurvePrivateKey)
    receiver = Receiver()
    receiver.start()
    population = BoxedPopulation(load_scenario(SCENARIO), corpus)
    live = LiveSimulation(population.scenario, speed=10.0, population=population)
    server = DuisServer(
        live, DeliveryService({BOXED_SUPPLIER: receiver.url}, policy=FAST_RETRY), port=free_port()
    )
    server.start()
    smki = SmkiServer(live, LOOPBACK, free_port())
    smki.start()
    try:
        # SR 1.6, transform (CV 4): the ECS02 template with a fresh RequestID
        request_id = RequestID(BOXED_SUPPLIER, BOXED_ESME, 7001)
        template = (corpus / TEMPLATES / ECS02).read_bytes()
        transform = _boxed_signed(tool, _with_request_id(template, request_id))
        answer = post(server, "/api/v1/serviceT", transform)
        assert parse_response(answer.content).header.response_code is ResponseCode.I0, answer.text
        _accepted_by_boxed(tool, answer.content)

        # the supplier signs the pre-command with its Supplier DS key; the signed send (CV 5)
        signed = encode(sign(pre_command(answer.content), supplier_ds))
        header = RequestHeader(request_id, CommandVariant.SIGNED_SEND_COMMAND, "1.6", "1.6")
        send = _boxed_signed(
            tool, to_bytes(build_request(Request(header, SignedPreCommand(signed))))
        )
        sent = post(server, "/api/v1/serviceS", send)
        assert parse_response(sent.content).header.response_code is ResponseCode.I99, sent.text

        # the device's response reaches the receiver, signed by the DCC
        wait_for(lambda: receiver.documents, timeout=15)
        document = receiver.documents[0]
        _accepted_by_boxed(tool, document)
        payload = parse_response(document).body.content
        assert isinstance(payload, bytes)
        message = decode(payload)
        assert (message.header.cra, message.header.originator) == (Cra.RESPONSE, BOXED_ESME)
        state = live.locked(lambda: population.meter(BOXED_ESME).state)
        assert state.account.payment_mode is PaymentMode.CREDIT

        # the receive node checks the device's signature with what SMKI's interface returns
        [ds] = _certificates_in_use(smki.url, "00-db-12-34-56-78-90-a0", "DS")
        assert read_device_certificate(ds).eui64 == BOXED_ESME
        assert signature_valid(message, ds.public_key())

        # SR 8.2 Read Inventory (CV 8, serviceD), the template asking for the Boxed ESME
        inventory = (corpus / TEMPLATES / READ_INVENTORY).read_bytes()
        read = _with_request_id(inventory, RequestID(BOXED_SUPPLIER, DCC_ID, 7002)).replace(
            b"00-DB-12-34-56-78-90-A2", b"00-DB-12-34-56-78-90-A0"
        )
        answered = post(server, "/api/v1/serviceD", _boxed_signed(tool, read))
        response = parse_response(answered.content)
        assert response.header.response_code is ResponseCode.I0, answered.text
        assert isinstance(response.body.content, DSPInventory)
        assert [d.device_id for d in response.body.content.devices] == [BOXED_ESME]
        _accepted_by_boxed(tool, answered.content)
    finally:
        smki.stop()
        server.stop()
        receiver.stop()
