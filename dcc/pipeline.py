"""The DCC's check/sign pipeline for a DUIS request: an ordered list of named stages.

Each stage reads the request's context and returns a :class:`Refusal` naming its DUIS response
code and reason, ``None`` (pass), or, when it learnt something, the context of the next phase
(:class:`Received`, :class:`Parsed`, ... :class:`Attributed`, each adding what one stage read),
so a stage's signature says what it may rely on. The first refusal decides, and the last stage
is the DCC acting on the request. The whole policy, the table :data:`STAGES` (this docstring's
copy of it is made from that table):

{policy}

E4 for the SoLR gating conditions and E1000 for a replayed counter are solrsim's choices: the
DUIS code table for them is not public (spec duis-smki "Could not confirm" 1).

SR 8.2 Read Inventory is a non-device request (CV 8): its RequestID names the DCC and its body
the device, so the device stage looks that one up and the stages after it judge the User's
right to it as for a command to it. The DUIS matrix makes 8.2 eligible for every User Role; which
devices a User may read is the E4 check ("User Role not authorised for Device"). solrsim's
inventory records one relation of a User to a device, its registered supplier, so (choice) that
supplier may read it, the SRP Ofgem instructed for that supplier may once its certificates are
revoked (when 8.2 is made eligible for SolrContingency), and no other User may: E4, with a reason
that does not say who the supplier is. E1000 for an 8.2 not addressed to the DCC or searching
by what the inventory does not record is a choice too; the answer is :mod:`dcc._read_inventory`.

A quarantined request is acknowledged (I99) and the DCC sends the User a DCC alert (AD1,
QuarantinedRequest).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar, overload

from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from dcc.anomaly import Admitted, AnomalyDetection, Quarantined
from dcc.config import ConfigSource
from dcc.duis.alerts import BreachKind
from dcc.duis.codes import ResponseCode
from dcc.duis.errors import DuisError
from dcc.duis.inventory import ReadInventory
from dcc.duis.request import (
    CommandVariant,
    Credit,
    Request,
    RequestHeader,
    SignedPreCommand,
    UpdatePaymentMode,
    read_request_header,
)
from dcc.duis.request import read_request as read_duis_request
from dcc.duis.schema import solrsim_schema, validate
from dcc.duis.signed_document import verified_request
from dcc.duis.xmldsig import SignatureRejected, VerifiedSignature, verify_document
from dcc.duis.xmlparse import parse_xml
from dcc.identity import DCC_ID
from dcc.inventory import DeviceKind, DeviceRecord, Inventory
from dcc.outcome import Outcome
from dcc.smki.repository import CertificateRecord, SmkiRepository
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.solr_register import SolrRegister
from dcc.users import SUPPLIER_ROLES, User, UserRole, Users, UserStatus
from devices.gbcs.errors import GbcsError
from devices.gbcs.frame import Cra, GbcsMessage, decode, signed_block
from devices.gbcs.payment_mode import PaymentMode, PaymentModeChange, decode_payment_mode_command
from devices.gbcs.payment_mode import message_code_agrees as gbcs_code_agrees
from devices.gbcs.security import signature_valid


@dataclass(frozen=True, slots=True)
class Refusal:
    """What a check found wrong: the DUIS code and reason, and the quarantine if it is one."""

    code: ResponseCode
    reason: str
    quarantine: Quarantined | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """A refusal and the stage that made it: what the DCC answers, audits and reports."""

    stage: str
    code: ResponseCode
    reason: str
    quarantine: Quarantined | None = None

    @classmethod
    def at(cls, stage: str, refusal: Refusal) -> Rejection:
        return cls(stage, refusal.code, refusal.reason, refusal.quarantine)


@dataclass
class Services:
    """What the stages consult: the DCC's registers, and what it remembers between requests."""

    config: ConfigSource
    users: Users
    inventory: Inventory
    smki: SmkiRepository
    register: SolrRegister
    anomaly: AnomalyDetection
    dcc_id: bytes = DCC_ID
    issued_precommands: dict[str, bytes] = field(default_factory=dict)
    # what the DCC does with a request that passed every check (the "act" stage): its outcome
    actor: Callable[[Attributed], Outcome] | None = None
    # (User ID, target device, is a signed pre-command) -> the last RequestID counter accepted
    last_counters: dict[tuple[bytes, bytes, bool], int] = field(default_factory=dict)


# --- what the stages know, phase by phase: each phase adds what one stage learnt -----------------


@dataclass(frozen=True, slots=True)
class Received:
    """A request as it arrived, and the time the DCC judges it at. ``offered``: the Request
    a sender in the DCC's process wrote ``raw`` from (:mod:`dcc.duis.signed_document`); from
    :class:`Verified` on, only if it is what the signature covers, and read in its place."""

    raw: bytes
    now: datetime
    offered: Request | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class Parsed(Received):
    """Acceptable XML."""

    tree: etree._ElementTree


@dataclass(frozen=True, slots=True)
class Verified(Parsed):
    """Signed by a DCC User; ``tree`` is now what the signature's digest covers."""

    signer: VerifiedSignature


@dataclass(frozen=True, slots=True)
class Headed(Verified):
    """Its header read: from here on the DCC can answer the request."""

    header: RequestHeader

    @property
    def sends(self) -> bool:
        """CV 1 or 5: the request asks for a command to go to a device (not a transform)."""
        return self.header.command_variant in (
            CommandVariant.SEND_COMMAND,
            CommandVariant.SIGNED_SEND_COMMAND,
        )


@dataclass(frozen=True, slots=True)
class FromUser(Headed):
    """Sent by an active DCC User."""

    user: User


@dataclass(frozen=True, slots=True)
class Understood(FromUser):
    """Its body read, one the DCC offers and that fits the header."""

    request: Request


@dataclass(frozen=True, slots=True)
class Addressed(Understood):
    """About a device in the inventory."""

    device: DeviceRecord


@dataclass(frozen=True, slots=True)
class Attributed(Addressed):
    """The signed pre-command decoded (CV 5; None otherwise), so the supplier acted for is
    known."""

    pre_command: GbcsMessage | None

    @property
    def acting_for(self) -> bytes:
        """SMETS2+ sends: the GBCS business originator; otherwise the device's registered
        supplier (the Notified Critical Supplier of a SMETS1 request)."""
        if self.pre_command is not None:
            return self.pre_command.header.originator
        return self.device.registered_supplier


@dataclass(frozen=True, slots=True)
class Acted(Attributed):
    """Passed every check, and acted on."""

    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Rejected:
    """A request a stage refused, with what the stages before it had learnt."""

    rejection: Rejection
    reached: Received


def _reject(code: ResponseCode, reason: str) -> Refusal:
    return Refusal(code, reason)


def _refused(exc: DuisError) -> Refusal:
    """A DUIS document refused: the error already carries its response code and reason."""
    return _reject(ResponseCode(exc.response_code), exc.reason)


def check_xml(services: Services, ctx: Received) -> Refusal | Parsed:
    try:
        tree = parse_xml(ctx.raw)
    except DuisError as exc:
        return _refused(exc)
    return Parsed(ctx.raw, ctx.now, tree, offered=ctx.offered)


def check_schema(services: Services, ctx: Parsed) -> Refusal | None:
    try:
        validate(ctx.tree, solrsim_schema())
    except DuisError as exc:
        return _refused(exc)
    return None


def check_signature(services: Services, ctx: Parsed) -> Refusal | Verified:
    try:
        signer = verify_document(ctx.tree, services.smki, at=ctx.now)
    except SignatureRejected as exc:
        return _reject(ResponseCode(exc.response_code), f"{exc.check}: {exc.reason}")
    except DuisError as exc:
        return _refused(exc)
    # the later stages read what the digest covers
    offered = None if ctx.offered is None else verified_request(ctx.offered, signer)
    return Verified(ctx.raw, ctx.now, signer.document, signer, offered=offered)


def read_header(services: Services, ctx: Verified) -> Refusal | Headed:
    if ctx.offered is not None:
        header = ctx.offered.header
    else:
        try:
            header = read_request_header(ctx.tree)
        except DuisError as exc:
            return _refused(exc)
    return Headed(ctx.raw, ctx.now, ctx.tree, ctx.signer, header, offered=ctx.offered)


def read_request(services: Services, ctx: FromUser) -> Refusal | Understood:
    request = ctx.offered
    if request is None:
        try:
            request = read_duis_request(ctx.tree, ctx.header)
        except DuisError as exc:
            return _refused(exc)
    return Understood(ctx.raw, ctx.now, ctx.tree, ctx.signer, ctx.header, ctx.user, request)


def check_user(services: Services, ctx: Headed) -> Refusal | FromUser:
    originator = ctx.header.request_id.originator
    user = services.users.get(originator)
    if user is None:
        return _reject(ResponseCode.E1, f"{originator.hex().upper()} is not a DCC User")
    if user.status is not UserStatus.ACTIVE:
        return _reject(ResponseCode.E3, f"User status is {user.status}")
    return FromUser(ctx.raw, ctx.now, ctx.tree, ctx.signer, ctx.header, user, offered=ctx.offered)


def check_srv(services: Services, ctx: FromUser) -> Refusal | None:
    srv = ctx.header.service_reference_variant
    if not services.config.current().srv_allowed(ctx.user.role, srv):
        return _reject(ResponseCode.E2, f"User Role {ctx.user.role} may not send SRV {srv}")
    return None


def check_device(services: Services, ctx: Understood) -> Refusal | Addressed:
    """The device the request is about: the RequestID target, or for SR 8.2, which is
    addressed to the DCC, the DeviceID in its body."""
    target = device_id = ctx.header.request_id.target
    body = ctx.request.body
    if isinstance(body, ReadInventory):
        if target != services.dcc_id:
            reason = f"a non-device request is addressed to the DCC, not {_eui(target)}"
            return _reject(ResponseCode.E1000, reason)
        if body.device_id is None:
            reason = "the inventory records no UPRN, MPxN or address: SR 8.2 by DeviceID only"
            return _reject(ResponseCode.E1000, reason)
        device_id = body.device_id
    device = services.inventory.get(device_id)
    if device is None:
        what = "the DCC, not a device" if device_id == services.dcc_id else "unknown"
        return _reject(ResponseCode.E19, f"device {_eui(device_id)} is {what}")
    return Addressed(
        ctx.raw, ctx.now, ctx.tree, ctx.signer, ctx.header, ctx.user, ctx.request, device
    )


def _eui(eui64: bytes) -> str:
    return eui64.hex().upper()


_CV_FOR = {
    (False, UpdatePaymentMode): {CommandVariant.TRANSFORM},
    (False, SignedPreCommand): {CommandVariant.SIGNED_SEND_COMMAND},
    (True, UpdatePaymentMode): {CommandVariant.SEND_COMMAND},
    (False, ReadInventory): {CommandVariant.NON_DEVICE},
    (True, ReadInventory): {CommandVariant.NON_DEVICE},
}


def check_command_variant(services: Services, ctx: Addressed) -> Refusal | None:
    allowed = _CV_FOR.get((ctx.device.smets1, type(ctx.request.body)), set())
    variant = ctx.header.command_variant
    if variant not in allowed:
        kind = "SMETS1" if ctx.device.smets1 else "SMETS2+"
        return _reject(
            ResponseCode.E12,
            f"CommandVariant {int(variant)} with {type(ctx.request.body).__name__} "
            f"is not accepted for a {kind} device",
        )
    return None


def check_replay(services: Services, ctx: Understood) -> Refusal | None:
    """The RequestID counter rises per User and target device, as a GBCS device counts each
    originator's commands: requests for different devices never conflict, so a User may send
    them concurrently and they may arrive in any order. Per device it rises over the Service
    Requests (CV 1, 4, 8), and separately over the signed pre-commands (CV 5), each of which
    keeps its transform's RequestID."""
    request_id = ctx.header.request_id
    key = (
        request_id.originator,
        request_id.target,
        isinstance(ctx.request.body, SignedPreCommand),
    )
    last = services.last_counters.get(key)
    if last is not None and request_id.counter <= last:
        return _reject(
            ResponseCode.E1000,
            f"RequestID counter {request_id.counter} is not above {last}, the last from "
            f"this User for target {request_id.target.hex().upper()}",
        )
    services.last_counters[key] = request_id.counter
    return None


def check_pre_command(services: Services, ctx: Addressed) -> Refusal | Attributed:
    """CV 5: the GBCS payload is a signed pre-command for this device."""
    body = ctx.request.body
    message = None
    if isinstance(body, SignedPreCommand):
        try:
            message = decode(body.gbcs_payload)
        except GbcsError as exc:
            return _reject(ResponseCode.E1000, f"GBCS payload: {exc}")
        header = message.header
        if header.cra is not Cra.COMMAND or message.mac is not None or not message.signature:
            return _reject(ResponseCode.E1000, "not a signed GBCS pre-command")
        if header.recipient != ctx.device.device_id:
            reason = f"the pre-command is for {header.recipient.hex().upper()}, not the target"
            return _reject(ResponseCode.E1000, reason)
    return Attributed(
        ctx.raw,
        ctx.now,
        ctx.tree,
        ctx.signer,
        ctx.header,
        ctx.user,
        ctx.request,
        ctx.device,
        message,
    )


def check_correlation(services: Services, ctx: Attributed) -> Refusal | None:
    """CV 5: the signed pre-command is the one the DCC issued for this RequestID (CV 4).

    The issued pre-command is forgotten once a CV 5 is checked against it: the replay stage
    has taken that RequestID's counter, so no later CV 5 under it gets this far."""
    if ctx.pre_command is None:
        return None
    issued = services.issued_precommands.pop(str(ctx.header.request_id), None)
    if issued is None:
        reason = "no pre-command was issued for this RequestID"
        return _reject(ResponseCode.E1000, reason)
    if signed_block(ctx.pre_command) != issued:
        reason = "the signed pre-command differs from the one issued for this RequestID"
        return _reject(ResponseCode.E1000, reason)
    return None


def check_registered_supplier(services: Services, ctx: Attributed) -> Refusal | None:
    supplier = ctx.device.registered_supplier
    if ctx.acting_for != supplier:
        return _reject(
            ResponseCode.E4,
            f"business originator {ctx.acting_for.hex().upper()} is not the device's "
            f"registered supplier {supplier.hex().upper()}",
        )
    if ctx.user.role in SUPPLIER_ROLES and ctx.user.user_id != supplier:
        return _reject(
            ResponseCode.E4,
            "the User is not the device's registered supplier",
        )
    if ctx.user.role not in SUPPLIER_ROLES and not _solr(ctx.user):
        return _reject(
            ResponseCode.E4,
            f"the DCC records no relation of User Role {ctx.user.role} to any device",
        )
    return None


def _solr(user: User) -> bool:
    return user.role is UserRole.SOLR_CONTINGENCY


def _instructed_srp(services: Services, user: User, supplier: bytes, now: datetime) -> bool:
    """The SolrContingency path: the User is in that role and Ofgem's instruction in force
    names it for ``supplier``."""
    if not _solr(user):
        return False
    instruction = services.register.instruction_for(supplier, now)
    return instruction is not None and instruction.srp_user_id == user.user_id


def check_solr_instruction(services: Services, ctx: Attributed) -> Refusal | None:
    if not _solr(ctx.user):
        return None
    if not _instructed_srp(services, ctx.user, ctx.acting_for, ctx.now):
        return _reject(
            ResponseCode.E4,
            f"no Ofgem instruction names this SRP for supplier {ctx.acting_for.hex().upper()} "
            "(R6.2)",
        )
    return None


def check_solr_revocation(services: Services, ctx: Attributed) -> Refusal | None:
    if not _solr(ctx.user):
        return None
    history = services.smki.role_history(ctx.acting_for, RemotePartyRole.SUPPLIER, ctx.now)
    refusal = history.refusal()
    if refusal is not None:
        rule = "R6.4" if ctx.pre_command is not None else "R6.3"
        return _reject(ResponseCode.E4, f"{refusal} ({rule}, R6.5)")
    return None


def check_content(services: Services, ctx: Attributed) -> Refusal | None:
    """R5: read the mode from the real payload, never from a label beside it."""
    body = ctx.request.body
    if ctx.pre_command is not None:
        message = ctx.pre_command
        try:
            change: PaymentModeChange = decode_payment_mode_command(
                message.message_code, message.content
            )
        except GbcsError as exc:
            return _content_refusal(services, ctx, f"GBCS payload is not an SR 1.6 change: {exc}")
        if not gbcs_code_agrees(message.message_code, change) or not _fits_device(ctx, message):
            return _content_refusal(
                services,
                ctx,
                f"message code {message.message_code:04X} does not match its payload/device",
            )
        mode = change.mode
    elif isinstance(body, UpdatePaymentMode):
        mode = PaymentMode.CREDIT if isinstance(body.mode, Credit) else PaymentMode.PREPAYMENT
    else:
        return None  # SR 8.2 reads the inventory: no content to limit
    srv = ctx.header.service_reference_variant
    if not services.anomaly.attribute_limits(ctx.user.role, srv, mode):
        reason = f"{ctx.user.role} may only set credit, not {mode.value} (R5)"
        return _content_refusal(services, ctx, reason)
    return None


def _fits_device(ctx: Addressed, message: GbcsMessage) -> bool:
    credit_code, prepayment_code = _CODES[ctx.device.kind]
    return message.message_code in (credit_code, prepayment_code)


_CODES = {DeviceKind.ESME: (0x001A, 0x001B), DeviceKind.GSME: (0x006C, 0x006D)}


def _content_refusal(services: Services, ctx: FromUser, reason: str) -> Refusal:
    """Content a SolrContingency User may not send is quarantined as an ADA breach; for other
    Users malformed content is a plain refusal."""
    if _solr(ctx.user):
        quarantined = services.anomaly.quarantine(BreachKind.ATTRIBUTE_LIMITS, reason)
        return _quarantine(quarantined)
    return _reject(ResponseCode.E1000, reason)


def _quarantine(quarantined: Quarantined) -> Refusal:
    """Quarantined requests are acknowledged (I99); the User hears of them by DCC alert."""
    return Refusal(ResponseCode.I99, quarantined.reason, quarantined)


_REVOKED = "revoked"


def _unusable_because(smki: SmkiRepository, record: CertificateRecord, now: datetime) -> str | None:
    """Why a certificate cannot vouch for a signature made at ``now``, or None if it can."""
    if smki.is_revoked(record.certificate, now):
        return _REVOKED
    if now < record.not_before:
        return "not yet valid"
    if now > record.not_after:
        return "expired"
    return None


def check_gbcs_signature(services: Services, ctx: Attributed) -> Refusal | None:
    """CV 5: :func:`check_supplier_signature` of the pre-command."""
    if ctx.pre_command is None:
        return None
    return check_supplier_signature(services, ctx.pre_command, ctx.user, ctx.now)


def check_supplier_signature(
    services: Services, message: GbcsMessage, user: User, now: datetime
) -> Refusal | None:
    """The pre-command ``user`` sent at ``now`` verifies with a Supplier DS certificate of its
    business originator that may vouch for it. The stage decides for itself whether a revoked
    certificate may, whatever the earlier stages let through: only on the SolrContingency path
    for that supplier."""
    originator = message.header.originator
    solr_path = _instructed_srp(services, user, originator, now)
    unusable = []
    for record in services.smki.find(
        originator, RemotePartyRole.SUPPLIER, KeyUsage.DIGITAL_SIGNING
    ):
        public_key = record.certificate.public_key()
        # the SMKI profile admits only P-256 keys
        if not isinstance(public_key, ec.EllipticCurvePublicKey) or not signature_valid(
            message, public_key
        ):
            continue
        why = _unusable_because(services.smki, record, now)
        if why is None or (why == _REVOKED and solr_path):
            return None
        unusable.append(f"{record.serial:#x} {why}")
    who = originator.hex().upper()
    if unusable:
        reason = (
            f"the pre-command verifies only with Supplier DS certificates of {who} that are not "
            f"valid ({', '.join(unusable)}); a revoked one vouches only for the SRP Ofgem "
            "instructed for that supplier (R6.4)"
        )
    else:
        reason = (
            f"the pre-command's signature does not verify with any Supplier DS certificate of {who}"
        )
    return _reject(ResponseCode.E1000, reason)


def check_adt(services: Services, ctx: Attributed) -> Refusal | None:
    if not ctx.sends:
        return None
    srv = ctx.header.service_reference_variant
    admission = services.anomaly.admit(ctx.user.user_id, srv, ctx.acting_for, ctx.now)
    return None if isinstance(admission, Admitted) else _quarantine(admission)


def act(services: Services, ctx: Attributed) -> Refusal | Acted:
    """The request passed every check: the DCC acts on it (:attr:`Services.actor`). What it
    cannot build (a value no GBCS or DUIS field can carry) is refused here, never raised."""
    if services.actor is None:
        return _reject(ResponseCode.E1000, "this DCC does not act on requests")
    try:
        outcome = services.actor(ctx)
    except DuisError as exc:
        return _reject(ResponseCode(exc.response_code), f"cannot act on it: {exc.reason}")
    except GbcsError as exc:
        return _reject(ResponseCode.E1000, f"cannot act on it: {exc}")
    return Acted(
        ctx.raw,
        ctx.now,
        ctx.tree,
        ctx.signer,
        ctx.header,
        ctx.user,
        ctx.request,
        ctx.device,
        ctx.pre_command,
        outcome,
    )


In = TypeVar("In", contravariant=True)
Out = TypeVar("Out", covariant=True)
First = TypeVar("First")
Last = TypeVar("Last")
Next = TypeVar("Next")


@dataclass(frozen=True, slots=True)
class Stage(Generic[In, Out]):
    """One step of the pipeline: what it checks, the DUIS answer when the check fails, the
    SoLR rules it enforces, a refusal in plain words (for reports) and the check itself. The
    check reads a context of phase ``In`` and returns a :class:`Refusal` or what it hands on,
    ``Out``: None when it passes the context on as it is, the next phase's context when it
    learnt something."""

    name: str
    checks: str
    on_failure: str
    meaning: str
    check: Callable[[Services, In], Refusal | Out]
    rules: str = ""


@dataclass(frozen=True, slots=True)
class Pipeline(Generic[First, Last]):
    """Stages in order, from a context of phase ``First`` to one of phase ``Last``. A stage is
    added with :meth:`then` only if it reads the phase the stages before it hand on, so a
    type checker proves each stage has what it relies on."""

    stages: tuple[Stage[Any, Any], ...]

    @staticmethod
    def reading(first: type[First]) -> Pipeline[First, First]:
        """No stages yet: what the first stage reads is a ``first``."""
        return Pipeline(())

    @overload
    def then(self, stage: Stage[Last, None]) -> Pipeline[First, Last]: ...

    @overload
    def then(self, stage: Stage[Last, Next]) -> Pipeline[First, Next]: ...

    def then(self, stage: Stage[Last, Any]) -> Pipeline[First, Any]:
        return Pipeline((*self.stages, stage))

    def __iter__(self) -> Iterator[Stage[Any, Any]]:
        return iter(self.stages)


STAGES: Pipeline[Received, Acted] = (
    Pipeline.reading(Received)
    .then(
        Stage(
            "xml",
            "well-formed, no DOCTYPE/ENTITY/XInclude, size and namespace-declaration limits",
            "E1000",
            "the request is not acceptable XML",
            check_xml,
        )
    )
    .then(
        Stage(
            "schema",
            "valid against the DUIS schema",
            "E1000",
            "the request does not follow the DUIS schema",
            check_schema,
        )
    )
    .then(
        Stage(
            "signature",
            "DCC XML-signature profile; xmlSign certificate of the RequestID originator, in date, "
            "not revoked (SMKI)",
            "E1 / E1000",
            "the request's XML signature or its SMKI certificate failed",
            check_signature,
        )
    )
    .then(
        Stage(
            "header",
            "RequestID, CommandVariant and SRV readable",
            "E1000",
            "the request's header could not be read",
            read_header,
        )
    )
    .then(
        Stage(
            "user",
            "registered User ID, active",
            "E1 / E3",
            "the sender is not an active DCC User",
            check_user,
        )
    )
    .then(
        Stage(
            "srv",
            "SRV eligible for the User Role (configuration)",
            "E2",
            "the sender's User Role may not send this Service Request",
            check_srv,
            "R3",
        )
    )
    .then(
        Stage(
            "request",
            "an SRV the DCC offers (E2 otherwise), CV fits the body",
            "E2 / E12 / E1000",
            "a Service Request or Command Variant the DCC does not accept here",
            read_request,
        )
    )
    .then(
        Stage(
            "device",
            "the device in the inventory: the RequestID target, or for 8.2 (CV 8, addressed to the "
            "DCC) its DeviceID; a search by UPRN, MPxN or address (none recorded): E1000",
            "E19 / E1000",
            "the target device is not in the DCC inventory",
            check_device,
        )
    )
    .then(
        Stage(
            "command-variant",
            "SMETS2+: 1.6 transformed (CV 4), then signed (CV 5); SMETS1: 1.6 sent (CV 1) and "
            "countersigned; 8.2 CV 8",
            "E12",
            "the wrong Command Variant for the device type",
            check_command_variant,
        )
    )
    .then(
        Stage(
            "replay",
            "RequestID counter above the last one from this User for this target device (GBCS "
            "counts per originator at each device); signed pre-commands (CV 5) counted apart",
            "E1000 (choice)",
            "a request counter already used (replay)",
            check_replay,
        )
    )
    .then(
        Stage(
            "pre-command",
            "CV 5: the GBCS payload decodes, is a signed pre-command for the target device",
            "E1000",
            "the signed pre-command is malformed or for another device",
            check_pre_command,
        )
    )
    .then(
        Stage(
            "registered-supplier",
            "IS/GS: the User is the device's registered supplier; other roles but "
            "SolrContingency: not for any device",
            "E4",
            "the sender is not the device's registered supplier",
            check_registered_supplier,
        )
    )
    .then(
        Stage(
            "solr-instruction",
            "SolrContingency: Ofgem instruction names this SRP for the supplier acted for",
            "E4",
            "no Ofgem instruction names this SRP for the failed supplier",
            check_solr_instruction,
            "R6.2",
        )
    )
    .then(
        Stage(
            "solr-revocation",
            "SolrContingency: that supplier held Supplier certificates and all are revoked",
            "E4",
            "the supplier acted for never held or still holds certificates",
            check_solr_revocation,
            "R6.3-R6.5",
        )
    )
    .then(
        Stage(
            "content",
            "SolrContingency may only set credit (DUIS body for SMETS1 and at transform, decoded "
            "GBCS for SMETS2+)",
            "quarantine: ADA breach",
            "the command would set anything other than credit mode",
            check_content,
            "R5",
        )
    )
    .then(
        Stage(
            "correlation",
            "CV 5: it is the pre-command the DCC issued for this RequestID at transform (CV 4)",
            "E1000",
            "the signed pre-command is not the one the DCC transformed",
            check_correlation,
        )
    )
    .then(
        Stage(
            "gbcs-signature",
            "CV 5: the pre-command's signature verifies with a Supplier DS certificate of the "
            "business originator, in date and not revoked; a revoked one only for the "
            "SolrContingency User Ofgem instructed for that supplier (the SoLR case)",
            "E1000",
            "the pre-command's supplier signature does not verify",
            check_gbcs_signature,
            "R6.4",
        )
    )
    .then(
        Stage(
            "adt",
            "within the User's anomaly detection threshold",
            "quarantine: ADT breach",
            "above the SRP's anomaly detection threshold: held in quarantine",
            check_adt,
            "R6.1",
        )
    )
    .then(
        Stage(
            "act",
            "the DCC issues the pre-command (CV 4), MACs (SMETS2+) or countersigns (SMETS1) the "
            "command, or answers 8.2",
            "E1000 (or the DUIS error's code)",
            "the DCC could not build what the request asks for",
            act,
        )
    )
)


STAGE_NAMES = tuple(stage.name for stage in STAGES)
_CHECKS = tuple((stage.name, stage.check) for stage in STAGES)  # as :func:`run` calls them


def policy_table(stages: Iterable[Stage[Any, Any]] = STAGES) -> str:
    """The stages as the fixed-width table this module's docstring shows."""
    head = f"    {'stage':<19} {'checks':<57}  {'on failure':<22} rules"
    rule = f"    {'-' * 19} {'-' * 57}  {'-' * 22} {'-' * 9}"
    lines = [head, rule]
    for stage in stages:
        checks = textwrap.wrap(stage.checks, 57) or [""]
        failure = textwrap.wrap(stage.on_failure, 22) or [""]
        for n in range(max(len(checks), len(failure))):
            first = n == 0
            lines.append(
                f"    {stage.name if first else '':<19} "
                f"{checks[n] if n < len(checks) else '':<57}  "
                f"{failure[n] if n < len(failure) else '':<22} "
                f"{stage.rules if first else ''}".rstrip()
            )
    return "\n".join(lines)


__doc__ = (__doc__ or "").replace("{policy}", policy_table())


def run(
    services: Services,
    received: Received,
    on_stage: Callable[[str, Rejection | None], None] | None = None,
) -> Acted | Rejected:
    """Run the stages in order, up to and including the DCC's act; the first refusal decides.
    ``on_stage`` hears every decision (for the audit trail)."""
    reached = received
    for name, check in _CHECKS:
        result = check(services, reached)
        rejection = None
        if result is not None:
            if isinstance(result, Refusal):
                rejection = Rejection.at(name, result)
            else:
                reached = result
        if on_stage is not None:
            on_stage(name, rejection)
        if rejection is not None:
            return Rejected(rejection, reached)
    if not isinstance(reached, Acted):
        raise TypeError(f"the pipeline ended with {type(reached).__name__}, not Acted")
    return reached
