"""An SRP drives the live DCC over HTTP: transform, signed pre-command, asynchronous response."""

from __future__ import annotations

import httpx
import pytest

from dcc.duis.codes import ResponseCode
from dcc.duis.response import parse_response
from devices.gbcs.payment_mode import PaymentMode
from tests.web.support import (
    SRP_ID,
    Receiver,
    start_server,
    switch,
    wait_for,
    wait_for_instruction,
)


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


def test_an_srp_switches_a_meter_to_credit_over_http(receiver: Receiver) -> None:
    server = start_server({SRP_ID: receiver.url})
    try:
        population = server.live.population
        srp = population.cast.srp
        device = population.failed_supplier_meters(prepayment_only=True, classes=("esme",))[0]
        wait_for_instruction(server)

        transform = switch(server, srp, device, counter=1)

        wait_for(lambda: receiver.documents, timeout=10)
        response = parse_response(receiver.documents[0])
        assert response.header.response_code is ResponseCode.I0
        assert response.header.response_id.request_id == transform.header.request_id
        assert response.signature is not None
        state = server.live.locked(lambda: population.meter(device).state)
        assert state.account.payment_mode is PaymentMode.CREDIT
    finally:
        server.stop()


def test_the_smki_lookup_serves_the_dcc_certificates() -> None:
    server = start_server({})
    try:
        found = httpx.get(
            f"{server.url}/smki/certificates",
            params={"eui": "90-B3-D5-1F-30-00-00-02", "role": "dspXmlSign"},
            timeout=5,
        )
        assert found.status_code == 200
        assert found.text.startswith("-----BEGIN CERTIFICATE-----")
        certificate = server.live.population.cast.identity.xml_sign_certificate
        one = httpx.get(
            f"{server.url}/smki/certificate",
            params={
                "issuer": certificate.issuer.rfc4514_string(),
                "serial": certificate.serial_number,
            },
            timeout=5,
        )
        assert one.status_code == 200
        missing = httpx.get(f"{server.url}/smki/certificates", params={"eui": "zz"}, timeout=5)
        assert missing.status_code == 400
    finally:
        server.stop()
