"""``solrsim serve --state DIR``: the world rebuilt from its state folder, then journalled.

The world is made afresh from the scenario; each journalled request is submitted again at its
simulated time, and the clock run to the time the world had promised not to pass
(:mod:`sim.web.journal`). That redoes all the world did before it stopped: the DCC's registers,
counters and pending commands, the meters, the WAN and Ofgem. Each document made for a User is
checked against the outbox, none handed over (the delivery service starts from the undelivered
ones); each answer must match its journalled digest; the audit trail in the folder takes nothing
twice (:mod:`dcc.audit_resume`). Anything made otherwise than before refuses the folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from dcc.audit_resume import ResumedAuditTrail
from dcc.duis.response import Response
from dcc.outcome import UserDelivery
from dcc.sqlite_file import DatabaseError
from dcc.stored_values import eui64_text
from sim.web.journal import (
    AUDIT_FILE,
    RAISED,
    Journal,
    Journalled,
    ReplayError,
    answer_digest,
)
from sim.web.live import LiveSimulation
from sim.world.population import Population


def resume(folder: Path, live: LiveSimulation, receivers: Collection[bytes]) -> Journal:
    """The folder's journal, ``live`` rebuilt from it and journalling to it from now on.

    Raises :class:`dcc.sqlite_file.DatabaseError` (a :class:`sim.web.journal.StateFolderError`
    for the folder's own problems) with the reason when the folder cannot be resumed."""
    journal = Journal(folder, world_of(live.population, receivers))
    dcc = live.population.dcc
    try:
        dcc.audit = ResumedAuditTrail(folder / AUDIT_FILE, shared=True)
        _replay(live, journal, receivers)
    except BaseException:
        if dcc.audit is not None:
            dcc.audit.close()
        journal.close()
        raise
    live.record_to(journal)
    return journal


def world_of(population: Population, receivers: Collection[bytes]) -> dict[str, str]:
    """What the world is made from, as the folder records it."""
    scenario = population.scenario
    certificate = population.cast.identity.xml_sign_certificate.public_bytes(Encoding.DER)
    return {
        "scenario": scenario.name,
        "seed": str(scenario.seed),
        "scenario digest": _sha256(scenario.model_dump_json().encode()),
        "DCC certificate digest": _sha256(certificate),
        "receivers": " ".join(sorted(eui64_text(user) for user in receivers)) or "none",
    }


def _replay(live: LiveSimulation, journal: Journal, receivers: Collection[bytes]) -> None:
    def keep(sent: UserDelivery, _response: Response) -> None:
        journal.put(sent.user_id, sent.document)

    for user in receivers:
        live.connect(user, keep)
    for entry in journal.requests():
        live.advance_to(entry.at)
        _submit_again(live, entry)
    live.advance_to(journal.promised)
    journal.check_remade()


def _submit_again(live: LiveSimulation, entry: Journalled) -> None:
    try:
        outcome = live.submit(entry.document, entry.sender)
    except DatabaseError:
        raise
    except Exception as exc:
        if entry.answer == RAISED:
            return
        raise ReplayError(f"request {entry.seq} raised {exc!r}") from exc
    if entry.answer is not None and entry.answer != answer_digest(outcome.response):
        raise ReplayError(f"request {entry.seq} is now answered {outcome.response_code}")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
