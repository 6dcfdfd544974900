"""A DCC Boxed client checks a device's GBCS signature from SMKI alone, over real HTTP: the SRP
switches a meter, and the device's response is verified with the DS certificate found with
``certificatesearch`` and fetched with ``retrievecertificate`` on the SMKI port."""

from __future__ import annotations

import base64
from dataclasses import replace

import httpx
from cryptography import x509
from lxml import etree

from dcc.duis.response import parse_response
from dcc.smki.profile import read_device_certificate
from devices.gbcs.frame import Cra, decode
from devices.gbcs.keystore import KeyUsage
from devices.gbcs.security import signature_valid
from sim.web.server import LOOPBACK, free_port
from sim.web.smki_port import SmkiServer
from tests.web.support import SRP_ID, Receiver, start_server, switch, wait_for, wait_for_instruction

APIKEY = {"apikey": "2dd8b3b4-3a1b-4d05-9f94-3a4d4b7f5d2f"}
XML = {"Content-Type": "application/xml"}


def _smki(url: str, path: str, body: str) -> httpx.Response:
    document = f'<?xml version="1.0" encoding="utf-8"?>\n{body}'
    return httpx.post(f"{url}{path}", params=APIKEY, content=document, headers=XML, timeout=10)


def _certificates_in_use(url: str, device: str, usage: str) -> list[x509.Certificate]:
    """What a DCC Boxed client does: search, keep the usage asked for in status I, retrieve."""
    search = (
        "<CertificateSearchRequest><CertificateSubjectAltName>"
        f"{device}</CertificateSubjectAltName></CertificateSearchRequest>"
    )
    found = _smki(url, "/services/certificatesearch", search)
    assert found.status_code == 200, found.text
    assert found.headers["content-type"].startswith("application/xml")
    serials = [
        result.findtext("CertificateSerial")
        for result in etree.fromstring(found.content).iter("Result")
        if result.findtext("CertificateUsage") == usage
        and result.findtext("CertificateStatus") == "I"
    ]
    certificates = []
    for serial in serials:
        request = (
            "<CertificateDataRequest><CertificateSerial>"
            f"{serial}</CertificateSerial></CertificateDataRequest>"
        )
        answer = _smki(url, "/services/retrievecertificate", request)
        assert answer.status_code == 200, answer.text
        body = etree.fromstring(answer.content).findtext(".//CertificateBody")
        certificates.append(x509.load_der_x509_certificate(base64.b64decode(body)))
    return certificates


def test_a_boxed_client_verifies_a_device_response_from_smki_alone() -> None:
    receiver = Receiver()
    receiver.start()
    server = start_server({SRP_ID: receiver.url})
    smki = SmkiServer(server.live, LOOPBACK, free_port())
    smki.start()
    try:
        population = server.live.population
        device = population.failed_supplier_meters(prepayment_only=True, classes=("esme",))[0]
        wait_for_instruction(server)
        switch(server, population.cast.srp, device, counter=1)
        wait_for(lambda: receiver.documents, timeout=10)

        payload = parse_response(receiver.documents[0]).body.content
        assert isinstance(payload, bytes)
        message = decode(payload)
        assert message.header.cra is Cra.RESPONSE and message.header.originator == device
        eui = "-".join(f"{byte:02x}" for byte in message.header.originator)

        [ds] = _certificates_in_use(smki.url, eui, "DS")
        info = read_device_certificate(ds)
        assert (info.eui64, info.key_usage) == (device, KeyUsage.DIGITAL_SIGNING)
        assert signature_valid(message, ds.public_key())
        tampered = replace(message, content=message.content[:-1] + bytes([message.content[-1] ^ 1]))
        assert not signature_valid(tampered, ds.public_key())
        [ka] = _certificates_in_use(smki.url, eui, "KA")
        assert not signature_valid(message, ka.public_key())

        # The same calls answer on the DUIS port.
        assert _certificates_in_use(server.url, eui.upper(), "DS") == [ds]
    finally:
        smki.stop()
        server.stop()
        receiver.stop()
