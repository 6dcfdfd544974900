"""The event loop only moves bytes: a request slow to process stalls neither other requests nor
SMKI lookups."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from dcc.duis.codes import ResponseCode
from dcc.duis.response import parse_response
from dcc.duis.xmlparse import parse_xml
from sim.web import app as web_app
from sim.web.server import DuisServer
from tests.web.support import post, start_server

SUPPLIER_CERTIFICATES = "/smki/certificates?eui={eui}&role=supplier"


@pytest.fixture
def server():
    server = start_server({})
    yield server
    server.stop()


def test_a_request_slow_to_parse_stalls_neither_lookups_nor_other_requests(
    server: DuisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    calls = iter(range(1_000_000))

    def first_call_slow(data: bytes, **kwargs: int):
        if next(calls) == 0:
            entered.set()
            release.wait(20)
        return parse_xml(data, **kwargs)

    monkeypatch.setattr(web_app, "parse_xml", first_call_slow)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(post, server, "/api/v1/serviceT", b"<slow")
        try:
            assert entered.wait(10)
            eui = server.live.population.cast.suppliers[0].user_id.hex()
            lookup = httpx.get(server.url + SUPPLIER_CERTIFICATES.format(eui=eui), timeout=3)
            assert lookup.status_code == 200 and b"BEGIN CERTIFICATE" in lookup.content
            other = httpx.post(
                f"{server.url}/api/v1/serviceT",
                content=b"<other",
                headers={"Content-Type": "application/xml"},
                timeout=3,
            )
            assert parse_response(other.content).header.response_code is ResponseCode.E1000
            assert not slow.done()
        finally:
            release.set()
        assert parse_response(slow.result().content).header.response_code is ResponseCode.E1000
