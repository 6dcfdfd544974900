"""The DCC facade that a simulation, a test or an HTTP endpoint calls. Every call takes the
current time and returns what the DCC sends (DUIS responses, device commands, alerts): the DCC
reads no clock and does no network I/O, so one behaviour serves a test, a simulation and a web
service. Two things it touches are files, both optional: an attached audit trail (SQLite),
written as the DCC decides, and a deployment's configuration file, which
:class:`~dcc.config.ConfigSource` re-reads when it changes (configuration takes effect while
the DCC runs, R3.3).

``ofgem_revocation`` puts a failed supplier out: every Organisation certificate it holds is
revoked and its User suspended, so from then on only its SRP acts for it (R6.3-R6.5).
``submit`` runs a DUIS request through the check/sign pipeline (:mod:`dcc.pipeline`) and acts
on it; ``on_device_message`` turns a device's GBCS response or alert into signed DUIS for the
right User, routing a failed supplier's alerts to its SRP (R7).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from lxml import etree

from dcc._read_inventory import read_inventory
from dcc.adt import AdtFile, SignedAdt
from dcc.alert_routing import route_alert
from dcc.anomaly import Quarantined
from dcc.audit import AuditTrail, DeliveryKind, StageDecision, Verdict
from dcc.duis.alerts import DCCAlertMessage, DeviceAlertMessage, QuarantinedRequest
from dcc.duis.codes import DCCAlertCode, ResponseCode
from dcc.duis.ids import ResponseID
from dcc.duis.inventory import ReadInventory
from dcc.duis.request import (
    CommandVariant,
    Request,
    UpdatePaymentMode,
)
from dcc.duis.response import (
    PreCommand,
    Response,
    ResponseBody,
    ResponseContent,
    ResponseHeader,
    ResponseMessage,
)
from dcc.duis.smets1 import Smets1AlertContent, SMETS1ResponseMessage
from dcc.duis.writing import document_bytes, signed_bytes
from dcc.duis.xmldsig import enveloped_signature
from dcc.identity import DccIdentity
from dcc.inventory import DeviceKind, DeviceRecord, InventoryError
from dcc.outcome import DeviceDelivery, Outcome, UserDelivery
from dcc.pipeline import (
    Acted,
    Addressed,
    Attributed,
    FromUser,
    Headed,
    Received,
    Rejection,
    Services,
    run,
)
from dcc.s1sp import (
    S1spFrameError,
    Smets1DeviceAlert,
    countersign,
    key_of,
    read_alert,
    to_duis_response,
)
from dcc.smki.repository import CertificateRecord
from dcc.smki.roles import RemotePartyRole
from dcc.solr_register import OfgemInstruction, RegisterError, SolrNotification, SrpArrangement
from dcc.users import SUPPLIER_ROLES, User, UserRole, UserStatus
from devices.gbcs import crypto
from devices.gbcs.alert_payload import read_alert_code
from devices.gbcs.errors import GbcsError
from devices.gbcs.frame import (
    Cra,
    GbcsMessage,
    GroupingHeader,
    OtherInformation,
    decode,
    encode,
    signed_block,
)
from devices.gbcs.gbz import to_gbz_time
from devices.gbcs.payload import ALERT_PAYLOAD_CODES
from devices.gbcs.payment_mode import (
    ECS02,
    ECS03,
    GCS02,
    GCS03,
    PaymentMode,
    encode_payment_mode_command,
)
from devices.gbcs.security import add_mac, signature_valid
from devices.gbcs.usecases import use_case_for
from devices.smets1_frame import Smets1Alert, Smets1DecodeError, Smets1Response
from devices.smets1_frame import decode as decode_smets1
from devices.smets1_frame import signature_valid as smets1_signature_valid

# What DCC Boxed returns in PreCommand/GBCSVersion.
GBCS_VERSION = "4.0"
# The 1.6 message code for each device kind and payment mode (spec/gbcs.md §3.1).
_MESSAGE_CODES = {
    (DeviceKind.ESME, PaymentMode.CREDIT): ECS02,
    (DeviceKind.ESME, PaymentMode.PREPAYMENT): ECS03,
    (DeviceKind.GSME, PaymentMode.CREDIT): GCS02,
    (DeviceKind.GSME, PaymentMode.PREPAYMENT): GCS03,
}
_NOT_AUTHENTIC = "does not authenticate as the device's"


@dataclass(frozen=True, slots=True)
class ReceivedAlert:
    """A device alert the DCC has authenticated: what routing it and its DUIS document need.
    ``smets1`` is the S1SP's reading of a SMETS1 alert, None for a SMETS2+ one."""

    device_id: bytes
    addressed_to: bytes
    alert_code: int
    counter: int
    frame: bytes
    smets1: Smets1DeviceAlert | None = None


@dataclass(frozen=True, slots=True)
class AlertHeld:
    """An alert the DCC keeps for the SRP Ofgem will instruct: its supplier's certificates are
    revoked and it arranged no SRP (R7.1). ``audit_number`` is its row in the audit trail."""

    alert: ReceivedAlert
    safety_critical: bool
    audit_number: int | None = None


AlertOutcome = UserDelivery | AlertHeld


@dataclass(frozen=True, slots=True)
class OfgemRevocation:
    """What Ofgem's revocation did: the certificates revoked now (earlier revoked ones are not
    repeated) and the suspended User, None when the supplier is no DCC User."""

    failed_supplier: bytes
    revoked: tuple[CertificateRecord, ...]
    suspended: User | None


@dataclass(frozen=True, slots=True)
class Pending:
    """A command sent to a device and not yet answered. ``message_code`` is the GBCS command's,
    which a SMETS2+ device's response repeats; None for a SMETS1 command."""

    request: Request
    audit_entry: int | None
    message_code: int | None = None


@dataclass
class Dcc:
    identity: DccIdentity
    services: Services
    audit: AuditTrail | None = None
    pending: dict[tuple[bytes, int], Pending] = field(default_factory=dict)
    # failed supplier -> the alerts held for its SRP, in the order they arrived
    held_alerts: dict[bytes, list[AlertHeld]] = field(default_factory=dict)
    # SMETS1 device -> the counter of the last alert passed on from it
    smets1_alert_counters: dict[bytes, int] = field(default_factory=dict)
    _secrets: dict[bytes, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.services.actor = self._act

    # --- Ofgem and the SRP's officers ----------------------------------------------------------

    def ofgem_notification(self, failed_supplier: bytes, now: datetime) -> None:
        """Ofgem's SoLR notification: the supplier has failed."""
        self.services.register.notify(SolrNotification(failed_supplier, now))

    def ofgem_revocation(self, failed_supplier: bytes, now: datetime) -> OfgemRevocation:
        """Ofgem's revocation: every unrevoked Organisation certificate of the failed supplier
        (Supplier DS and KA, xmlSign) is revoked for cessation of operation, and the DCC
        suspends its User, so the supplier can neither sign DUIS nor send it."""
        smki, users = self.services.smki, self.services.users
        revoked = tuple(
            smki.revoke(record, x509.ReasonFlags.cessation_of_operation, now)
            for record in smki.history(failed_supplier)
            if record.role is not None and record.revoked_at is None
        )
        user = users.get(failed_supplier)
        suspended = None if user is None else users.set_status(user.user_id, UserStatus.SUSPENDED)
        if self.audit is not None:
            self.audit.record_ofgem_revocation(
                failed_supplier,
                [record.describe() for record in revoked],
                None if suspended is None else str(suspended.status),
                now,
            )
        return OfgemRevocation(failed_supplier, revoked, suspended)

    def ofgem_instruction(
        self, failed_supplier: bytes, srp_user_id: bytes, now: datetime
    ) -> list[UserDelivery]:
        """Ofgem's instruction that the SRP may act for the failed supplier (R6.2). The alerts
        held for that supplier go to the SRP now, in the order they came (R7.1)."""
        self.services.register.instruct(OfgemInstruction(failed_supplier, srp_user_id, now))
        return self._release_held(failed_supplier, srp_user_id, now)

    def arrange_srp(self, supplier: bytes, srp_user_id: bytes, now: datetime) -> None:
        """Record the SRP a supplier has arranged, in advance, to act for it if it fails: from
        the revocation of its certificates its meters' alerts go there (R7.1). Only a supplier
        User that is still trading may arrange one, and only with a SolrContingency User."""
        users = self.services.users
        supplier_user, srp = users.get(supplier), users.get(srp_user_id)
        if supplier_user is None or supplier_user.role not in SUPPLIER_ROLES:
            raise RegisterError(f"{supplier.hex().upper()} is not a supplier User")
        if supplier_user.status is not UserStatus.ACTIVE:
            raise RegisterError(f"supplier {supplier.hex().upper()} is {supplier_user.status}")
        if srp is None or srp.role is not UserRole.SOLR_CONTINGENCY:
            raise RegisterError(f"{srp_user_id.hex().upper()} is not a SolrContingency User")
        history = self.services.smki.role_history(supplier, RemotePartyRole.SUPPLIER, now)
        if history.refusal() is None:
            raise RegisterError(
                f"supplier {supplier.hex().upper()}'s certificates are revoked: an SRP is now "
                "Ofgem's to instruct"
            )
        self.services.register.arrange(SrpArrangement(supplier, srp_user_id, now))

    def submit_adt(self, signed: SignedAdt, now: datetime) -> AdtFile:
        """An ADT file signed by an officer of the User's party (R4.2); raises AdtRefused."""
        return self.services.anomaly.submit_adt(signed, now)

    # --- requests ------------------------------------------------------------------------------

    def submit(self, xml: bytes, now: datetime, offered: Request | None = None) -> Outcome:
        """Run a DUIS request through the pipeline and act on it; every stage is audited.
        ``offered`` is the Request a sender in this process wrote ``xml`` from: it is taken in
        place of reading ``xml`` only if it is what the signature covers
        (:mod:`dcc.duis.signed_document`)."""
        decisions: list[StageDecision] = []  # for the audit trail, kept only when there is one
        result = run(
            self.services,
            Received(xml, now, offered=offered),
            None if self.audit is None else lambda s, r: decisions.append(_decision(s, r, now)),
        )
        if isinstance(result, Acted):
            entry = self._audit_request(result, decisions)
            outcome = result.outcome
            self._track(result, entry)
        else:
            reached, rejection = result.reached, result.rejection
            entry = self._audit_request(reached, decisions)
            if rejection.quarantine is not None and isinstance(reached, FromUser):
                outcome = self._quarantine(reached, rejection, rejection.quarantine)
            else:
                outcome = self._refusal(reached, rejection)
        self._audit_outcome(entry, outcome, now)
        return outcome

    def _audit_request(self, ctx: Received, decisions: list[StageDecision]) -> int | None:
        if self.audit is None:
            return None
        header = ctx.header if isinstance(ctx, Headed) else None
        entry = self.audit.record_request(
            ctx.raw,
            ctx.now,
            request_id=header.request_id if header else None,
            srv=header.service_reference_variant if header else None,
            command_variant=int(header.command_variant) if header else None,
        )
        self.audit.record_decisions(entry, decisions)
        return entry

    def _audit_outcome(self, entry: int | None, outcome: Outcome, now: datetime) -> None:
        if self.audit is None or entry is None:
            return
        dcc = self.identity.dcc_id
        for delivery in outcome.to_devices:
            kind = (
                DeliveryKind.COUNTERSIGNED_TO_S1SP
                if delivery.smets1
                else DeliveryKind.COMMAND_TO_DEVICE
            )
            self.audit.record_delivery(
                kind,
                sender=dcc,
                recipient=delivery.device_id,
                data=delivery.frame,
                at=now,
                entry=entry,
            )
        for to_user in outcome.to_users:
            self.audit.record_delivery(
                DeliveryKind.ALERT_TO_USER,
                sender=dcc,
                recipient=to_user.user_id,
                data=to_user.document,
                at=now,
                entry=entry,
            )

    def _refusal(self, ctx: Received, rejection: Rejection) -> Outcome:
        """The refusal, with an unsigned error acknowledgement when the request was readable
        enough to answer."""
        if not isinstance(ctx, Headed):
            return Outcome(rejection.code, rejection.reason, rejection.stage, None)
        return Outcome(
            rejection.code,
            rejection.reason,
            rejection.stage,
            self._document(self._response(ctx, rejection.code), sign=False),
            ctx.header.request_id,
        )

    def _response(
        self, ctx: Headed, code: ResponseCode, content: ResponseContent | None = None
    ) -> Response:
        header = ctx.header
        return Response(
            ResponseHeader(code, ctx.now, request_id=header.request_id),
            ResponseMessage(header.service_reference, header.service_reference_variant, content),
        )

    def _document(self, response: Response, *, sign: bool) -> bytes:
        if not sign:
            return document_bytes(response)
        identity = self.identity
        return signed_bytes(response, identity.xml_sign_private, identity.xml_sign_certificate)

    def _sign(self, element: etree._Element) -> bytes:
        """The S1SP's signature over ``element`` (a SMETS1SignedResponse)."""
        return enveloped_signature(
            element, self.identity.xml_sign_private, self.identity.xml_sign_certificate
        )

    def _quarantine(self, ctx: FromUser, rejection: Rejection, held: Quarantined) -> Outcome:
        """I99, and an AD1 DCC Alert naming the quarantined request in its body. As DUIS has
        it for a DCC Alert, the header carries a ResponseID from the DCC to the User, numbered by
        the quarantine event, which is unique within the DCC."""
        request_id = ctx.header.request_id
        alert_id = ResponseID(self.identity.dcc_id, ctx.user.user_id, held.quarantine_event_ref)
        alert = Response(
            ResponseHeader(ResponseCode.I0, ctx.now, response_id=alert_id),
            DCCAlertMessage(
                DCCAlertCode.AD1,
                QuarantinedRequest(held.breach, request_id, held.quarantine_event_ref),
            ),
        )
        document = self._document(alert, sign=True)
        to_user = UserDelivery(ctx.user.user_id, document, "dcc-alert", alert)
        return Outcome(
            ResponseCode.I99,
            rejection.reason,
            rejection.stage,
            self._document(self._response(ctx, ResponseCode.I99), sign=False),
            request_id,
            quarantined=True,
            to_users=(to_user,),
        )

    def _act(self, ctx: Attributed) -> Outcome:
        body, header = ctx.request.body, ctx.request.header
        if isinstance(body, ReadInventory):
            return self._read_inventory(ctx)
        transform = header.command_variant is CommandVariant.TRANSFORM
        if transform and isinstance(body, UpdatePaymentMode):
            return self._transform(ctx, body)
        device = ctx.device
        delivery = DeviceDelivery(
            device.device_id, self._command(ctx), header.request_id, device.smets1
        )
        acknowledgement = self._response(ctx, ResponseCode.I99)
        return Outcome(
            ResponseCode.I99,
            "accepted; sent to the device",
            None,
            self._document(acknowledgement, sign=False),
            header.request_id,
            to_devices=(delivery,),
            message=acknowledgement,
        )

    def _track(self, ctx: Acted, entry: int | None) -> None:
        """Remember a command sent to a device, to match the device's answer to its request."""
        if ctx.sends:
            key = (ctx.device.device_id, ctx.header.request_id.counter)
            command = ctx.pre_command
            code = None if command is None else command.message_code
            self.pending[key] = Pending(ctx.request, entry, code)

    def _command(self, ctx: Attributed) -> bytes:
        """SMETS2+: the User's signed pre-command, MACed by the ACB; SMETS1: the Service
        Request, countersigned."""
        if ctx.pre_command is None:
            return countersign(ctx.request, self.identity.xml_sign_private, supplier=ctx.acting_for)
        return encode(add_mac(ctx.pre_command, self._shared_secret(ctx.device)))

    def _shared_secret(self, device: DeviceRecord) -> bytes:
        """ECDH between the ACB and the device, once per device."""
        secret = self._secrets.get(device.device_id)
        if secret is None:
            key = device.ka_public_key
            if key is None:  # the inventory admits no SMETS2+ device without one
                raise InventoryError(f"device {device.device_id.hex().upper()} has no KA key")
            secret = crypto.ecdh(self.identity.acb_ka_private, key)
            self._secrets[device.device_id] = secret
        return secret

    def _transform(self, ctx: Attributed, body: UpdatePaymentMode) -> Outcome:
        """CV 4: the GBCS pre-command for the User to sign, kept to correlate the signed one."""
        request_id = ctx.header.request_id
        change = body.change()
        code = _MESSAGE_CODES[(ctx.device.kind, change.mode)]
        grouping = GroupingHeader(
            Cra.COMMAND,
            request_id.counter,
            ctx.acting_for,
            ctx.device.device_id,
            OtherInformation(code),
        )
        content = encode_payment_mode_command(
            code, request_id.counter, change, issuer_event_id=to_gbz_time(ctx.now)
        )
        pre_command = GbcsMessage(grouping, content, signature=b"")
        self.services.issued_precommands[str(request_id)] = signed_block(pre_command)
        response = self._response(
            ctx, ResponseCode.I0, PreCommand(GBCS_VERSION, encode(pre_command), pre_command)
        )
        return Outcome(
            ResponseCode.I0,
            "pre-command issued",
            None,
            self._document(response, sign=True),
            request_id,
            message=response,
        )

    def _read_inventory(self, ctx: Addressed) -> Outcome:
        """CV 8, SR 8.2: answered at once from the inventory, signed like every DCC answer."""
        response = self._response(ctx, ResponseCode.I0, read_inventory(ctx.device))
        return Outcome(
            ResponseCode.I0,
            "inventory read",
            None,
            self._document(response, sign=True),
            ctx.header.request_id,
            message=response,
        )

    # --- device messages -----------------------------------------------------------------------

    def on_device_message(
        self, device_id: bytes, frame: bytes, now: datetime
    ) -> list[AlertOutcome]:
        """A frame from a device: a response goes to the User that sent the command, an alert to
        the registered supplier or, once its certificates are revoked, to its SRP, or is held
        for the SRP Ofgem will instruct (R7, :mod:`dcc.alert_routing`).

        A frame passed on to no User is kept in the audit trail with why: one that does not
        authenticate as coming from ``device_id``, answers no command awaiting it, or is an
        alert the DCC cannot label, is not for the device's supplier, or (SMETS1) replays one."""
        device = self.services.inventory.get(device_id)
        if device is None:
            return self._refuse(device_id, frame, now, "from no device in the inventory")
        if device.smets1:
            return self._smets1_frame(device, frame, now)
        try:
            message = decode(frame)
        except GbcsError as exc:
            return self._refuse(device_id, frame, now, f"not a GBCS message: {exc}")
        originator = message.header.originator
        if originator != device_id:
            reason = f"originated by {originator.hex().upper()}, not by the device it came from"
            return self._refuse(device_id, frame, now, reason)
        if not _authentic(message, device):
            return self._refuse(device_id, frame, now, _NOT_AUTHENTIC)
        if message.header.cra is Cra.RESPONSE:
            return self._device_response(device, message, frame, now)
        if message.header.cra is Cra.ALERT:
            return self._device_alert(device, message, frame, now)
        return self._refuse(device_id, frame, now, "a command, which no device sends")

    def _refuse(
        self, device_id: bytes, frame: bytes, now: datetime, reason: str
    ) -> list[AlertOutcome]:
        """Pass the frame on to no User, saying why in the audit trail."""
        if self.audit is not None:
            self.audit.record_refused_frame(device_id, frame, reason, now)
        return []

    def _device_response(
        self, device: DeviceRecord, message: GbcsMessage, frame: bytes, now: datetime
    ) -> list[AlertOutcome]:
        """The answer to the command awaiting it: same counter, same message code. Another
        frame with that counter leaves the command awaiting its real answer."""
        key = (device.device_id, message.header.counter)
        pending = self.pending.get(key)
        if pending is None:
            reason = f"a response (counter {key[1]}) to no command awaiting one"
            return self._refuse(device.device_id, frame, now, reason)
        if message.message_code != pending.message_code:
            reason = (
                f"a response of message code {message.message_code:04X} to a command of "
                f"{pending.message_code or 0:04X}"
            )
            return self._refuse(device.device_id, frame, now, reason)
        del self.pending[key]
        request = pending.request
        response = Response(
            ResponseHeader(
                ResponseCode.I0,
                now,
                response_id=ResponseID.answering(request.header.request_id),
            ),
            ResponseMessage(
                request.header.service_reference,
                request.header.service_reference_variant,
                frame,
            ),
        )
        return [self._deliver_response(pending, response, now)]

    def _smets1_frame(
        self, device: DeviceRecord, frame: bytes, now: datetime
    ) -> list[AlertOutcome]:
        """The meter's signed answer to the pending command it names, or its signed alert."""
        try:
            answer = decode_smets1(frame)
        except Smets1DecodeError as exc:
            return self._refuse(device.device_id, frame, now, f"not a SMETS1 frame: {exc}")
        if isinstance(answer, Smets1Alert):
            return self._smets1_alert(device, frame, now)
        key = device.ds_public_key
        if (
            key is None
            or not isinstance(answer, Smets1Response)
            or not smets1_signature_valid(answer, key)
        ):
            return self._refuse(device.device_id, frame, now, _NOT_AUTHENTIC)
        pending = self.pending.pop((device.device_id, answer.request.counter), None)
        if pending is None:
            reason = f"a response (counter {answer.request.counter}) to no command awaiting one"
            return self._refuse(device.device_id, frame, now, reason)
        response = to_duis_response(frame, pending.request, now, device_key=key)
        return [self._deliver_response(pending, response, now)]

    def _deliver_response(
        self, pending: Pending, response: Response, now: datetime
    ) -> UserDelivery:
        user = pending.request.header.request_id.originator
        document = self._document(response, sign=True)
        if self.audit is not None and pending.audit_entry is not None:
            self.audit.record_delivery(
                DeliveryKind.RESPONSE_TO_USER,
                sender=self.identity.dcc_id,
                recipient=user,
                data=document,
                at=now,
                entry=pending.audit_entry,
            )
        return UserDelivery(user, document, "response", response)

    def _device_alert(
        self, device: DeviceRecord, message: GbcsMessage, frame: bytes, now: datetime
    ) -> list[AlertOutcome]:
        """A SMETS2+ alert, labelled with the alert code its payload carries (generic and
        future-dated alerts) or its message code (use-case-specific ones)."""
        header = message.header
        if header.recipient != device.registered_supplier:
            reason = (
                f"an alert addressed to {header.recipient.hex().upper()}, not to the device's "
                f"registered supplier {device.registered_supplier.hex().upper()}"
            )
            return self._refuse(device.device_id, frame, now, reason)
        alert_code = message.message_code
        if alert_code in ALERT_PAYLOAD_CODES:
            try:
                alert_code = read_alert_code(message.content)
            except GbcsError as exc:
                reason = f"an alert whose alert code cannot be read: {exc}"
                return self._refuse(device.device_id, frame, now, reason)
        alert = ReceivedAlert(
            header.originator, header.recipient, alert_code, header.counter, frame
        )
        return self._route_alert(alert, now)

    def _smets1_alert(
        self, device: DeviceRecord, frame: bytes, now: datetime
    ) -> list[AlertOutcome]:
        """A SMETS1 meter's alert names no recipient: it is for the device's registered
        supplier, routed like any other (R7). The S1SP signs what it passes on in its own name,
        so it, not the User, must refuse a replayed alert: its counter must rise."""
        try:
            s1 = read_alert(frame, key_of(device.device_id, device.ds_public_key))
        except S1spFrameError as exc:
            return self._refuse(device.device_id, frame, now, f"a SMETS1 alert refused: {exc}")
        last = self.smets1_alert_counters.get(device.device_id, 0)
        if s1.originator_counter <= last:
            reason = f"a replayed alert: counter {s1.originator_counter}, not above {last}"
            return self._refuse(device.device_id, frame, now, reason)
        self.smets1_alert_counters[device.device_id] = s1.originator_counter
        alert = ReceivedAlert(
            device.device_id,
            device.registered_supplier,
            s1.alert_code,
            s1.originator_counter,
            frame,
            s1,
        )
        return self._route_alert(alert, now)

    def _route_alert(self, alert: ReceivedAlert, now: datetime) -> list[AlertOutcome]:
        """Deliver the alert where :func:`route_alert` says, after any held for the same SRP, or
        hold it for Ofgem's SRP; audited either way."""
        route = route_alert(self.services, alert.addressed_to, alert.alert_code, now)
        number = None
        if self.audit is not None:
            number = self.audit.record_alert(
                alert.device_id,
                alert.alert_code,
                addressed_to=alert.addressed_to,
                delivered_to=route.user_id,
                reason=route.reason,
                safety_critical=route.safety_critical,
                at=now,
            )
        if route.user_id is None:
            held = AlertHeld(alert, route.safety_critical, number)
            self.held_alerts.setdefault(alert.addressed_to, []).append(held)
            return [held]
        earlier: list[AlertOutcome] = []
        if route.user_id != alert.addressed_to:
            earlier.extend(self._release_held(alert.addressed_to, route.user_id, now))
        return [*earlier, self._deliver_alert(alert, route.user_id, number, now)]

    def _release_held(self, supplier: bytes, srp: bytes, now: datetime) -> list[UserDelivery]:
        """Hand the alerts held for ``supplier`` to ``srp``, in the order they arrived: when Ofgem
        instructs, or when an instruction given ahead of its time comes into force."""
        return [
            self._deliver_alert(held.alert, srp, held.audit_number, now)
            for held in self.held_alerts.pop(supplier, [])
        ]

    def _deliver_alert(
        self, alert: ReceivedAlert, user: bytes, number: int | None, now: datetime
    ) -> UserDelivery:
        """The alert's signed DUIS document for ``user``, its delivery audited."""
        response = self._alert_response(alert, user, now)
        document = self._document(response, sign=alert.smets1 is None)
        if self.audit is not None and number is not None:
            self.audit.record_delivery(
                DeliveryKind.ALERT_TO_USER,
                sender=self.identity.dcc_id,
                recipient=user,
                data=document,
                at=now,
                alert=number,
            )
        return UserDelivery(user, document, "device-alert", response)

    def _alert_response(self, alert: ReceivedAlert, user: bytes, now: datetime) -> Response:
        """A SMETS2+ alert travels as its GBCS frame in a DeviceAlertMessage, signed by the DCC.
        For a SMETS1 alert the DCC, acting as S1SP, signs the SMETS1SignedResponse; that is the
        document's one signature (the DCC profile allows no second)."""
        response_id = ResponseID(alert.device_id, user, alert.counter)
        if alert.smets1 is None:
            body: ResponseBody = DeviceAlertMessage(alert.alert_code, alert.frame)
        else:
            s1 = alert.smets1
            content = Smets1AlertContent(
                s1.device_id,
                user,
                s1.originator_counter,
                s1.alert_code,
                s1.description,
                s1.raised_at,
            )
            body = SMETS1ResponseMessage.signed(content, self._sign)
        return Response(ResponseHeader(ResponseCode.I0, now, response_id=response_id), body)


def _authentic(message: GbcsMessage, device: DeviceRecord) -> bool:
    """A signed message must verify with the device's key. Unsigned, only a MACed message of a
    non-critical use case passes: its MAC is keyed for the User, not the DCC (R7.3); a critical
    one (a response to 1.6, a Generic Critical Alert) without its signature is a forgery."""
    if message.signature:
        key = device.ds_public_key
        return key is not None and signature_valid(message, key)
    use_case = use_case_for(message.message_code)
    return message.mac is not None and use_case is not None and not use_case.critical


def _decision(stage: str, rejection: Rejection | None, now: datetime) -> StageDecision:
    if rejection is None:
        return StageDecision(stage, Verdict.PASS, now)
    verdict = Verdict.QUARANTINE if rejection.quarantine is not None else Verdict.REJECT
    return StageDecision(stage, verdict, now, str(rejection.code), rejection.reason)
