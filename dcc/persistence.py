"""Saving a running DCC into its SQLite file and restarting from it.

Users, officers, the inventory and the SoLR register have tables of their own
(:mod:`dcc.state_store`); the SMKI repository keeps its own folder; anomaly detection and the
DCC's memory between requests (pre-commands issued, RequestID counters, commands awaiting a
device response, alerts held for an SRP Ofgem has yet to instruct) are stored as JSON
components. The DCC's private keys are never stored: they
come from the same seed again, and their certificates from the SMKI repository.
"""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path
from typing import Any

from dcc.adt import SignedAdt
from dcc.anomaly import AdtSubmission, AnomalyDetection, AnomalyState, CounterState
from dcc.audit import AuditTrail
from dcc.config import ConfigSource
from dcc.dcc import AlertHeld, Dcc, Pending, ReceivedAlert
from dcc.duis.elements import to_bytes
from dcc.duis.request import Request, SignedPreCommand, build_request, parse_request
from dcc.identity import DccIdentity
from dcc.pipeline import Services
from dcc.s1sp import S1spFrameError, key_of, read_alert
from dcc.state_store import StateStore
from devices.gbcs.errors import GbcsError
from devices.gbcs.frame import decode

ANOMALY = "anomaly_detection"
DCC_MEMORY = "dcc"


class RestoreError(Exception):
    """A DCC file that cannot be restarted from, with the reason."""


def save_dcc(dcc: Dcc, store: StateStore, smki_folder: Path) -> None:
    services = dcc.services
    store.save_users(services.users)
    store.save_inventory(services.inventory)
    store.save_register(services.register)
    store.save_smki(services.smki, smki_folder)
    store.save_component(ANOMALY, _anomaly_json(services.anomaly.state()))
    store.save_component(DCC_MEMORY, _memory_json(dcc))


def restore_dcc(
    store: StateStore, seed: bytes, config: ConfigSource, audit: AuditTrail | None = None
) -> Dcc:
    """The DCC as :func:`save_dcc` left it, with its keys from ``seed``."""
    smki = store.load_smki()
    if smki is None:
        raise RestoreError("the file holds no SMKI repository: nothing was saved")
    users, register = store.load_users(), store.load_register()
    anomaly = AnomalyDetection.restore(
        users, register, config.current, _anomaly_state(store.load_component(ANOMALY))
    )
    services = Services(config, users, store.load_inventory(), smki, register, anomaly)
    dcc = Dcc(DccIdentity.recover(smki, seed), services, audit)
    _restore_memory(dcc, store.load_component(DCC_MEMORY))
    return dcc


def _hex(value: bytes | None) -> str | None:
    return None if value is None else value.hex()


def _bytes(value: str | None) -> bytes | None:
    return None if value is None else bytes.fromhex(value)


def _signed_json(signed: SignedAdt) -> dict[str, str]:
    return {
        "content": signed.content.decode(),
        "officer": signed.officer_id,
        "signature": signed.signature.hex(),
    }


def _signed(data: dict[str, str]) -> SignedAdt:
    return SignedAdt(data["content"].encode(), data["officer"], bytes.fromhex(data["signature"]))


def _anomaly_json(state: AnomalyState) -> dict[str, Any]:
    return {
        "adts": [_signed_json(signed) for signed in state.adts],
        "counters": [
            [c.user_id.hex(), c.srv, _hex(c.supplier), c.window_start.isoformat(), c.count]
            for c in state.counters
        ],
        "submissions": [
            {"signed": _signed_json(s.signed), "at": s.at.isoformat(), "refusal": s.refusal}
            for s in state.submissions
        ],
        "last_event_ref": state.last_event_ref,
    }


def _anomaly_state(data: Any) -> AnomalyState:
    if data is None:
        return AnomalyState((), (), (), 0)
    try:
        return AnomalyState(
            tuple(_signed(item) for item in data["adts"]),
            tuple(
                CounterState(
                    bytes.fromhex(user), srv, _bytes(supplier), datetime.fromisoformat(at), count
                )
                for user, srv, supplier, at, count in data["counters"]
            ),
            tuple(
                AdtSubmission(
                    _signed(item["signed"]), datetime.fromisoformat(item["at"]), item["refusal"]
                )
                for item in data["submissions"]
            ),
            data["last_event_ref"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RestoreError(f"anomaly detection state is damaged: {exc!r}") from None


def _memory_json(dcc: Dcc) -> dict[str, Any]:
    services = dcc.services
    return {
        "issued_precommands": {
            request_id: block.hex() for request_id, block in services.issued_precommands.items()
        },
        "last_counters": [
            [originator.hex(), target.hex(), signed, counter]
            for (originator, target, signed), counter in services.last_counters.items()
        ],
        "pending": [
            [
                device.hex(),
                counter,
                base64.b64encode(to_bytes(build_request(pending.request))).decode(),
                pending.audit_entry,
            ]
            for (device, counter), pending in dcc.pending.items()
        ],
        "held_alerts": [_held_json(held) for queue in dcc.held_alerts.values() for held in queue],
        "smets1_alert_counters": [
            [device.hex(), counter] for device, counter in dcc.smets1_alert_counters.items()
        ],
    }


def _held_json(held: AlertHeld) -> dict[str, Any]:
    alert = held.alert
    return {
        "device": alert.device_id.hex(),
        "addressed_to": alert.addressed_to.hex(),
        "alert_code": alert.alert_code,
        "counter": alert.counter,
        "frame": alert.frame.hex(),
        "smets1": alert.smets1 is not None,
        "safety_critical": held.safety_critical,
        "audit_number": held.audit_number,
    }


def _held(dcc: Dcc, data: dict[str, Any]) -> AlertHeld:
    """A held alert as saved; a SMETS1 one is read again from its frame, as the S1SP did."""
    device = bytes.fromhex(data["device"])
    frame = bytes.fromhex(data["frame"])
    smets1 = None
    if data["smets1"]:
        record = dcc.services.inventory.get(device)
        if record is None:
            raise RestoreError(f"a held alert from {device.hex().upper()}, not in the inventory")
        try:
            smets1 = read_alert(frame, key_of(record.device_id, record.ds_public_key))
        except S1spFrameError as exc:
            raise RestoreError(f"a held SMETS1 alert does not read: {exc}") from None
    alert = ReceivedAlert(
        device,
        bytes.fromhex(data["addressed_to"]),
        data["alert_code"],
        data["counter"],
        frame,
        smets1,
    )
    return AlertHeld(alert, data["safety_critical"], data["audit_number"])


def _pending(request: Request, entry: int | None) -> Pending:
    """A command awaiting its answer, with the message code of the GBCS command it carried."""
    body = request.body
    code = decode(body.gbcs_payload).message_code if isinstance(body, SignedPreCommand) else None
    return Pending(request, entry, code)


def _restore_memory(dcc: Dcc, data: Any) -> None:
    if data is None:
        return
    services = dcc.services
    try:
        services.issued_precommands.update(
            {rid: bytes.fromhex(block) for rid, block in data["issued_precommands"].items()}
        )
        services.last_counters.update(
            {
                (bytes.fromhex(originator), bytes.fromhex(target), signed): counter
                for originator, target, signed, counter in data["last_counters"]
            }
        )
        for device, counter, document, entry in data["pending"]:
            request = parse_request(base64.b64decode(document))
            dcc.pending[(bytes.fromhex(device), counter)] = _pending(request, entry)
        for item in data["held_alerts"]:
            held = _held(dcc, item)
            dcc.held_alerts.setdefault(held.alert.addressed_to, []).append(held)
        dcc.smets1_alert_counters.update(
            (bytes.fromhex(device), counter)
            for device, counter in data.get("smets1_alert_counters", ())
        )
    except (KeyError, TypeError, ValueError, GbcsError) as exc:
        raise RestoreError(f"the DCC's request memory is damaged: {exc!r}") from None
