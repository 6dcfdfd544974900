"""The world rebuilt from its state folder is the world that stopped; a folder whose requests
make anything else is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dcc.audit import AuditTrail
from dcc.duis.codes import ResponseCode
from dcc.duis.response import parse_response
from devices.gbcs.payment_mode import PaymentMode
from sim.scenario.model import load_scenario
from sim.web.journal import AUDIT_FILE, JOURNAL_FILE, ReplayError
from sim.web.live import LiveSimulation
from sim.web.resume import resume
from sim.world.duis_client import pre_command, sign_pre_command, signed, signed_send
from tests.web.support import SCENARIO, SPEED, transform_request

SUPPLIER_INDEX = -1  # trading all through the scenario


def _live() -> LiveSimulation:
    return LiveSimulation(load_scenario(SCENARIO), speed=SPEED)


def _supplier(live: LiveSimulation):
    return live.population.cast.suppliers[SUPPLIER_INDEX]


def _meter(live: LiveSimulation) -> bytes:
    population, supplier = live.population, _supplier(live)
    return next(
        device
        for device in map(population.device_id, range(population.size))
        if population.supplier_of(device) == supplier.user_id
        and population.device_class(device) == "esme"
    )


def _resume(folder: Path, live: LiveSimulation):
    user = _supplier(live).user_id
    journal = resume(folder, live, [user])
    live.connect(user, lambda sent, _response: journal.put(sent.user_id, sent.document))
    return journal


def _run_a_switch(folder: Path) -> tuple[LiveSimulation, bytes]:
    """A world that switched the supplier's meter and was answered; the signed pre-command."""
    live = _live()
    journal = _resume(folder, live)
    supplier = _supplier(live)
    transform = transform_request(supplier, _meter(live), counter=1)
    live.advance_to(10)
    answer = live.submit(signed(supplier, transform), supplier.user_id)
    gbcs = sign_pre_command(pre_command(answer.response), supplier.supplier_ds)
    send = signed(supplier, signed_send(transform, gbcs))
    live.advance_to(20)
    assert live.submit(send, supplier.user_id).response_code is ResponseCode.I99
    live.advance_to(3600)  # past Ofgem's notification, revocation and instruction
    journal.close()
    return live, send


def test_a_world_rebuilt_from_its_folder_goes_on_where_it_stopped(tmp_path: Path) -> None:
    stopped, send = _run_a_switch(tmp_path)
    with AuditTrail(tmp_path / AUDIT_FILE) as trail:
        audited = trail.counts()

    rebuilt = _live()
    journal = _resume(tmp_path, rebuilt)
    assert rebuilt.now >= stopped.now
    stopped.advance_to(journal.promised)  # as far as the rebuilt world ran
    assert (rebuilt.log.count, rebuilt.log.digest) == (stopped.log.count, stopped.log.digest)
    meter = rebuilt.population.meter(_meter(rebuilt))
    assert meter.state.account.payment_mode is PaymentMode.CREDIT
    ((seq, response),) = journal.undelivered(_supplier(rebuilt).user_id)
    assert seq == 1
    assert parse_response(response).header.response_code is ResponseCode.I0
    with AuditTrail(tmp_path / AUDIT_FILE) as trail:
        assert trail.counts() == audited
    again = rebuilt.submit(send, _supplier(rebuilt).user_id)
    assert (again.response_code, again.decided_by) == (ResponseCode.E1000, "replay")
    journal.close()


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("UPDATE outbox SET document = x'00'", "document 1 for 90-B3-D5-1F-30-03-00-00 is not"),
        ("UPDATE requests SET answer = 'other' WHERE seq = 2", "request 2 is now answered I99"),
        ("INSERT INTO outbox (user, seq, document) VALUES ('90-B3-D5-1F-30-03-00-00', 2, x'00')",
         "documents 2 to 2 for 90-B3-D5-1F-30-03-00-00 were not made again"),
    ],
)  # fmt: skip
def test_a_folder_whose_requests_make_something_else_is_refused(
    tmp_path: Path, change: str, why: str
) -> None:
    _run_a_switch(tmp_path)
    with sqlite3.connect(tmp_path / JOURNAL_FILE) as connection:
        connection.execute(change)
    with pytest.raises(ReplayError, match=f"the state folder does not replay: {why}"):
        _resume(tmp_path, _live())
    with pytest.raises(ReplayError):  # refused the same way again: the folder was released
        _resume(tmp_path, _live())
