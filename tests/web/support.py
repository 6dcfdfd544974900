"""A live solrsim server and a Receive Response endpoint, both on free 127.0.0.1 ports."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from dcc.duis.request import CommandVariant, Credit, Request, UpdatePaymentMode
from sim.scenario.model import load_scenario
from sim.web.delivery import DeliveryService, RetryPolicy
from sim.web.limits import REQUEST_TIMEOUT
from sim.web.live import LiveSimulation
from sim.web.server import LOOPBACK, DuisServer, free_port
from sim.world.cast import Party
from sim.world.duis_client import (
    pre_command,
    service_request,
    sign_pre_command,
    signed,
    signed_send,
)

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "solr-small.yaml"
SRP_ID = load_scenario(SCENARIO).srp.eui
SPEED = 1200.0  # Ofgem's instruction, 45 simulated minutes in, comes after ~2.3 s
FAST_RETRY = RetryPolicy(first_delay=0.05, max_delay=0.2, timeout=2.0)
XML = {"Content-Type": "application/xml"}


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)


class Receiver:
    """A User's Receive Response endpoint: keeps every document POSTed to it, then answers,
    after ``delay`` seconds."""

    def __init__(self, port: int | None = None, delay: float = 0.0) -> None:
        self.port = port or free_port()
        self.delay = delay
        self.documents: list[bytes] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/receive"

    def start(self) -> None:
        documents, delay = self.documents, self.delay

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                documents.append(self.rfile.read(length))
                time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer((LOOPBACK, self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def start_server(
    receivers: dict[bytes, str],
    capacity: int = 1000,
    retry: RetryPolicy = FAST_RETRY,
    request_timeout: float = REQUEST_TIMEOUT,
) -> DuisServer:
    live = LiveSimulation(load_scenario(SCENARIO), speed=SPEED)
    delivery = DeliveryService(receivers, capacity, retry)
    server = DuisServer(live, delivery, port=free_port(), request_timeout=request_timeout)
    server.start()
    return server


def wait_for_instruction(server: DuisServer) -> None:
    instructed = server.live.log.at(server.live.ofgem.instruction + 1)
    wait_for(lambda: server.live.now >= instructed, timeout=15)


def transform_request(party: Party, device: bytes, counter: int) -> Request:
    body = UpdatePaymentMode(Credit())
    return service_request(party.user_id, device, body, CommandVariant.TRANSFORM, counter)


def post(server: DuisServer, path: str, document: bytes, **kwargs) -> httpx.Response:
    headers = kwargs.pop("headers", XML)
    return httpx.post(
        f"{server.url}{path}", content=document, headers=headers, timeout=10, **kwargs
    )


def signed_transform(party: Party, device: bytes, counter: int) -> bytes:
    return signed(party, transform_request(party, device, counter))


def switch(server: DuisServer, party: Party, device: bytes, counter: int) -> Request:
    """Transform on serviceT, the signed pre-command on serviceS, as an SRP does; the
    transform's request (the device's answer comes later, to the receiver)."""
    transform = transform_request(party, device, counter)
    answer = post(server, "/api/v1/serviceT", signed(party, transform))
    gbcs = sign_pre_command(pre_command(answer.content), party.supplier_ds)
    sent = post(server, "/api/v1/serviceS", signed(party, signed_send(transform, gbcs)))
    assert b"I99" in sent.content, sent.text
    return transform
