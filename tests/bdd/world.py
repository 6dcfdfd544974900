"""The Gherkin suite's world: the testbed's DCC, SMKI, parties and meters (``sim.world.testbed``),
given domain names, a clock, and what a tester can see of each thing done.

Names: parties by name ("Bright Energy", "the SRP"), meters by kind and premises ("the ESME of
"Flat 3""), times by day of the rehearsal week ("Monday 09:00"; 2026-11-02 is a Monday).

What a step may look at is what a tester could observe: the DUIS documents the DCC returns and
delivers (responses, DCC alerts, device alerts), the GBCS and SMETS1 frames it sends, the meters'
state read-outs, the audit trail, SMKI's published certificates and CRLs, the DCC's registers and
configuration file. :class:`Attempt` keeps the DUIS request as sent and the response as received;
nothing reads the pipeline's internals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import parse
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from pytest_bdd import parsers

from dcc.duis.codes import ResponseCode
from dcc.duis.request import (
    CommandVariant,
    Credit,
    Prepayment,
    Request,
    SignedPreCommand,
    UpdatePaymentMode,
    build_request,
)
from dcc.duis.response import parse_response
from dcc.duis.xmldsig import sign_document
from dcc.outcome import DeviceDelivery, Outcome, UserDelivery
from dcc.smki.roles import KeyUsage, RemotePartyRole
from dcc.users import OfficerKind
from devices.gbcs.alerts import R7_2_SAFETY_CRITICAL
from devices.gbcs.crypto import private_key_from_seed
from devices.gbcs.frame import Cra, GbcsMessage, GroupingHeader, OtherInformation, encode
from devices.gbcs.payment_mode import (
    ECS02,
    ECS03,
    GCS02,
    GCS03,
    Activation,
    PaymentMode,
    PaymentModeChange,
    encode_payment_mode_command,
)
from devices.gbcs.security import sign
from sim.world.testbed import (
    BRIGHT,
    ESME_ID,
    GSME_ID,
    NEVER,
    NEVER_ESME_ID,
    ROGUE_SRP,
    SEED,
    SMETS1_ID,
    SRP,
    STEADY,
    STEADY_ESME_ID,
    T0,
    World,
)
from tests.dcc.forgeries import dlms_mode_flipped, with_payload

FEATURES = Path(__file__).resolve().parents[2] / "features"
MINUTE = timedelta(minutes=1)
MONDAY = T0.replace(hour=0)  # 2026-11-02 00:00 UTC, the start of the rehearsal week
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
START = T0  # Monday 09:00, when the testbed's certificates were issued and a scenario starts

PARTIES: dict[str, bytes] = {
    "Bright Energy": BRIGHT,
    "Steady Power": STEADY,
    "Never Supplied": NEVER,
    "Shared Resource Provider": SRP,
    "Rogue Resources": ROGUE_SRP,
}
THE_SRP = "Shared Resource Provider"

# The SR 1.6 requests a step can name (see features/content_checks.feature for the disguises).
CREDIT, PREPAYMENT, DISGUISED = "Credit", "Prepayment", "Prepayment disguised as Credit"
PREPAYMENT_BODY = Prepayment(False, False, 0)
PREPAYMENT_CHANGE = PaymentModeChange(PaymentMode.PREPAYMENT, Activation.IMMEDIATE)
CREDIT_CHANGE = PaymentModeChange(PaymentMode.CREDIT, Activation.IMMEDIATE)
CREDIT_CODES = {"ESME": ECS02, "GSME": GCS02}


@dataclass(frozen=True)
class Meter:
    """A meter as the features name it: its kind, its premises, and whose customer it serves."""

    kind: str  # "ESME", "GSME" or "SMETS1 meter"
    premises: str
    device_id: bytes
    supplier: str

    @property
    def smets1(self) -> bool:
        return self.kind == "SMETS1 meter"

    def __str__(self) -> str:
        return f'{self.kind} of "{self.premises}"'


FLEET: tuple[Meter, ...] = (
    Meter("ESME", "Flat 3", ESME_ID, "Bright Energy"),
    Meter("GSME", "Flat 3", GSME_ID, "Bright Energy"),
    Meter("SMETS1 meter", "Flat 5", SMETS1_ID, "Bright Energy"),
    Meter("ESME", "Flat 7", STEADY_ESME_ID, "Steady Power"),
    Meter("ESME", "The Old Forge", NEVER_ESME_ID, "Never Supplied"),
)


# --- the words of the steps: parse types --------------------------------------------------------


@parse.with_pattern(r'(?:ESME|GSME|SMETS1 meter) of "[^"]+"')
def meter_type(text: str) -> Meter:
    """A meter of the fleet: `ESME of "Flat 3"`, `GSME of "Flat 3"`, `SMETS1 meter of "Flat 5"`,
    `ESME of "Flat 7"` (Steady Power), `ESME of "The Old Forge"` (Never Supplied)."""
    kind, premises = text[:-1].split(' of "', 1)
    for meter in FLEET:
        if (meter.kind, meter.premises) == (kind, premises):
            return meter
    known = ", ".join(str(meter) for meter in FLEET)
    raise ValueError(f"no {text} in the fleet; it has: {known}")


@parse.with_pattern(r'the SRP|"[^"]+"')
def actor_type(text: str) -> str:
    """Who acts: `the SRP` (Shared Resource Provider) or a party by name in quotes."""
    return THE_SRP if text == "the SRP" else text.strip('"')


@parse.with_pattern(r'"[^"]+"')
def party_type(text: str) -> str:
    """A party by name in quotes: `"Bright Energy"`, `"Steady Power"`, `"Never Supplied"`,
    `"Shared Resource Provider"`, `"Rogue Resources"`, or one a step introduced."""
    return text.strip('"')


@parse.with_pattern(r'"[^"]*"')
def quoted_type(text: str) -> str:
    """Any text in quotes, taken without them: a stage `"content"`, a code `"E4"`, a breach
    `"ADUserThresholdBreach"`, an officer `"srp-aro"`, a User ID `"90-B3-D5-1F-30-0A-00-00"`."""
    return text[1:-1]


@parse.with_pattern(r'"(?:Credit|Prepayment|Prepayment disguised as Credit)"')
def request_type(text: str) -> str:
    """What an SR 1.6 asks for: `"Credit"`, `"Prepayment"` or `"Prepayment disguised as Credit"`
    (see features/content_checks.feature for the disguise on each kind of meter)."""
    return text[1:-1]


@parse.with_pattern(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day [0-2]\d:[0-5]\d")
def time_type(text: str) -> datetime:
    """A time in the rehearsal week: `Monday 09:00` ... `Sunday 23:59` (UTC)."""
    day, clock = text.split()
    hours, minutes = clock.split(":")
    return MONDAY + timedelta(days=DAYS.index(day), hours=int(hours), minutes=int(minutes))


@parse.with_pattern(r"0x[0-9A-F]{4}")
def alert_code_type(text: str) -> int:
    """A GBCS alert code as written in GBCS: `0x8F3F`."""
    return int(text, 16)


@parse.with_pattern(r"credit|prepayment")
def mode_type(text: str) -> PaymentMode:
    """A payment mode: `credit` or `prepayment`."""
    return PaymentMode(text)


@parse.with_pattern(r"ARO|SRO")
def officer_kind_type(text: str) -> OfficerKind:
    """A responsible officer's kind: `ARO` (Authorised) or `SRO` (Senior)."""
    return OfficerKind(text)


@parse.with_pattern(r"flags|does not flag")
def flags_type(text: str) -> bool:
    """`flags` or `does not flag`."""
    return text == "flags"


TYPES: dict[str, Callable[[str], object]] = {
    "Meter": meter_type,
    "Actor": actor_type,
    "Party": party_type,
    "Quoted": quoted_type,
    "Request": request_type,
    "Time": time_type,
    "AlertCode": alert_code_type,
    "Mode": mode_type,
    "OfficerKind": officer_kind_type,
    "Flags": flags_type,
}


def phrase(pattern: str) -> parsers.parse:
    """A step pattern in the suite's words: ``{meter:Meter}``, ``{user:Actor}`` and so on."""
    return parsers.parse(pattern, extra_types=TYPES)


# --- what a User does to a pre-command before signing it ---------------------------------------


def _labelled(message: GbcsMessage, code: int) -> GbcsMessage:
    return replace(message, header=replace(message.header, other_info=OtherInformation(code)))


def _zse_set_to_prepayment(issued: GbcsMessage, at) -> GbcsMessage:
    """The issued GCS02 carrying a GCS03 (prepayment) ZSE payload, still labelled GCS02."""
    return replace(with_payload(issued, GCS03, PREPAYMENT_CHANGE, at), header=issued.header)


def _executed_a_week_later(issued: GbcsMessage, at) -> GbcsMessage:
    later = PaymentModeChange(PaymentMode.CREDIT, Activation.FUTURE_DATED, at + timedelta(days=7))
    code = issued.message_code
    return replace(issued, content=encode_payment_mode_command(code, issued.header.counter, later))


def _from_originator(name: str) -> Callable[[GbcsMessage, datetime], GbcsMessage]:
    def alter(issued: GbcsMessage, at) -> GbcsMessage:
        return replace(issued, header=replace(issued.header, originator=PARTIES[name]))

    return alter


ALTERATIONS: dict[str, Callable[[GbcsMessage, datetime], GbcsMessage]] = {
    "the code and payload of ECS03 (ESME to prepayment)": lambda m, at: with_payload(
        m, ECS03, PREPAYMENT_CHANGE, at
    ),
    "the code and payload of GCS03 (GSME to prepayment)": lambda m, at: with_payload(
        m, GCS03, PREPAYMENT_CHANGE, at
    ),
    "the code ECS03 over its credit payload": lambda m, at: _labelled(
        with_payload(m, ECS02, CREDIT_CHANGE, at), ECS03
    ),
    "the code and payload of ECS02 (an ESME's credit command)": lambda m, at: with_payload(
        m, ECS02, CREDIT_CHANGE, at
    ),
    "the code and payload of GCS02 (a GSME's credit command)": lambda m, at: with_payload(
        m, GCS02, CREDIT_CHANGE, at
    ),
    "the code 0x0020 (not an SR 1.6 command) over a credit payload": lambda m, at: _labelled(
        with_payload(m, ECS02, CREDIT_CHANGE, at), 0x0020
    ),
    "its DLMS payment mode set to prepayment under the ECS02 code": lambda m, at: dlms_mode_flipped(
        m
    ),
    "its ZSE payment control set to prepayment under the GCS02 code": _zse_set_to_prepayment,
    "its execution date moved a week later": _executed_a_week_later,
    'the business originator "Steady Power"': _from_originator("Steady Power"),
}
"""Alterations of an issued credit pre-command, by the words a feature uses for them."""

DISGUISES: dict[str, Callable[[GbcsMessage, datetime], GbcsMessage]] = {
    "ESME": lambda m, at: dlms_mode_flipped(m),
    "GSME": _zse_set_to_prepayment,
}
"""How "Prepayment disguised as Credit" is made for each SMETS2+ meter kind."""


# --- one attempt: what was sent, and what came back ---------------------------------------------


@dataclass
class Attempt:
    """A DUIS request as sent and what the DCC answered (the last request of a transform-then-
    send is the signed send, so "it" in a Then step is the request that decided)."""

    user: bytes
    meter: Meter | None
    raw: bytes
    outcome: Outcome
    at: datetime
    entry: int  # the audit trail's entry for this receipt

    @property
    def response_code(self) -> ResponseCode:
        return _code(self.outcome)


def _code(outcome: Outcome) -> ResponseCode:
    """The code of the DUIS response; a request refused before its header could be read gets
    no DUIS document, only the DCC's acknowledgement with that code."""
    if outcome.response is None:
        return outcome.response_code
    return parse_response(outcome.response).header.response_code


@dataclass
class Transform:
    """A transform (CV 4) the DCC answered with a pre-command, waiting to be signed and sent."""

    user: bytes
    meter: Meter
    request: Request
    outcome: Outcome


@dataclass
class SolrWorld:
    """The one world a scenario drives: the testbed plus the clock, names and observations."""

    bed: World
    now: datetime = START
    parties: dict[str, bytes] = field(default_factory=lambda: dict(PARTIES))
    attempts: list[Attempt] = field(default_factory=list)
    transform: Transform | None = None
    before: dict[bytes, object] = field(default_factory=dict)
    delivered: list[UserDelivery] = field(default_factory=list)
    unreachable: set[bytes] = field(default_factory=set)
    queued: list[DeviceDelivery] = field(default_factory=list)
    config_sections: dict[str, str] = field(default_factory=dict)
    result: object = None  # what the last non-DUIS action gave: an ADT, a certificate, a refusal
    new_key: ec.EllipticCurvePrivateKey | None = None  # of the certificate SMKI last issued
    safety_critical: set[int] = field(default_factory=lambda: set(R7_2_SAFETY_CRITICAL))
    everything_delivered: list[UserDelivery] = field(default_factory=list)
    alert_from: Meter | None = None  # the meter whose alert the last alert step was about

    started: object = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.bed.dcc  # to tell that the DCC was never restarted
        self.before = self.bed.states()

    # --- time ---------------------------------------------------------------------------------

    def tick(self) -> datetime:
        """The time of the next event; the clock then moves on a minute, so that events of one
        step keep their order (a revocation before the request it affects)."""
        at = self.now
        self.now += MINUTE
        return at

    def set_time(self, when: datetime) -> None:
        if when < self.now:
            raise ValueError(
                f"the clock cannot go back from {self.now:%A %H:%M} to {when:%A %H:%M}"
            )
        self.now = when

    # --- names --------------------------------------------------------------------------------

    def user_id(self, name: str) -> bytes:
        try:
            return self.parties[name]
        except KeyError:
            raise KeyError(f"no party {name!r}; known: {', '.join(self.parties)}") from None

    def name_of(self, user_id: bytes) -> str:
        return next(name for name, uid in self.parties.items() if uid == user_id)

    def meters_of(self, supplier: str) -> list[Meter]:
        return [meter for meter in FLEET if meter.supplier == supplier]

    # --- doing things -------------------------------------------------------------------------

    def begin(self) -> None:
        """A new action: read every meter's state, to tell afterwards whether it changed."""
        self.before = self.bed.states()
        self.delivered = []
        self.result = None

    @property
    def last(self) -> Attempt:
        assert self.attempts, "no request has been sent yet"
        return self.attempts[-1]

    def submit(self, user: bytes, meter: Meter | None, xml: bytes) -> Attempt:
        at = self.tick()
        outcome = self.bed.dcc.submit(xml, at)
        entry = self.bed.audit.counts().requests  # entries are numbered 1, 2, ... as received
        attempt = Attempt(user, meter, xml, outcome, at, entry)
        self.attempts.append(attempt)
        self.deliver(outcome, at)
        return attempt

    def deliver(self, outcome: Outcome, at: datetime) -> None:
        """Carry what the DCC sent: documents to Users, frames to the meters that can be reached
        (the others wait), and the meters' answers back through the DCC."""
        self.hand_over(outcome.to_users)
        for delivery in outcome.to_devices:
            if delivery.device_id in self.unreachable:
                self.queued.append(delivery)
            else:
                self.carry(delivery, at)

    def carry(self, delivery: DeviceDelivery, at: datetime) -> None:
        for answer in self.bed.meters[delivery.device_id].receive(delivery.frame, at):
            self.hand_over(self.bed.dcc.on_device_message(delivery.device_id, answer, at))

    def hand_over(self, outcomes) -> None:
        """DUIS documents the DCC delivered to Users' endpoints (an alert it holds for an SRP
        not yet instructed is delivered to nobody, yet)."""
        deliveries = [o for o in outcomes if isinstance(o, UserDelivery)]
        self.delivered.extend(deliveries)
        self.everything_delivered.extend(deliveries)

    def reconnect(self, meter: Meter) -> None:
        self.unreachable.discard(meter.device_id)
        waiting = [d for d in self.queued if d.device_id == meter.device_id]
        self.queued = [d for d in self.queued if d.device_id != meter.device_id]
        for delivery in waiting:
            self.carry(delivery, self.tick())

    def signed(self, request: Request, by: bytes | None = None) -> bytes:
        return self.bed.signed(request, by=by)

    def ask_transform(self, user: bytes, meter: Meter, request: Request) -> Attempt:
        """Send a transform request (CV 4) and keep it, to send its pre-command back."""
        attempt = self.submit(user, meter, self.signed(request))
        self.transform = Transform(user, meter, request, attempt.outcome)
        return attempt

    def issued_pre_command(self) -> GbcsMessage:
        transform = self.transform
        assert transform is not None, "no transform has been asked for"
        outcome = transform.outcome
        assert outcome.response is not None and _code(outcome) is ResponseCode.I0, (
            f"the transform was not answered with a pre-command: {outcome.reason}"
        )
        return self.bed.pre_command(outcome)

    def supplier_ds(self, supplier: str) -> ec.EllipticCurvePrivateKey:
        """A supplier's Supplier DS key, which the SRP holds for a failed supplier (MP134B)."""
        key = self.bed.parties[self.user_id(supplier)].supplier_ds
        return key if key is not None else private_key_from_seed(SEED, f"{supplier} ds")

    def send_back(self, message: GbcsMessage, signer: str | None) -> Attempt:
        """Sign the pre-command with ``signer``'s Supplier DS key (None: leave it unsigned) and
        send it back (CV 5) under the transform's RequestID."""
        transform = self.transform
        assert transform is not None, "no transform has been asked for"
        payload = encode(message if signer is None else sign(message, self.supplier_ds(signer)))
        header = transform.request.header
        request = self.bed.request(
            transform.user,
            transform.meter.device_id,
            SignedPreCommand(payload),
            CommandVariant.SIGNED_SEND_COMMAND,
            counter=header.request_id.counter,
        )
        return self.submit(transform.user, transform.meter, self.signed(request))

    def send_payment_mode(self, user: bytes, meter: Meter, what: str) -> Attempt:
        """SR 1.6 the whole way: SMETS1 sent (CV 1) for the DCC to countersign; SMETS2+
        transformed (CV 4), signed with the Supplier DS key of the meter's supplier (the SRP
        holds the failed supplier's) and sent back (CV 5). Frames reach reachable meters."""
        if meter.smets1:
            return self.submit(user, meter, self.signed(self.first_request(user, meter, what)))
        attempt = self.ask_transform(user, meter, self.first_request(user, meter, what))
        if attempt.response_code is not ResponseCode.I0:  # no pre-command came back
            return attempt
        message = self.issued_pre_command()
        if what == DISGUISED:
            message = DISGUISES[meter.kind](message, attempt.at)
        supplier = self.bed.parties[user].supplier_ds is not None  # signs with its own key
        return self.send_back(message, self.name_of(user) if supplier else meter.supplier)

    def request_signed_with(
        self,
        user: bytes,
        meter: Meter,
        what: str,
        key: ec.EllipticCurvePrivateKey,
        cert: x509.Certificate,
    ) -> Attempt:
        """SR 1.6 (sent to a SMETS1 meter, to be transformed for SMETS2+) whose DUIS is signed
        with ``key`` and ``cert`` rather than the User's xmlSign certificate."""
        request = self.first_request(user, meter, what)
        return self.submit(user, meter, sign_document(build_request(request), key, cert))

    def first_request(self, user: bytes, meter: Meter, what: str) -> Request:
        """The SR 1.6 a User sends first: CV 1 to a SMETS1 meter, CV 4 (transform) for SMETS2+."""
        if meter.smets1:
            body = smets1_body(what, self.now)
            return self.bed.request(user, meter.device_id, body, CommandVariant.SEND_COMMAND)
        return self.bed.request(
            user, meter.device_id, transform_body(what), CommandVariant.TRANSFORM
        )

    def supplier_certificate(self, supplier: str, usage: KeyUsage) -> x509.Certificate:
        records = self.bed.smki.find(self.user_id(supplier), RemotePartyRole.SUPPLIER, usage)
        return records[0].certificate

    def configure(self, section: str, body: str) -> None:
        """Edit one section of the deployment's dcc.toml, keeping the others as last written."""
        self.config_sections[section] = body
        self.bed.configure(
            "".join(f"[{name}]\n{text}\n" for name, text in self.config_sections.items())
        )


def transform_body(what: str) -> UpdatePaymentMode:
    """The SR 1.6 body a transform asks for ("Prepayment disguised as Credit" is transformed as
    Credit: the disguise is made in the pre-command afterwards)."""
    return UpdatePaymentMode(PREPAYMENT_BODY if what == PREPAYMENT else Credit())


def smets1_body(what: str, now: datetime) -> UpdatePaymentMode:
    """A SMETS1 SR 1.6 body. DUIS is the SMETS1 payload, so "Prepayment disguised as Credit" is
    the most harmless-looking prepayment there is: no debt suspended, no disablement threshold,
    and future-dated a week ahead, so the meter would show no change today."""
    if what == CREDIT:
        return UpdatePaymentMode(Credit())
    if what == PREPAYMENT:
        return UpdatePaymentMode(PREPAYMENT_BODY)
    if what == DISGUISED:
        return UpdatePaymentMode(PREPAYMENT_BODY, now + timedelta(days=7))
    raise ValueError(f"SR 1.6 {what!r}: say {CREDIT!r}, {PREPAYMENT!r} or {DISGUISED!r}")


def made_up_pre_command(world: SolrWorld, user: bytes, meter: Meter) -> tuple[int, GbcsMessage]:
    """A credit pre-command the User makes itself, under a fresh RequestID counter, that the
    DCC never issued."""
    counter = world.bed.next_counter(user)
    supplier = world.user_id(meter.supplier)
    code = CREDIT_CODES[meter.kind]
    header = GroupingHeader(Cra.COMMAND, counter, supplier, meter.device_id, OtherInformation(code))
    return counter, GbcsMessage(header, encode_payment_mode_command(code, counter, CREDIT_CHANGE))
