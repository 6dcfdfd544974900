"""The Gherkin world: the testbed's cast (its DCC, SMKI, parties and named meters, see
:mod:`sim.world.testbed`) placed on the simpy world that ``solrsim run`` rehearses on (its clock,
the simulated WAN, the DCC host and the meter host, Ofgem's actions and the wire log), with
domain names and what a tester can see of each thing done.

What a step may look at is what a tester could observe: the wire log, the DUIS documents the
DCC returns and delivers to Users' endpoints (responses, DCC alerts, device alerts), the GBCS
and SMETS1 frames it sends, the meters' state read-outs, the audit trail, SMKI's published
certificates and CRLs, the DCC's registers and configuration file. :class:`Attempt` keeps the
DUIS request as sent and the response as received; nothing reads the pipeline's internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import simpy
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from dcc.duis.codes import ResponseCode
from dcc.duis.request import (
    CommandVariant,
    Credit,
    Request,
    SignedPreCommand,
    UpdatePaymentMode,
    build_request,
)
from dcc.duis.response import parse_response
from dcc.duis.xmldsig import sign_document
from dcc.outcome import Outcome, UserDelivery
from dcc.smki.roles import KeyUsage, RemotePartyRole
from devices.gbcs.alerts import R7_2_SAFETY_CRITICAL
from devices.gbcs.crypto import private_key_from_seed
from devices.gbcs.frame import Cra, GbcsMessage, GroupingHeader, OtherInformation, encode
from devices.gbcs.payment_mode import encode_payment_mode_command
from devices.gbcs.security import sign
from sim.gherkin.alterations import CREDIT_CHANGE, DISGUISES
from sim.gherkin.rehearsal import RehearsalPlan
from sim.gherkin.words import (
    CREDIT,
    CREDIT_CODES,
    DISGUISED,
    FLEET,
    PARTIES,
    PREPAYMENT,
    PREPAYMENT_BODY,
    START,
    Meter,
)
from sim.report.events import EventKind
from sim.report.tally import Tally
from sim.report.wire_log import WireLog
from sim.scenario.model import DeviceClass, Latency, Wan
from sim.world import ofgem
from sim.world.dcc_host import DccHost
from sim.world.meter_host import MeterHost
from sim.world.testbed import SEED, SRP, World
from sim.world.wan import SimulatedWan

MINUTE = timedelta(minutes=1)
DEVICE_CLASS: dict[str, DeviceClass] = {"ESME": "esme", "GSME": "gsme", "SMETS1 meter": "smets1"}
# The WAN of the named meters: solr-default's round trips, with a spread small enough that
# every frame of one step arrives within the minute it takes, and no random loss (a loss
# named by a step is a fault: "cannot be reached over the WAN").
WAN = Wan(
    latency={
        "esme": Latency(median_seconds=3, sigma=0.2),
        "gsme": Latency(median_seconds=5, sigma=0.2),
        "smets1": Latency(median_seconds=15, sigma=0.2),
    },
    loss=0.0,
    response_timeout_seconds=120,
)


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


class SolrWorld:
    """The one world a scenario drives: the testbed's cast and meters on the simpy world (its
    clock, WAN, DCC host and meter host, the wire log), with names and observations.

    Each thing a step does happens at the simulated time it is; the world then runs a minute
    (:meth:`tick`), in which the WAN carries the DCC's frames to the meters and their answers
    back, so that the events of one step keep their order and a Then step sees their outcome.
    A time step runs the world until then (:meth:`set_time`).
    """

    def __init__(self, bed: World, seed: int | None = None, folder: Path | None = None) -> None:
        self.bed = bed
        self.folder = folder or Path.cwd()  # the feature file's: relative paths start there
        self.env = simpy.Environment()
        self.log = WireLog(self.env, START)
        self.tally = Tally()
        classes = {meter.device_id: DEVICE_CLASS[meter.kind] for meter in FLEET}
        self.wan = SimulatedWan(self.log, WAN, (), seed or 0, classes.__getitem__)
        timeout = WAN.response_timeout_seconds
        self.host = DccHost(self.log, bed.dcc, self.wan, self.tally, timeout, SRP)
        self.meter_host = MeterHost(self.log, bed.meters.__getitem__, self.wan, self.tally)
        self.wan.connect(self.host.from_device, self.meter_host.receive)
        self.host.connect(None, self._receive)
        self.parties: dict[str, bytes] = dict(PARTIES)
        self.attempts: list[Attempt] = []
        self.transform: Transform | None = None
        self.delivered: list[UserDelivery] = []  # in the last action and the time since
        self.everything_delivered: list[UserDelivery] = []
        self.config_sections: dict[str, str] = {}
        self.result: object = None  # what the last non-DUIS action gave: an ADT, a refusal, ...
        self.new_key: ec.EllipticCurvePrivateKey | None = None  # of the certificate SMKI issued
        self.safety_critical: set[int] = set(R7_2_SAFETY_CRITICAL)
        self.alert_from: Meter | None = None  # the meter the last alert step was about
        self.rehearsal = RehearsalPlan(seed=seed)  # fleet-scale, if steps describe one
        self.started = bed.dcc  # to tell that the DCC was never restarted
        self.before = bed.states()

    # --- time ---------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.log.now

    def minute(self) -> None:
        """A minute passes: what the last event set going on the WAN arrives."""
        self.env.run(until=self.env.now + MINUTE.total_seconds())

    def tick(self) -> datetime:
        """The time for an event that is given its time and sends nothing on the WAN (SMKI, the
        DCC's registers, an ADT): now; the world runs on a minute, and the step then does the
        thing stamped with the time returned, as if done at that moment."""
        at = self.now
        self.minute()
        return at

    def set_time(self, when: datetime) -> None:
        """Run the world until ``when``; the clock never goes back."""
        if when < self.now:
            raise ValueError(
                f"the clock cannot go back from {self.now:%A %H:%M} to {when:%A %H:%M}"
            )
        if when > self.now:
            self.env.run(until=(when - START).total_seconds())

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
        """A User's DUIS request to the DCC host, now; the world then runs a minute."""
        at = self.now
        outcome = self.host.submit(xml, user)
        entry = self.bed.audit.counts().requests  # entries are numbered 1, 2, ... as received
        attempt = Attempt(user, meter, xml, outcome, at, entry)
        self.attempts.append(attempt)
        self.minute()
        return attempt

    def _receive(self, delivery: UserDelivery, response: object) -> None:
        """A User's endpoint: every DUIS document the DCC delivers to a User (an alert it holds
        for an SRP not yet instructed is delivered to nobody, yet)."""
        self.delivered.append(delivery)
        self.everything_delivered.append(delivery)

    def raise_alert(self, meter: Meter, alert_code: int) -> None:
        """A physical event on the meter: its alert frames go up the WAN to the DCC."""
        self.meter_host.trigger(meter.device_id, alert_code)
        self.minute()

    def uplink(self, meter: Meter, frame: bytes) -> None:
        """A GBCS alert frame sent up the WAN as if from the meter (whoever made it)."""
        self.wan.uplink(meter.device_id, frame, EventKind.GBCS_ALERT)
        self.minute()

    def notify(self, supplier: bytes) -> None:
        """Ofgem's SoLR notification only, logged."""
        ofgem.notify(self.log, self.bed.dcc, supplier)
        self.minute()

    def fail(self, supplier: bytes) -> None:
        """Ofgem's SoLR notification and revocation of the supplier."""
        ofgem.notify(self.log, self.bed.dcc, supplier)
        ofgem.revoke(self.log, self.bed.dcc, supplier)
        self.minute()

    def instruct(self, supplier: bytes, srp: bytes) -> None:
        """Ofgem instructs ``srp`` to act for ``supplier``; the alerts held for it go to it."""
        ofgem.instruct(self.log, self.bed.dcc, self.host, supplier, srp)
        self.minute()

    def cut_off(self, meter: Meter) -> None:
        """The meter's communications hub goes off the WAN: frames to and from it are lost."""
        self.wan.cut(meter.device_id)

    def reconnect(self, meter: Meter) -> None:
        self.wan.restore(meter.device_id)

    def reachable(self, meter: Meter) -> bool:
        return not self.wan.is_cut(meter.device_id)

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
