"""``solrsim serve --state`` killed with SIGKILL and started again on the same folder: what was
acknowledged stays done and is done once, and every document owed is delivered once."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dcc.audit import AuditTrail, DeliveryKind, Verdict
from dcc.duis.codes import ResponseCode
from dcc.duis.ids import ResponseID
from dcc.duis.request import Request
from dcc.duis.response import parse_response
from sim.scenario.model import load_scenario
from sim.web.journal import AUDIT_FILE, JOURNAL_FILE
from sim.web.server import LOOPBACK, free_port
from sim.world.duis_client import pre_command, sign_pre_command, signed, signed_send
from sim.world.population import Population
from tests.web.served import ServeProcess
from tests.web.support import SCENARIO, Receiver, transform_request, wait_for

POPULATION = Population(load_scenario(SCENARIO))
SUPPLIER = POPULATION.cast.suppliers[-1]  # trading all through the scenario
METERS = [
    device
    for device in map(POPULATION.device_id, range(POPULATION.size))
    if POPULATION.supplier_of(device) == SUPPLIER.user_id
    and POPULATION.device_class(device) == "esme"
]


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


def _switch(served: ServeProcess, device: bytes) -> tuple[Request, bytes]:
    """The supplier's transform and signed pre-command for its own meter, both acknowledged;
    the transform's request and the signed pre-command's document."""
    transform = transform_request(SUPPLIER, device, counter=1)
    answer = served.post("/api/v1/serviceT", signed(SUPPLIER, transform))
    gbcs = sign_pre_command(pre_command(answer.content), SUPPLIER.supplier_ds)
    document = signed(SUPPLIER, signed_send(transform, gbcs))
    acknowledged = served.post("/api/v1/serviceS", document)
    assert parse_response(acknowledged.content).header.response_code is ResponseCode.I99
    return transform, document


def _answered(documents: list[bytes]) -> list[ResponseID]:
    return [parse_response(document).header.response_id for document in documents]


def _outbox(state: Path) -> list[tuple[int, int]]:
    """(number, delivered) of the outbox's documents, read as another process would."""
    with sqlite3.connect(f"file:{state / JOURNAL_FILE}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT seq, delivered FROM outbox ORDER BY seq").fetchall()


def test_a_request_acknowledged_before_a_crash_is_a_replay_after_it_and_acted_on_once(
    state: Path, receiver: Receiver
) -> None:
    served = ServeProcess(state, {SUPPLIER.user_id: receiver.url}).start()
    transform, send = _switch(served, METERS[0])
    served.kill()

    again = ServeProcess(state, {SUPPLIER.user_id: receiver.url}).start()
    try:
        refused = parse_response(again.post("/api/v1/serviceS", send).content)
        assert refused.header.response_code is ResponseCode.E1000
        wait_for(lambda: receiver.documents)
        time.sleep(1.5)  # ample for a second response to come, were there one
    finally:
        again.kill()
    answering = ResponseID.answering(transform.header.request_id)
    assert _answered(receiver.documents) == [answering]
    assert parse_response(receiver.documents[0]).header.response_code is ResponseCode.I0
    with AuditTrail(state / AUDIT_FILE) as trail:
        history = trail.history(transform.header.request_id)
    _transform, sent, resent = history.requests
    assert resent.raw == sent.raw == send
    kinds = [delivery.kind for delivery in history.deliveries]
    assert kinds.count(DeliveryKind.COMMAND_TO_DEVICE) == 1
    assert kinds.count(DeliveryKind.RESPONSE_TO_USER) == 1
    refusal = [d for d in history.decisions if d.entry == resent.entry][-1]
    assert (refusal.stage, refusal.verdict) == ("replay", Verdict.REJECT)


def test_documents_queued_for_a_receiver_that_is_down_are_delivered_once_after_a_crash(
    state: Path,
) -> None:
    port = free_port()
    url = f"http://{LOOPBACK}:{port}/receive"
    served = ServeProcess(state, {SUPPLIER.user_id: url}).start()
    transforms = [_switch(served, device)[0] for device in METERS[:10]]
    wait_for(lambda: len(_outbox(state)) == 10, timeout=20)
    served.kill()

    receiver = Receiver(port)
    receiver.start()
    again = ServeProcess(state, {SUPPLIER.user_id: url}).start()
    try:
        wait_for(lambda: len(receiver.documents) >= 10, timeout=20)
        time.sleep(1.0)
    finally:
        again.kill()
        receiver.stop()
    expected = {ResponseID.answering(t.header.request_id) for t in transforms}
    answered = _answered(receiver.documents)
    assert len(answered) == 10
    assert set(answered) == expected
    assert _outbox(state) == [(n, 1) for n in range(1, 11)]


class HoldingReceiver:
    """A receiver that answers 2xx to its first document and holds the second POST open."""

    def __init__(self) -> None:
        self.documents: list[bytes] = []
        self._release = threading.Event()
        documents, release = self.documents, self._release

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                documents.append(self.rfile.read(int(self.headers["Content-Length"])))
                if len(documents) > 1:
                    release.wait(60)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.url = f"http://{LOOPBACK}:{self._server.server_address[1]}/receive"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()


def test_a_document_in_flight_at_a_crash_is_delivered_after_it_and_an_answered_one_is_not(
    state: Path, receiver: Receiver
) -> None:
    holding = HoldingReceiver()
    served = ServeProcess(state, {SUPPLIER.user_id: holding.url}).start()
    try:
        for device in METERS[:2]:
            _switch(served, device)
        wait_for(lambda: len(holding.documents) == 2, timeout=20)
        wait_for(lambda: _outbox(state) == [(1, 1), (2, 0)])
        served.kill()
    finally:
        holding.stop()
    answered, in_flight = holding.documents

    again = ServeProcess(state, {SUPPLIER.user_id: receiver.url}).start()
    try:
        wait_for(lambda: receiver.documents)
        time.sleep(1.0)
    finally:
        again.kill()
    assert receiver.documents == [in_flight]
    assert answered != in_flight
    assert _outbox(state) == [(1, 1), (2, 1)]
