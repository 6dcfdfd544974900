"""DCC Boxed's SMKI interface (spec boxed-smki.md): certificatesearch and retrievecertificate
over a world's repository, with the statuses, HTTP codes and hardening its clients meet."""

from __future__ import annotations

import asyncio
import base64
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from lxml import etree
from starlette.applications import Starlette

from dcc.duis.xmlparse import MAX_NAMESPACE_DECLARATIONS
from dcc.smki.profile import read_device_certificate
from dcc.smki.roles import KeyUsage
from sim.scenario.model import load_scenario
from sim.web.boxed_smki import MAX_REQUEST_BYTES, RETRIEVE_PATH, SEARCH_PATH, boxed_smki_routes
from sim.world.population import Population
from sim.world.testbed import BRIGHT, ESME_ID, T0, World, build_world

SMALL = Path(__file__).parents[2] / "scenarios" / "solr-small.yaml"
NOW = T0 + timedelta(hours=1)
XML = {"Content-Type": "application/xml"}
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def _search(element: str, value: str) -> str:
    return (
        f"{DECLARATION}<CertificateSearchRequest><{element}>{value}</{element}>"
        "</CertificateSearchRequest>"
    )


def _device_search(eui: str) -> str:
    return _search("CertificateSubjectAltName", eui)


def _retrieve(serial: str) -> str:
    return (
        f"{DECLARATION}<CertificateDataRequest><CertificateSerial>{serial}</CertificateSerial>"
        "</CertificateDataRequest>"
    )


class Client:
    """Calls the ASGI app in-process, as a DCC Boxed client would over HTTP."""

    def __init__(self, app: Starlette) -> None:
        self._app = app

    def post(self, path: str, **kwargs) -> httpx.Response:
        return asyncio.run(self._call("POST", path, **kwargs))

    def get(self, path: str) -> httpx.Response:
        return asyncio.run(self._call("GET", path))

    async def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        transport = httpx.ASGITransport(app=self._app)
        async with httpx.AsyncClient(transport=transport, base_url="http://smki") as client:
            return await client.request(method, path, **kwargs)


@pytest.fixture
def world(tmp_path) -> World:
    return build_world(tmp_path)


@pytest.fixture
def client(world: World) -> Client:
    return Client(Starlette(routes=boxed_smki_routes(world.smki, lambda: NOW)))


def _post(client: Client, path: str, body: str | bytes, **kwargs):
    headers = kwargs.pop("headers", XML)
    return client.post(path, content=body, headers=headers, params={"apikey": "x"}, **kwargs)


def _results(answer) -> list[dict[str, str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == "application/xml"
    assert answer.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = etree.fromstring(answer.content)
    assert root.tag == "CertificateSearchResponse"
    assert root.findtext("ResponseCode") == "200" and root.findtext("AuditReference")
    return [{child.tag: child.text for child in result} for result in root.iter("Result")]


@pytest.mark.parametrize(
    "eui", ["00-db-12-34-56-78-90-a0", "00-DB-12-34-56-78-90-A0", "00DB1234567890a0"]
)
def test_a_device_search_lists_its_ds_and_ka_certificates(
    world: World, client: Client, eui: str
) -> None:
    results = _results(_post(client, SEARCH_PATH, _device_search(eui)))
    records = world.smki.devices(ESME_ID)
    assert results == [
        {
            "CertificateSerial": f"{record.serial:X}",
            "CertificateSubjectAltName": "00-DB-12-34-56-78-90-A0",
            "CertificateStatus": "I",
            "CertificateUsage": usage,
            "ManufacturingFlag": "false",
        }
        for record, usage in zip(records, ("DS", "KA"), strict=True)
    ]
    assert all(r["CertificateSerial"] == r["CertificateSerial"].upper() for r in results)


def test_a_smets1_device_has_its_signing_certificate_only(client: Client) -> None:
    results = _results(_post(client, SEARCH_PATH, _device_search("00-db-12-34-56-78-90-b0")))
    assert [r["CertificateUsage"] for r in results] == ["DS"]


def test_an_organisation_search_lists_its_certificates_with_their_roles(
    world: World, client: Client
) -> None:
    results = _results(
        _post(client, SEARCH_PATH, _search("CertificateSubjectName", "90-B3-D5-1F-30-01-00-00"))
    )
    expected = [r for r in world.smki.history(BRIGHT) if r.role is not None]
    assert [r["CertificateSerial"] for r in results] == [f"{r.serial:X}" for r in expected]
    assert {(r["CertificateRole"], r["CertificateUsage"]) for r in results} == {
        ("135", "DS"),
        ("2", "DS"),
        ("2", "KA"),
    }
    assert all(r["CertificateSubjectName"] == "90-B3-D5-1F-30-01-00-00" for r in results)
    assert all("CertificateSubjectAltName" not in r for r in results)


@pytest.mark.parametrize(
    "body",
    [
        _device_search("00-DB-12-34-56-78-90-FF"),  # no such device
        _device_search("90-B3-D5-1F-30-01-00-00"),  # an organisation, asked as a device
        _search("CertificateSubjectName", "00-DB-12-34-56-78-90-A0"),  # a device, as organisation
    ],
)
def test_nothing_found_is_402(client: Client, body: str) -> None:
    assert _post(client, SEARCH_PATH, body).status_code == 402


def test_a_certificate_is_retrieved_by_its_serial(world: World, client: Client) -> None:
    ds = world.smki.devices(ESME_ID)[0]
    for serial in (f"{ds.serial:X}", f"{ds.serial:x}", f"00{ds.serial:X}"):
        answer = _post(client, RETRIEVE_PATH, _retrieve(serial))
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].split(";")[0] == "application/xml"
        root = etree.fromstring(answer.content)
        assert root.tag == "CertificateDataResponse" and root.findtext("ResponseCode") == "200"
        found = root.find("CertificateResponse")
        assert found.findtext("CertificateSubjectAltName") == "00-DB-12-34-56-78-90-A0"
        assert found.findtext("CertificateSerial") == f"{ds.serial:X}"
        assert found.findtext("CertificateStatus") == "I"
        assert found.findtext("CertificateUsage") == "DS"
        assert found.find("CertificateRole") is None
        body = found.findtext("CertificateBody")
        assert "-----" not in body
        certificate = x509.load_der_x509_certificate(base64.b64decode(body))
        assert certificate == ds.certificate
        info = read_device_certificate(certificate)
        assert (info.eui64, info.key_usage) == (ESME_ID, KeyUsage.DIGITAL_SIGNING)


def test_an_organisation_certificate_is_retrieved_with_its_role(
    world: World, client: Client
) -> None:
    certificate = world.dcc.identity.xml_sign_certificate
    answer = _post(client, RETRIEVE_PATH, _retrieve(f"{certificate.serial_number:X}"))
    found = etree.fromstring(answer.content).find("CertificateResponse")
    assert found.findtext("CertificateSubjectName") == "90-B3-D5-1F-30-00-00-02"
    assert found.findtext("CertificateRole") == "137"
    assert found.find("CertificateSubjectAltName") is None


def test_an_unknown_serial_is_402(client: Client) -> None:
    assert (
        _post(client, RETRIEVE_PATH, _retrieve("4DF56E92D528F83544EBA0547068CF8C")).status_code
        == 402
    )


def test_a_revoked_device_certificate_shows_r(world: World, client: Client) -> None:
    ds, _ = world.smki.devices(ESME_ID)
    world.smki.revoke(ds, x509.ReasonFlags.key_compromise, T0 + timedelta(minutes=30))
    results = _results(_post(client, SEARCH_PATH, _device_search("00-db-12-34-56-78-90-a0")))
    assert [r["CertificateStatus"] for r in results] == ["R", "I"]
    answer = _post(client, RETRIEVE_PATH, _retrieve(f"{ds.serial:X}"))
    assert etree.fromstring(answer.content).findtext(".//CertificateStatus") == "R"
    others = _results(_post(client, SEARCH_PATH, _device_search("00-db-12-34-56-78-90-b0")))
    assert [r["CertificateStatus"] for r in others] == ["I"]


MALFORMED_SEARCHES = [
    "not xml at all",
    f"{DECLARATION}<CertificateSearchRequest>",
    f"{DECLARATION}<CertificateDataRequest><CertificateSerial>01</CertificateSerial>"
    "</CertificateDataRequest>",
    f"{DECLARATION}<CertificateSearchRequest/>",
    f"{DECLARATION}<CertificateSearchRequest><CertificateSubjectAltName>00-db-12-34-56-78-90-a0"
    "</CertificateSubjectAltName><CertificateSubjectName>90-B3-D5-1F-30-01-00-00"
    "</CertificateSubjectName></CertificateSearchRequest>",
    _search("CertificateSerial", "00-db-12-34-56-78-90-a0"),
    _device_search("00-db-12-34-56-78-90"),
    _device_search("00-db-12-34-56-78-90-a0-11"),
    _device_search("zz-db-12-34-56-78-90-a0"),
    _device_search("00:db:12:34:56:78:90:a0"),
    _device_search(""),
    '<CertificateSearchRequest xmlns="urn:other"><CertificateSubjectAltName>'
    "00-db-12-34-56-78-90-a0</CertificateSubjectAltName></CertificateSearchRequest>",
]


@pytest.mark.parametrize("body", MALFORMED_SEARCHES)
def test_a_malformed_search_is_401(client: Client, body: str) -> None:
    answer = _post(client, SEARCH_PATH, body)
    assert answer.status_code == 401
    assert answer.text


@pytest.mark.parametrize(
    "serial", ["", "xyz", "-1", "0x4DF5", "4DF5 6E92", "1" * 41, "</CertificateSerial>"]
)
def test_a_malformed_retrieve_is_401(client: Client, serial: str) -> None:
    assert _post(client, RETRIEVE_PATH, _retrieve(serial)).status_code == 401


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "00-db-12-34-56-78-90-a0">]>'
    "<CertificateSearchRequest><CertificateSubjectAltName>&a;</CertificateSubjectAltName>"
    "</CertificateSearchRequest>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    "<CertificateDataRequest><CertificateSerial>&x;</CertificateSerial></CertificateDataRequest>"
)


@pytest.mark.parametrize(("path", "body"), [(SEARCH_PATH, LAUGHS), (RETRIEVE_PATH, EXTERNAL)])
def test_a_doctype_is_refused(client: Client, path: str, body: str) -> None:
    answer = _post(client, path, body)
    assert answer.status_code == 401
    assert "DOCTYPE" in answer.text


def test_a_request_declaring_too_many_namespaces_is_refused(client: Client) -> None:
    extra = "".join(f' xmlns:p{n}="u:"' for n in range(MAX_NAMESPACE_DECLARATIONS + 1))
    body = _device_search("00-db-12-34-56-78-90-a0").replace(
        "<CertificateSearchRequest>", f"<CertificateSearchRequest{extra}>"
    )
    answer = _post(client, SEARCH_PATH, body)
    assert answer.status_code == 401
    assert "namespace declarations" in answer.text


@pytest.mark.parametrize("path", [SEARCH_PATH, RETRIEVE_PATH])
def test_an_oversize_request_is_refused_unread(client: Client, path: str) -> None:
    padding = " " * MAX_REQUEST_BYTES
    body = _device_search("00-db-12-34-56-78-90-a0").replace(
        "<Certificate", padding + "<Certificate", 1
    )
    assert _post(client, path, body).status_code == 413

    async def chunks():
        yield _device_search("00-db-12-34-56-78-90-a0")[:40].encode()
        yield b" " * MAX_REQUEST_BYTES

    assert _post(client, path, chunks()).status_code == 413


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", ""])
def test_a_body_that_is_not_xml_is_415(client: Client, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    body = _device_search("00-db-12-34-56-78-90-a0")
    assert _post(client, SEARCH_PATH, body, headers=headers).status_code == 415


def test_text_xml_and_a_charset_are_accepted_and_the_apikey_ignored(client: Client) -> None:
    body = _device_search("00-db-12-34-56-78-90-a0")
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    assert client.post(SEARCH_PATH, content=body, headers=headers).status_code == 200
    assert client.post(SEARCH_PATH, content=body, headers=XML).status_code == 200


def test_other_methods_are_405(client: Client) -> None:
    assert client.get(SEARCH_PATH).status_code == 405
    assert client.get(RETRIEVE_PATH).status_code == 405


def test_a_fleet_meter_s_certificates_are_issued_when_first_searched_for() -> None:
    """Nothing issued up front; found when searched, for the keys the DCC's inventory holds."""
    population = Population(load_scenario(SMALL))
    smki = population.cast.smki
    app = Starlette(routes=boxed_smki_routes(smki, lambda: population.scenario.start))
    device = population.failed_supplier_meters(classes=("gsme",))[0]
    cast_records = len(smki.records)
    eui = "-".join(f"{byte:02x}" for byte in device)
    results = _results(_post(Client(app), SEARCH_PATH, _device_search(eui)))
    assert [r["CertificateUsage"] for r in results] == ["DS", "KA"]
    assert len(smki.records) == cast_records + 2
    ds, ka = smki.devices(device)
    record = population.inventory.get(device)
    assert record.ds_public_key == ds.certificate.public_key()
    assert record.ka_public_key == ka.certificate.public_key()
