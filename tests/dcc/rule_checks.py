"""What the DCC tests share: the time they act at, how a refusal, a quarantine, a delivered
alert and a document the DCC signed look, and the SRP's credit switch awaiting its answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from dcc.duis.alerts import BreachKind, DCCAlertMessage, DeviceAlertMessage
from dcc.duis.codes import DCCAlertCode, ResponseCode
from dcc.duis.request import Credit
from dcc.duis.response import parse_response
from dcc.duis.xmldsig import DCC_SIGNING_ROLES, verify_document
from dcc.outcome import Outcome, UserDelivery
from devices.gbcs.frame import GbcsMessage, OtherInformation, decode, encode
from sim.world.testbed import BRIGHT, ESME_ID, SRP, T0, World

# The day after the testbed enrolled its world; a minute, the step between events.
NOW = T0 + timedelta(days=1)
MINUTE = timedelta(minutes=1)
ECS10 = 0x0021  # a non-critical use case: its MAC is keyed for the User, the DCC cannot check it


def srp_switch_sent(world: World) -> tuple[datetime, bytes]:
    """The SRP's credit switch of the ESME sent and awaiting its answer, once SoLR is ready;
    the time, and the meter's genuine signed answer, not yet given to the DCC."""
    ready = world.solr_ready(NOW)
    transform, issued = world.transform(SRP, ESME_ID, Credit(), ready)
    outcome = world.send_signed(transform, world.sign_pre_command(issued, BRIGHT), ready)
    (command,) = outcome.to_devices
    (answer,) = world.meters[ESME_ID].receive(command.frame, ready)
    return ready, answer


def unsigned_ecs10_under(answer: bytes) -> bytes:
    """A frame anyone can make with the counter of ``answer``: a non-critical message code, no
    signature and a made-up MAC, which the DCC has no key to check."""
    header = replace(decode(answer).header, other_info=OtherInformation(ECS10))
    return encode(GbcsMessage(header, b"\x00", b"", b"\x00" * 12))


def assert_refused(outcome: Outcome, code: ResponseCode, stage: str) -> None:
    """Refused by ``stage`` with ``code``: nothing sent to a device, no quarantine."""
    assert (outcome.response_code, outcome.decided_by) == (code, stage), outcome.reason
    assert not outcome.quarantined
    assert outcome.to_devices == ()


def assert_quarantined(outcome: Outcome, kind: BreachKind, stage: str, user: bytes) -> None:
    """Quarantined by ``stage``: acknowledged I99, nothing sent to a device, and the User told
    by a DCC alert AD1 QuarantinedRequest of breach ``kind`` naming the request, whose header
    carries a ResponseID to the User numbered by the quarantine event, and no RequestID."""
    assert (outcome.quarantined, outcome.decided_by) == (True, stage), outcome.reason
    assert outcome.response_code is ResponseCode.I99
    assert outcome.to_devices == ()
    (delivery,) = outcome.to_users
    assert (delivery.user_id, delivery.kind) == (user, "dcc-alert")
    response = parse_response(delivery.document)
    alert = response.body
    assert isinstance(alert, DCCAlertMessage)
    assert alert.dcc_alert_code is DCCAlertCode.AD1
    assert alert.dcc_alert.kind is kind
    assert alert.dcc_alert.request_id == outcome.request_id
    header = response.header
    assert header.request_id is None
    assert header.response_id is not None
    assert header.response_id.user == user
    assert header.response_id.counter == alert.dcc_alert.quarantine_event_ref


def assert_device_alert(
    world: World, delivery: UserDelivery, user: bytes, alert_code: int, now: datetime
) -> None:
    """A device alert for ``user``, signed by the DCC, carrying ``alert_code``."""
    assert (delivery.user_id, delivery.kind) == (user, "device-alert")
    assert_signed_by_dcc(world, delivery.document, now)
    body = parse_response(delivery.document).body
    assert isinstance(body, DeviceAlertMessage)
    assert body.alert_code == alert_code


def assert_signed_by_dcc(world: World, document: bytes, at: datetime) -> None:
    """``document`` carries the DCC's own signature, valid at ``at``."""
    verify_document(
        document,
        world.smki,
        at=at,
        expected_signer=world.dcc.identity.dcc_id,
        allowed_roles=DCC_SIGNING_ROLES,
    )
