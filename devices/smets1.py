"""A SMETS1 meter behind the SMETS1 service provider: SR 1.6 in DCC-countersigned frames.

The meter trusts one key, the DCC's (the public key of the DCC certificate it was provisioned
with), and checks each frame (layout in :mod:`devices.smets1_frame`) in this order; the first
failure decides, and leaves the account, the originator counters and the pending change as they
were:

=====  ===========================================  ================  ========================
step   check                                        answer            logged
=====  ===========================================  ================  ========================
1      decodes; is a command, not a response or     nothing           security: unreadable-
       alert frame                                                    frame, not-a-command
2      target is this meter                         nothing           security: not-for-me
3      carries a DCC countersignature that          nothing           security: signature-
       verifies with the trusted DCC key                              absent, signature-invalid
4      RequestID counter > the last one accepted    nothing           security: replayed-counter
       from that originator
5      content can be run (originator not all       content-refused   event: content-refused
       zeros, mode, flags, threshold, execution     response
       time)
=====  ===========================================  ================  ========================

Why so: a frame that is not authentic and fresh gets no answer, as a SMETS2+ device discards a
command failing its MAC, signature or counter check; the S1SP then times out and the DCC tells
the User E21 (no response from the device). An authentic command whose content cannot be run
is answered, so the User learns why. A refused command's counter is not recorded.

An accepted command is executed now (on demand), kept pending until its execution time (future
dated: ``advance`` executes it, even when that time had already passed on receipt, and sends
alert 0x8F66 naming the command), or cancels the pending change (the S1SP maps the DUIS
ExecutionDateTime of year 3000 or later, which the DUIS templates use to cancel, to the frame's
cancel value; see :mod:`dcc.s1sp`). As on a SMETS2+ meter there is one slot for a pending change:
any later accepted command replaces it. Each answer is a response frame signed by the meter.

``advance`` builds the 8F66 alert before it touches the slot or the account, so nothing can fail
once the change has begun, and it never raises. Should the alert counter be spent, the change is
still made, as the meter answered that it would be, and the alert is logged as not sent.

Alerts are signed by the meter's own key, derived from the run's seed and its EUI-64 as every
device key is (:func:`devices.credentials.device_key`), so an S1SP can check them without
asking the meter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ec

from devices._records import MeterRecords
from devices.credentials import device_key
from devices.gbcs.alert_payload import FUTURE_DATED_SUCCESS
from devices.gbcs.alerts import alert
from devices.gbcs.keystore import KeyUsage, parse_eui64
from devices.gbcs.payment_mode import Activation, PaymentModeChange
from devices.logs import Event, SecurityEvent
from devices.meter import Account
from devices.smets1_frame import (
    Outcome,
    RequestRef,
    Smets1Alert,
    Smets1Command,
    Smets1ContentError,
    Smets1DecodeError,
    Smets1EncodeError,
    Smets1Response,
    decode,
    encode,
    sign,
    signature_valid,
)

NEW_ACCOUNT = Account()
LAST_ALERT_COUNTER = 2**64 - 1  # the alert frame's counter field is 8 bytes


@dataclass(frozen=True, slots=True)
class PendingChange:
    """A future-dated change waiting for its time, and the command it came in."""

    execute_at: datetime
    change: PaymentModeChange
    request: RequestRef
    supplier: bytes


class Smets1Meter(MeterRecords[PendingChange]):
    """A SMETS1 meter: the Meter protocol over SMETS1 frames (see the module docstring)."""

    __slots__ = ("_alert_counter", "_dcc_key", "_eui64", "_private_key", "_seed")

    def __init__(
        self,
        eui64: bytes,
        dcc_key: ec.EllipticCurvePublicKey,
        seed: bytes,
        *,
        account: Account = NEW_ACCOUNT,
        alert_counter: int = 0,
    ) -> None:
        """``dcc_key`` is the trusted DCC public key; ``alert_counter`` the last one sent."""
        if not 0 <= alert_counter <= LAST_ALERT_COUNTER:
            raise Smets1EncodeError(f"alert counter {alert_counter} is outside 0..2**64-1")
        super().__init__(account)
        self._eui64 = parse_eui64(eui64)
        self._dcc_key = dcc_key
        self._seed = seed
        self._alert_counter = alert_counter
        self._private_key: ec.EllipticCurvePrivateKey | None = None

    # --- what a tester reads --------------------------------------------------------------------

    @property
    def eui64(self) -> bytes:
        return self._eui64

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        """The key an S1SP checks this meter's responses and alerts with."""
        return self._key().public_key()

    # --- the Meter interface --------------------------------------------------------------------

    def receive(self, frame: bytes, now: datetime) -> list[bytes]:
        try:
            command = decode(frame)
        except Smets1DecodeError as e:
            self._log(now, SecurityEvent.UNREADABLE_FRAME, str(e))
            return []
        if not isinstance(command, Smets1Command):
            self._log(now, SecurityEvent.NOT_A_COMMAND, f"a {type(command).__name__} frame")
            return []
        refusal = self._security_refusal(command)
        if refusal is not None:
            self._log(now, *refusal)
            return []
        try:
            change = command.payment_mode_change()
        except Smets1ContentError as e:
            self._log(now, Event.CONTENT_REFUSED, f"{_describe(command.request)}: {e}")
            return [self._respond(command.request, Outcome.CONTENT_REFUSED, now)]
        return [self._respond(command.request, self._accept(command, change, now), now)]

    def trigger(self, alert_code: int, now: datetime) -> list[bytes]:
        return self._send(alert_code, self._alert(alert_code, now), now)

    def advance(self, now: datetime) -> list[bytes]:
        pending = self._due(now)
        if pending is None:
            return []
        announcement = self._alert(FUTURE_DATED_SUCCESS, now, pending.request)
        self._pending = None
        self._account = self._account.apply(pending.change)
        detail = f"{pending.change.mode.value} for {_describe(pending.request)}"
        self._log(now, Event.FUTURE_DATED_EXECUTED, detail)
        return self._send(FUTURE_DATED_SUCCESS, announcement, now)

    # --- checks and changes ---------------------------------------------------------------------

    def _security_refusal(self, frame: Smets1Command) -> tuple[SecurityEvent, str] | None:
        """Steps 2 to 4; None when the command is authentic and fresh."""
        request = frame.request
        if frame.target != self._eui64:
            return SecurityEvent.NOT_FOR_ME, f"addressed to {frame.target.hex().upper()}"
        if frame.signature is None:
            return SecurityEvent.SIGNATURE_ABSENT, f"{_describe(request)} is not countersigned"
        if not signature_valid(frame, self._dcc_key):
            return SecurityEvent.SIGNATURE_INVALID, f"{_describe(request)}: not the DCC's"
        last = self._last_counter(request.originator)
        if request.counter <= last:
            return SecurityEvent.REPLAYED_COUNTER, f"{_describe(request)} <= {last}"
        return None

    def _accept(self, command: Smets1Command, change: PaymentModeChange, now: datetime) -> Outcome:
        request = command.request
        self._accept_counter(request.originator, request.counter)
        detail = (
            f"{change.mode.value} for {_describe(request)}, "
            f"acting for {command.supplier.hex().upper()}"
        )
        replaced = self._pending
        self._pending = None
        if change.activation is Activation.IMMEDIATE:
            self._account = self._account.apply(change)
            self._log(now, Event.EXECUTED, detail)
            return Outcome.EXECUTED
        if change.execute_at is not None:
            self._pending = PendingChange(change.execute_at, change, request, command.supplier)
            self._log(now, Event.SCHEDULED, f"{detail} at {change.execute_at.isoformat()}")
            return Outcome.SCHEDULED
        cancelled = "nothing" if replaced is None else _describe(replaced.request)
        self._log(now, Event.CANCELLED, f"{detail}; cancels {cancelled}")
        return Outcome.CANCELLED

    # --- frames the meter sends -----------------------------------------------------------------

    def _respond(self, request: RequestRef, outcome: Outcome, now: datetime) -> bytes:
        return encode(sign(Smets1Response(self._eui64, request, outcome, now), self._key()))

    def _alert(
        self, code: int, now: datetime, request: RequestRef | None = None
    ) -> Smets1Alert | None:
        """The next alert, signed but not yet counted; None when the alert counter is spent."""
        if self._alert_counter == LAST_ALERT_COUNTER:
            return None
        frame = Smets1Alert(self._eui64, self._alert_counter + 1, code, now, request)
        return sign(frame, self._key())

    def _send(self, code: int, built: Smets1Alert | None, now: datetime) -> list[bytes]:
        """Counts and logs an alert made by :meth:`_alert`, or logs that none could be."""
        if built is None:
            spent = f"alert counter {self._alert_counter} is the last"
            self._log(now, Event.ALERT_NOT_SENT, f"0x{code:04X} {alert(code).name}: {spent}")
            return []
        self._alert_counter = built.counter
        detail = f"0x{code:04X} {alert(code).name}, counter {built.counter}"
        self._log(now, Event.ALERT_SENT, detail)
        return [encode(built)]

    def _key(self) -> ec.EllipticCurvePrivateKey:
        """Derived on first use: most meters of a large fleet never sign anything."""
        if self._private_key is None:
            self._private_key = device_key(self._seed, self._eui64, KeyUsage.DIGITAL_SIGNING)
        return self._private_key


def _describe(request: RequestRef) -> str:
    return f"command {request.counter} from {request.originator.hex().upper()}"
