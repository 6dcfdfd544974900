"""What other people's software may send: XML naming outside resources, lookups with garbage,
connections that stall. Each gets a 4xx or a DUIS refusal, never a 500, and nothing is opened."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

from dcc.duis.codes import ResponseCode
from dcc.duis.response import parse_response
from sim.report.events import EventKind
from sim.web.server import LOOPBACK, DuisServer
from tests.hostile_xml import Watch, watched
from tests.web.support import start_server, wait_for

REQUEST_TIMEOUT = 0.5


@pytest.fixture(scope="module")
def server():
    server = start_server({}, request_timeout=REQUEST_TIMEOUT)
    yield server
    server.stop()


@pytest.mark.parametrize("name", sorted(Watch(Path("/nowhere"), 0).documents()))
@pytest.mark.parametrize("service", ["serviceS", "serviceT", "serviceD"])
def test_xml_naming_outside_resources_is_refused_unopened(
    server: DuisServer, tmp_path: Path, name: str, service: str
) -> None:
    with watched(tmp_path) as watch:
        answer = httpx.post(
            f"{server.url}/api/v1/{service}",
            content=watch.documents()[name],
            headers={"Content-Type": "application/xml"},
            timeout=10,
        )
    assert answer.status_code == 200
    assert parse_response(answer.content).header.response_code is ResponseCode.E1000
    assert watch.touched == []


@pytest.mark.parametrize(
    "query",
    [
        "issuer=garbage&serial=1",
        "issuer=CN%3D&serial=1",
        "issuer=1.2.3%3D%23zz&serial=1",
        "issuer=CN%3Da&serial=zz",
        "issuer=CN%3Da&serial=" + "9" * 5000,
        "serial=1",
        "issuer=CN%3Da",
    ],
)
def test_an_unreadable_certificate_lookup_is_a_400(server: DuisServer, query: str) -> None:
    answer = httpx.get(f"{server.url}/smki/certificate?{query}", timeout=10)
    assert answer.status_code == 400, answer.text


@pytest.mark.parametrize(
    "sent",
    [
        b"",
        b"POST /api/v1/serviceT HTTP/1.1\r\nHost: solrsim\r\n",
        b"POST /api/v1/serviceT HTTP/1.1\r\nHost: solrsim\r\nContent-Type: application/xml\r\n"
        b"Content-Length: 1000\r\n\r\n<sr:Request",
    ],
    ids=["nothing", "half the headers", "half the body"],
)
def test_a_stalled_request_is_closed_after_the_request_timeout(
    server: DuisServer, sent: bytes
) -> None:
    with socket.create_connection((LOOPBACK, server.port)) as raw:
        raw.sendall(sent)
        raw.settimeout(10 * REQUEST_TIMEOUT)
        started = time.monotonic()
        assert raw.recv(4096) == b""  # closed by the server, nothing answered
        assert time.monotonic() - started < 5 * REQUEST_TIMEOUT
    answer = httpx.get(f"{server.url}/smki/certificate?serial=1", timeout=10)
    assert answer.status_code == 400  # the server still answers


def test_a_body_that_stops_is_logged_as_refused(server: DuisServer) -> None:
    head = b"POST /api/v1/serviceD HTTP/1.1\r\nHost: solrsim\r\nContent-Type: text/xml\r\n"
    with socket.create_connection((LOOPBACK, server.port)) as raw:
        raw.sendall(head + b"Content-Length: 500\r\n\r\n" + b"<" * 123)
        raw.settimeout(10 * REQUEST_TIMEOUT)
        assert raw.recv(4096) == b""

    def logged() -> bool:
        events = server.live.locked(lambda: list(server.live.events))
        return any(
            e.kind is EventKind.DUIS_REQUEST and "stopped after 123 bytes" in e.detail
            for e in events
        )

    wait_for(logged)


def test_idle_time_between_kept_alive_requests_is_not_request_time(server: DuisServer) -> None:
    lookup = b"GET /smki/certificate?serial=1 HTTP/1.1\r\nHost: solrsim\r\n\r\n"
    with socket.create_connection((LOOPBACK, server.port)) as raw:
        raw.settimeout(10 * REQUEST_TIMEOUT)
        for _ in range(2):
            raw.sendall(lookup)
            assert _response(raw).startswith(b"HTTP/1.1 400")
            time.sleep(2 * REQUEST_TIMEOUT)
        raw.sendall(lookup[:20])  # the next request stalls: its own clock runs out
        assert raw.recv(4096) == b""


def _response(raw: socket.socket) -> bytes:
    """One whole HTTP response with a Content-Length from ``raw``."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += raw.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += raw.recv(4096)
    return data
