"""Delivery is at-least-once: a receiver that answers too late gets the same document again,
byte for byte, with the ResponseID it de-duplicates by."""

from __future__ import annotations

from dcc.duis.response import parse_response
from sim.web.delivery import RetryPolicy
from tests.web.support import (
    SRP_ID,
    Receiver,
    start_server,
    switch,
    wait_for,
    wait_for_instruction,
)


def test_a_receiver_slower_than_the_delivery_timeout_gets_the_same_document_again() -> None:
    receiver = Receiver(delay=1.0)
    receiver.start()
    impatient = RetryPolicy(first_delay=0.05, max_delay=0.2, timeout=0.3)
    server = start_server({SRP_ID: receiver.url}, retry=impatient)
    try:
        population = server.live.population
        device = population.failed_supplier_meters(prepayment_only=True, classes=("esme",))[0]
        wait_for_instruction(server)
        transform = switch(server, population.cast.srp, device, counter=51)
        wait_for(lambda: len(receiver.documents) >= 2)
        first, again = receiver.documents[:2]
        assert again == first
        response_id = parse_response(first).header.response_id
        assert response_id is not None
        assert response_id.request_id == transform.header.request_id
    finally:
        server.stop()
        receiver.stop()
