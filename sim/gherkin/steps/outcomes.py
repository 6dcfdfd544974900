"""Then steps: what the DCC decided and did, read where a tester reads it. The response code from
the DUIS response, the deciding stage from the audit trail, commands from the GBCS or SMETS1
frames the DCC sent, DCC alerts and responses from the documents delivered to Users, and each
meter's state from its read-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ec
from pytest_bdd import given, then

from dcc.adt import AdtFile
from dcc.anomaly import AdtRefused
from dcc.audit import DecisionRecord, DeliveryKind, DeliveryRecord, Verdict
from dcc.duis.alerts import BreachKind, DCCAlertMessage, QuarantinedRequest
from dcc.duis.codes import DCCAlertCode, ResponseCode
from dcc.duis.request import CommandVariant, parse_request
from dcc.duis.response import parse_response
from dcc.duis.xmldsig import DCC_SIGNING_ROLES, verify_document
from dcc.smki.errors import SubscriptionRefused
from dcc.smki.repository import CertificateRecord
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.solr_register import RegisterError
from dcc.stored_values import eui64_text
from dcc.users import OfficerKind, UserRole, UserStatus
from devices.gbcs.frame import decode
from devices.gbcs.payment_mode import PaymentMode
from devices.smets1_frame import Smets1Command
from devices.smets1_frame import decode as decode_smets1
from devices.smets1_frame import signature_valid as smets1_signature_valid
from sim.gherkin.words import CREDIT_CODES, Meter, phrase
from sim.gherkin.world import Attempt, SolrWorld
from sim.report.events import EventKind
from sim.report.wire_log import OFGEM, party

_DEVICE_KINDS = (DeliveryKind.COMMAND_TO_DEVICE, DeliveryKind.COUNTERSIGNED_TO_S1SP)


@dataclass
class Trail:
    """The audit trail's account of the last request: its stage decisions and deliveries."""

    attempt: Attempt
    decisions: list[DecisionRecord]
    deliveries: list[DeliveryRecord]

    @property
    def decided(self) -> DecisionRecord:
        return self.decisions[-1]

    def why(self) -> str:
        return f"{self.decided.stage} {self.decided.verdict} {self.decided.response_code}: " + (
            self.decided.reason or "passed every stage"
        )


def _trail(world: SolrWorld) -> Trail:
    attempt = world.last
    history = world.bed.audit.entry_history(attempt.entry)
    (received,) = history.requests
    assert received.raw == attempt.raw, "the audit trail's entry is not this request"
    return Trail(attempt, list(history.decisions), list(history.deliveries))


def _dcc_alerts_to(world: SolrWorld, user_id: bytes) -> list[DCCAlertMessage]:
    bodies = [
        parse_response(d.document).body
        for d in world.delivered
        if d.kind == "dcc-alert" and d.user_id == user_id
    ]
    return [body for body in bodies if isinstance(body, DCCAlertMessage)]


def _meter_mode(world: SolrWorld, meter: Meter) -> PaymentMode:
    return world.bed.meters[meter.device_id].state.account.payment_mode


# --- the DCC's verdict on a request ------------------------------------------------------------


@then("the DCC accepts it")
def accepted(world: SolrWorld) -> None:
    """Every stage passed; the DUIS response is I0 (a transform) or I99 (sent to the device)."""
    trail = _trail(world)
    assert all(d.verdict is Verdict.PASS for d in trail.decisions), trail.why()
    variant = parse_request(trail.attempt.raw).header.command_variant
    expected = ResponseCode.I0 if variant is CommandVariant.TRANSFORM else ResponseCode.I99
    assert trail.attempt.response_code is expected
    assert not _dcc_alerts_to(world, trail.attempt.user)


@then(phrase("the DCC rejects it at the {stage:Quoted} stage with {code:Quoted}"))
def rejected(world: SolrWorld, stage: str, code: str) -> None:
    """The DUIS response carries the code; the audit trail shows the stage that decided (every
    earlier one passed); nothing went to a device and no DCC alert to the User."""
    trail = _trail(world)
    assert trail.attempt.response_code is ResponseCode(code), trail.why()
    assert (trail.decided.stage, trail.decided.verdict, trail.decided.response_code) == (
        stage,
        Verdict.REJECT,
        code,
    ), trail.why()
    assert all(d.verdict is Verdict.PASS for d in trail.decisions[:-1])
    assert trail.deliveries == []
    assert not _dcc_alerts_to(world, trail.attempt.user)


@then(
    phrase("the DCC quarantines it at the {stage:Quoted} stage with DCC alert AD1 {breach:Quoted}")
)
def quarantined(world: SolrWorld, stage: str, breach: str) -> None:
    """Acknowledged I99 and not actioned: the audit trail shows the quarantining stage, nothing
    went to a device, and the User received DCC alert AD1 QuarantinedRequest of that breach
    kind naming the request."""
    trail = _trail(world)
    assert trail.attempt.response_code is ResponseCode.I99
    assert (trail.decided.stage, trail.decided.verdict) == (stage, Verdict.QUARANTINE), trail.why()
    assert [d.kind for d in trail.deliveries] == [DeliveryKind.ALERT_TO_USER]
    (alert,) = _dcc_alerts_to(world, trail.attempt.user)
    assert alert.dcc_alert_code is DCCAlertCode.AD1
    assert isinstance(alert.dcc_alert, QuarantinedRequest), alert.dcc_alert
    assert alert.dcc_alert.kind is BreachKind(breach)
    assert alert.dcc_alert.request_id == parse_request(trail.attempt.raw).header.request_id


# --- what the DCC sent on ----------------------------------------------------------------------


def _sent_to(trail: Trail, meter: Meter, kind: DeliveryKind) -> bytes:
    sent = [d for d in trail.deliveries if d.kind in _DEVICE_KINDS]
    assert [(d.kind, d.recipient) for d in sent] == [(kind, eui64_text(meter.device_id))], (
        trail.why()
    )
    return sent[0].data


@then(
    phrase("the DCC sends the {meter:Meter} a MACed credit command on behalf of {supplier:Party}")
)
def maced_command(world: SolrWorld, meter: Meter, supplier: str) -> None:
    """The GBCS frame the DCC sent: the meter kind's credit command (ECS02 or GCS02) for the
    meter, business originator the supplier, signed by the User and MACed by the DCC."""
    frame = decode(_sent_to(_trail(world), meter, DeliveryKind.COMMAND_TO_DEVICE))
    assert frame.message_code == CREDIT_CODES[meter.kind]
    assert (frame.header.originator, frame.header.recipient) == (
        world.user_id(supplier),
        meter.device_id,
    )
    assert frame.is_signed and frame.mac is not None


@then(
    phrase(
        "the DCC countersigns it and sends the {meter:Meter} a credit command on behalf of "
        "{supplier:Party}"
    )
)
def countersigned(world: SolrWorld, meter: Meter, supplier: str) -> None:
    """The SMETS1 frame the DCC sent to the S1SP: a credit command for the meter, supplier the
    one acted for, countersigned with the DCC's key (its published certificate verifies it)."""
    data = _sent_to(_trail(world), meter, DeliveryKind.COUNTERSIGNED_TO_S1SP)
    command = decode_smets1(data)
    assert isinstance(command, Smets1Command)
    assert (command.target, command.supplier) == (meter.device_id, world.user_id(supplier))
    assert command.payment_mode_change().mode is PaymentMode.CREDIT
    dcc_key = world.bed.dcc.identity.xml_sign_certificate.public_key()
    assert isinstance(dcc_key, ec.EllipticCurvePublicKey)
    assert smets1_signature_valid(command, dcc_key)


@then(phrase("{user:Actor} receives the meter's response {code:Quoted}, signed by the DCC"))
def meter_response(world: SolrWorld, user: str, code: str) -> None:
    """One DUIS response delivered to the User in the last action, answering one of its
    requests, signed by the DCC."""
    user_id = world.user_id(user)
    (delivery,) = [d for d in world.delivered if d.kind == "response" and d.user_id == user_id]
    _verify_dcc_signature(world, delivery.document)
    response = parse_response(delivery.document)
    assert response.header.response_code is ResponseCode(code)
    header = response.header
    answered = header.request_id if header.response_id is None else header.response_id.request_id
    assert answered in {a.outcome.request_id for a in world.attempts if a.user == user_id}


def _verify_dcc_signature(world: SolrWorld, document: bytes) -> None:
    verify_document(
        document,
        world.bed.smki,
        at=world.now,
        expected_signer=world.bed.dcc.identity.dcc_id,
        allowed_roles=DCC_SIGNING_ROLES,
    )


# --- the meters --------------------------------------------------------------------------------


@given(phrase("the {meter:Meter} is in {mode:Mode} mode"))
@then(phrase("the {meter:Meter} is in {mode:Mode} mode"))
def in_mode(world: SolrWorld, meter: Meter, mode: PaymentMode) -> None:
    """The meter's payment mode, read from its state."""
    actual = _meter_mode(world, meter)
    assert actual is mode, f"the {meter} is in {actual.value} mode, not {mode.value}"


@then("no meter has changed")
def nothing_changed(world: SolrWorld) -> None:
    """Every meter's state (account, counters, pending change) as before the last action."""
    changed = [
        device.hex().upper()
        for device, state in world.bed.states().items()
        if state != world.before[device]
    ]
    assert changed == [], f"changed: {changed}"


@then(phrase("the {meter:Meter} has not changed"))
def meter_unchanged(world: SolrWorld, meter: Meter) -> None:
    """The meter's state as before the last action."""
    assert world.bed.meters[meter.device_id].state == world.before[meter.device_id]


@then(phrase("by {deadline:Time} every reachable meter of {supplier:Party} is in credit mode"))
def all_on_credit(world: SolrWorld, deadline: datetime, supplier: str) -> None:
    """The world runs until the deadline (not yet past); then each meter of the supplier's
    customers that the WAN reaches reads credit."""
    world.set_time(deadline)
    reachable = [m for m in world.meters_of(supplier) if world.reachable(m)]
    assert reachable
    assert {str(m): _meter_mode(world, m) for m in reachable} == {
        str(m): PaymentMode.CREDIT for m in reachable
    }


@then(phrase("the WAN lost the command for the {meter:Meter}"))
def command_lost(world: SolrWorld, meter: Meter) -> None:
    """The wire log: the DCC's command for the meter (the last request's) went onto the WAN and
    was lost there, never delivered."""
    device = party(meter.device_id)
    commands = {EventKind.GBCS_COMMAND, EventKind.SMETS1_COMMAND}
    lost = [e for e in world.log.events if e.kind is EventKind.WAN_LOST and e.recipient == device]
    delivered = [e for e in world.log.events if e.kind in commands and e.recipient == device]
    assert lost and lost[-1].detail.startswith(tuple(str(kind) for kind in commands)), lost
    assert not delivered or delivered[-1].time < lost[-1].time, "a later command was delivered"


@then(
    phrase(
        "the wire log records Ofgem's notification, revocation and instruction for "
        "{supplier:Party}, in that order"
    )
)
def ofgem_on_the_wire(world: SolrWorld, supplier: str) -> None:
    """Ofgem's events naming the supplier, as the wire log recorded them: its SoLR notification,
    the revocation of its certificates, and the instruction naming an SRP to act for it."""
    who = party(world.user_id(supplier))
    verdicts = [
        event.verdict
        for event in world.log.events
        if event.kind is EventKind.SOLR and event.sender == OFGEM and who in event.detail
    ]
    assert verdicts == ["notified", "revoked", "instructed"], verdicts


@then(
    phrase(
        "{user:Actor} receives the response {code:Quoted} to its request for the {meter:Meter}, "
        "signed by the DCC"
    )
)
def response_for(world: SolrWorld, user: str, code: str, meter: Meter) -> None:
    """Among the DUIS responses delivered to the User since the last action, the one answering
    its request for the meter, signed by the DCC, carries the code (E21: the device did not
    answer within the DCC's response timeout)."""
    user_id = world.user_id(user)
    asked = {
        a.outcome.request_id
        for a in world.attempts
        if a.user == user_id and a.meter == meter and a.outcome.request_id is not None
    }
    answers = []
    for delivery in world.delivered:
        if delivery.kind != "response" or delivery.user_id != user_id:
            continue
        header = parse_response(delivery.document).header
        answered = (
            header.request_id if header.response_id is None else header.response_id.request_id
        )
        if answered in asked:
            _verify_dcc_signature(world, delivery.document)
            answers.append(header.response_code)
    assert answers == [ResponseCode(code)], answers


# --- the audit trail, the DCC's registers and configuration ------------------------------------


@then(phrase("the audit trail records the request as from User ID {eui:Quoted}"))
def audit_originator(world: SolrWorld, eui: str) -> None:
    """Each receipt of the request's RequestID, by originator."""
    request_id = world.last.outcome.request_id
    assert request_id is not None, "the request was not readable enough to name"
    originators = {r.originator for r in world.bed.audit.history(request_id).requests}
    assert {None if o is None else eui64_text(o) for o in originators} == {eui}


@then(phrase("the audit trail shows that it passed the {stage:Quoted} stage"))
def passed_stage(world: SolrWorld, stage: str) -> None:
    decisions = {d.stage: d.verdict for d in _trail(world).decisions}
    assert decisions.get(stage) is Verdict.PASS, decisions


@then("the DCC has not been restarted")
def not_restarted(world: SolrWorld) -> None:
    """The same running DCC took every request of the scenario."""
    assert world.bed.dcc is world.started


@then(
    phrase("the DCC's configuration lets the {role:Quoted} User Role send SRV {srvs:Quoted} only")
)
def eligible(world: SolrWorld, role: str, srvs: str) -> None:
    """The eligible SRVs as the DCC reads them from its configuration (defaults and dcc.toml)."""
    listed = frozenset(srv.strip() for srv in srvs.split(","))
    assert world.bed.config.current().eligible_srvs[role] == listed


@then(phrase("the DUIS User Roles are {roles:Quoted}"))
def user_roles(world: SolrWorld, roles: str) -> None:
    """The User Roles the DCC registers Users in."""
    assert [role.value for role in UserRole] == [r.strip() for r in roles.split(",")]


@then(phrase("the DCC's register shows {user:Actor} as suspended"))
def user_suspended(world: SolrWorld, user: str) -> None:
    """The User's status in the DCC's register of Users."""
    registered = world.bed.dcc.services.users.get(world.user_id(user))
    assert registered is not None and registered.status is UserStatus.SUSPENDED


@then(phrase("the DCC's register lists {kind:OfficerKind} {officer:Quoted} for {party:Party}"))
def officer_listed(world: SolrWorld, kind: OfficerKind, officer: str, party: str) -> None:
    officers = world.bed.dcc.services.users.officers_of(party)
    assert (officer, kind) in {(o.officer_id, o.kind) for o in officers}


@then("the DCC accepts the ADT")
def adt_accepted(world: SolrWorld) -> None:
    assert isinstance(world.result, AdtFile), world.result


@then(phrase("the DCC refuses the ADT under rule {rule:Quoted}"))
def adt_refused(world: SolrWorld, rule: str) -> None:
    """The refusal the DCC gives the submitting officer names the rule that decided."""
    assert isinstance(world.result, AdtRefused), world.result
    assert world.result.rule == rule, world.result.reason


@then("the DCC refuses the instruction")
def instruction_refused(world: SolrWorld) -> None:
    assert isinstance(world.result, RegisterError), world.result


@then(phrase("{user:Actor} has received {count:d} DCC alerts AD1 {breach:Quoted} in all"))
def alert_count(world: SolrWorld, user: str, count: int, breach: str) -> None:
    """Every DCC alert delivered to the User in the scenario, by breach kind."""
    user_id = world.user_id(user)
    alerts = [
        parse_response(d.document).body
        for d in world.everything_delivered
        if d.kind == "dcc-alert" and d.user_id == user_id
    ]
    kinds = [
        a.dcc_alert.kind
        if isinstance(a, DCCAlertMessage) and isinstance(a.dcc_alert, QuarantinedRequest)
        else None
        for a in alerts
    ]
    assert kinds == [BreachKind(breach)] * count


# --- SMKI --------------------------------------------------------------------------------------


@then(phrase("SMKI issues the certificate with subject OU {ou:Quoted}"))
def certificate_issued(world: SolrWorld, ou: str) -> None:
    """The issued certificate, as SMKI's repository publishes it."""
    assert isinstance(world.result, CertificateRecord), world.result
    assert world.result.certificate in [r.certificate for r in world.bed.smki.records]
    assert world.result.role is not None and world.result.role.ou == ou


@then(phrase("SMKI refuses it, saying {text:Quoted}"))
def certificate_refused(world: SolrWorld, text: str) -> None:
    assert isinstance(world.result, SubscriptionRefused), world.result
    assert text in str(world.result)


@then(phrase("SMKI's CRLs list every certificate of {party:Party} as revoked"))
def all_revoked(world: SolrWorld, party: str) -> None:
    """Each Organisation certificate SMKI ever issued the party (Supplier DS and KA, xmlSign),
    looked up in its issuer's signed CRL."""
    smki = world.bed.smki
    held = smki.history(world.user_id(party))
    assert {record.role for record in held} >= {RemotePartyRole.SUPPLIER, RemotePartyRole.XML_SIGN}
    assert all(smki.is_revoked(record.certificate, world.now) for record in held)


@then(phrase("SMKI holds no {role:Quoted} {usage:Quoted} certificate for {party:Party}"))
def no_certificate(world: SolrWorld, role: str, usage: str, party: str) -> None:
    """SMKI's repository, searched for the party's certificates of that role and key usage."""
    found = world.bed.smki.find(
        world.user_id(party),
        RemotePartyRole.parse(role),
        next(u for u in KeyUsage if u.extension_name == usage),
    )
    assert found == []
