"""What the web service refuses, always with a DUIS Response, and a receiver that comes back."""

from __future__ import annotations

from hashlib import sha256

import pytest

from dcc.duis.codes import ResponseCode
from dcc.duis.response import parse_response
from dcc.duis.xmlparse import MAX_DOCUMENT_BYTES, MAX_NAMESPACE_DECLARATIONS
from sim.report.events import EventKind
from sim.report.wire_log import DCC, party
from sim.web._refusal import UNREADABLE_SERVICE_REFERENCE
from sim.web.delivery import QUEUE_FULL
from sim.web.limits import KEPT_BYTES
from sim.web.live import UNIDENTIFIED
from sim.web.server import DuisServer
from sim.world.duis_client import signed
from tests.web.support import (
    SRP_ID,
    Receiver,
    post,
    signed_transform,
    start_server,
    switch,
    transform_request,
    wait_for,
    wait_for_instruction,
)


@pytest.fixture(scope="module")
def server():
    server = start_server({})
    yield server
    server.stop()


def _srp_and_device(server: DuisServer):
    population = server.live.population
    device = population.failed_supplier_meters(prepayment_only=True, classes=("esme",))[0]
    return population.cast.srp, device


def test_a_transform_on_the_send_command_path_is_e13(server: DuisServer) -> None:
    srp, device = _srp_and_device(server)
    answer = post(server, "/api/v1/serviceS", signed_transform(srp, device, counter=11))
    assert answer.status_code == 200
    response = parse_response(answer.content)
    assert response.header.response_code is ResponseCode.E13
    assert response.body.service_reference == "1.6"


def test_a_request_with_a_broken_signature_is_refused(server: DuisServer) -> None:
    srp, device = _srp_and_device(server)
    document = signed_transform(srp, device, counter=12).replace(b"<sr:Credit", b"<sr:Credit ")
    tampered = signed(srp, transform_request(srp, device, 12)).replace(
        b"SignatureValue>", b"SignatureValue>AAAA", 1
    )
    for body in (document.replace(b"</ds:Signature>", b"</ds:Signature><!-- -->"), tampered):
        answer = post(server, "/api/v1/serviceT", body)
        assert answer.status_code == 200
        code = parse_response(answer.content).header.response_code
        assert code not in (ResponseCode.I0, ResponseCode.I99)


def test_malformed_xml_gets_a_duis_error_not_a_500(server: DuisServer) -> None:
    answer = post(server, "/api/v1/serviceT", b"<not-duis")
    assert answer.status_code == 200
    response = parse_response(answer.content)
    assert response.header.response_code is ResponseCode.E1000
    assert response.body.service_reference == UNREADABLE_SERVICE_REFERENCE


def test_a_request_declaring_too_many_namespaces_is_refused_unread(server: DuisServer) -> None:
    srp, device = _srp_and_device(server)
    # the root declares sr and ds already
    extra = b"".join(b' xmlns:p%d="u:"' % n for n in range(MAX_NAMESPACE_DECLARATIONS))
    document = signed_transform(srp, device, counter=14)
    document = document.replace(b"<sr:Request ", b"<sr:Request" + extra + b" ", 1)
    answer = post(server, "/api/v1/serviceT", document)
    assert answer.status_code == 200
    assert parse_response(answer.content).header.response_code is ResponseCode.E1000
    events = server.live.locked(lambda: list(server.live.events))
    requests = [e for e in events if e.kind is EventKind.DUIS_REQUEST and e.message]
    (refused,) = [e for e in requests if document.startswith(e.message)]
    assert refused.verdict == "E1000" and refused.detail.startswith("web: unreadable")
    assert f"more than {MAX_NAMESPACE_DECLARATIONS} namespace declarations" in refused.detail


def test_an_oversize_body_is_refused(server: DuisServer) -> None:
    answer = post(server, "/api/v1/serviceT", b" " * (MAX_DOCUMENT_BYTES + 1))
    assert answer.status_code == 413
    assert parse_response(answer.content).header.response_code is ResponseCode.E1000


def test_another_content_type_is_refused(server: DuisServer) -> None:
    srp, device = _srp_and_device(server)
    document = signed_transform(srp, device, counter=13)
    answer = post(server, "/api/v1/serviceT", document, headers={"Content-Type": "text/plain"})
    assert answer.status_code == 415
    assert parse_response(answer.content).header.response_code is ResponseCode.E1000


def test_web_refusals_are_in_the_wire_log(server: DuisServer) -> None:
    srp, device = _srp_and_device(server)
    misrouted = signed_transform(srp, device, counter=31)
    post(server, "/api/v1/serviceS", misrouted)
    post(server, "/api/v1/serviceT", b"<not-duis")
    post(server, "/api/v1/serviceT", misrouted, headers={"Content-Type": "text/plain"})
    events = server.live.locked(lambda: list(server.live.events))
    refused = [e for e in events if e.kind is EventKind.DUIS_REQUEST and e.detail[:4] == "web:"]

    e13 = next(e for e in refused if misrouted.startswith(e.message) and e.verdict == "E13")
    assert (e13.sender, e13.recipient) == (party(srp.user_id), DCC)
    assert "serviceS" in e13.detail
    kept = (
        f"first {KEPT_BYTES} of {len(misrouted)} bytes kept, sha256 {sha256(misrouted).hexdigest()}"
    )
    assert e13.message == misrouted[:KEPT_BYTES] and kept in e13.detail
    unreadable = next(e for e in refused if e.message == b"<not-duis")
    assert (unreadable.sender, unreadable.verdict) == (UNIDENTIFIED, "E1000")
    assert any("text/plain" in e.detail for e in refused)
    answers = [e for e in events if e.kind is EventKind.DUIS_RESPONSE and e.verdict == "E13"]
    assert any(e.recipient == party(srp.user_id) for e in answers)


def test_documents_wait_while_the_receiver_is_down_and_arrive_when_it_is_back() -> None:
    receiver = Receiver()  # not started: the User's endpoint is down
    server = start_server({SRP_ID: receiver.url})
    try:
        srp, device = _srp_and_device(server)
        wait_for_instruction(server)
        transform = switch(server, srp, device, counter=21)
        wait_for(lambda: server.delivery.waiting(SRP_ID) == 1)
        wait_for(lambda: server.delivery.failures(SRP_ID) >= 2)  # retried, still waiting
        assert server.delivery.waiting(SRP_ID) == 1
        receiver.start()
        wait_for(lambda: len(receiver.documents) == 1)
        response = parse_response(receiver.documents[0])
        assert response.header.response_id.request_id == transform.header.request_id
        # the receiver keeps the document before it answers 200; the queue pops on the answer
        wait_for(lambda: server.delivery.waiting(SRP_ID) == 0)
    finally:
        server.stop()
        receiver.stop()


def test_a_full_queue_refuses_new_requests_and_loses_nothing_once_the_receiver_is_back() -> None:
    receiver = Receiver()  # not started: the User's endpoint is down
    server = start_server({SRP_ID: receiver.url}, capacity=2)
    try:
        population = server.live.population
        srp = population.cast.srp
        devices = population.failed_supplier_meters(prepayment_only=True, classes=("esme",))
        wait_for_instruction(server)
        switched = [switch(server, srp, devices[n], counter=41 + n) for n in range(2)]
        wait_for(lambda: server.delivery.waiting(SRP_ID) >= 2)

        refused = post(server, "/api/v1/serviceT", signed_transform(srp, devices[2], counter=43))
        assert refused.status_code == 503
        assert parse_response(refused.content).header.response_code is QUEUE_FULL

        receiver.start()
        wait_for(lambda: server.delivery.waiting(SRP_ID) == 0)
        wait_for(lambda: len(receiver.documents) == server.delivery.delivered(SRP_ID))
        ids = [parse_response(d).header.response_id for d in receiver.documents]
        answered = {response_id.request_id for response_id in ids if response_id is not None}
        assert {t.header.request_id for t in switched} <= answered
        again = post(server, "/api/v1/serviceT", signed_transform(srp, devices[2], counter=44))
        assert parse_response(again.content).header.response_code is ResponseCode.I0
    finally:
        server.stop()
        receiver.stop()
