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
5      content can be run (mode, flags, threshold,  content-refused   event: content-refused
       execution time)                              response
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

Alerts are signed by the meter's own key, derived from the run's seed and its EUI-64 as every
device key is (:func:`devices.credentials.device_key`), so an S1SP can check them without
asking the meter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from cryptography.hazmat.primitives.asymmetric import ec

from devices.credentials import device_key
from devices.gbcs.alert_payload import FUTURE_DATED_SUCCESS
from devices.gbcs.alerts import alert
from devices.gbcs.keystore import KeyUsage, parse_eui64
from devices.gbcs.payment_mode import Activation, PaymentModeChange
from devices.logs import DeviceLogs, Event, LogEntry, SecurityEvent
from devices.meter import Account
from devices.smets1_frame import (
    Outcome,
    RequestRef,
    Smets1Alert,
    Smets1Command,
    Smets1ContentError,
    Smets1DecodeError,
    Smets1Response,
    decode,
    encode,
    sign,
    signature_valid,
)

NEW_ACCOUNT = Account()
_NO_COUNTERS: MappingProxyType[bytes, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class PendingChange:
    """A future-dated change waiting for its time, and the command it came in."""

    execute_at: datetime
    change: PaymentModeChange
    request: RequestRef
    supplier: bytes


@dataclass(frozen=True, slots=True)
class Smets1State:
    """A snapshot of what commands change: compare two to see whether a frame changed anything."""

    account: Account
    last_counters: MappingProxyType[bytes, int]
    pending: PendingChange | None


class Smets1Meter:
    """A SMETS1 meter: the Meter protocol over SMETS1 frames (see the module docstring)."""

    __slots__ = (
        "_account",
        "_alert_counter",
        "_counters",
        "_dcc_key",
        "_eui64",
        "_logs",
        "_pending",
        "_private_key",
        "_seed",
    )

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
        self._eui64 = parse_eui64(eui64)
        self._dcc_key = dcc_key
        self._seed = seed
        self._account = account
        self._alert_counter = alert_counter
        self._private_key: ec.EllipticCurvePrivateKey | None = None
        self._counters: dict[bytes, int] | None = None
        self._pending: PendingChange | None = None
        self._logs: DeviceLogs | None = None

    # --- what a tester reads --------------------------------------------------------------------

    @property
    def eui64(self) -> bytes:
        return self._eui64

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        """The key an S1SP checks this meter's responses and alerts with."""
        return self._key().public_key()

    @property
    def account(self) -> Account:
        return self._account

    @property
    def pending(self) -> PendingChange | None:
        return self._pending

    @property
    def last_counters(self) -> MappingProxyType[bytes, int]:
        """The last RequestID counter accepted from each originator."""
        return _NO_COUNTERS if self._counters is None else MappingProxyType(dict(self._counters))

    @property
    def state(self) -> Smets1State:
        return Smets1State(self._account, self.last_counters, self._pending)

    @property
    def event_log(self) -> tuple[LogEntry, ...]:
        return () if self._logs is None else tuple(self._logs.events)

    @property
    def security_log(self) -> tuple[LogEntry, ...]:
        return () if self._logs is None else tuple(self._logs.security)

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
        return [self._alert(alert_code, now)]

    def advance(self, now: datetime) -> list[bytes]:
        pending = self._pending
        if pending is None or pending.execute_at > now:
            return []
        self._pending = None
        self._account = self._account.apply(pending.change)
        detail = f"{pending.change.mode.value} for {_describe(pending.request)}"
        self._log(now, Event.FUTURE_DATED_EXECUTED, detail)
        return [self._alert(FUTURE_DATED_SUCCESS, now, pending.request)]

    def next_due(self) -> datetime | None:
        return None if self._pending is None else self._pending.execute_at

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
        last = -1 if self._counters is None else self._counters.get(request.originator, -1)
        if request.counter <= last:
            return SecurityEvent.REPLAYED_COUNTER, f"{_describe(request)} <= {last}"
        return None

    def _accept(self, command: Smets1Command, change: PaymentModeChange, now: datetime) -> Outcome:
        request = command.request
        if self._counters is None:
            self._counters = {}
        self._counters[request.originator] = request.counter
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

    def _alert(self, code: int, now: datetime, request: RequestRef | None = None) -> bytes:
        frame = Smets1Alert(self._eui64, self._alert_counter + 1, code, now, request)
        self._alert_counter = frame.counter
        detail = f"0x{code:04X} {alert(code).name}, counter {frame.counter}"
        self._log(now, Event.ALERT_SENT, detail)
        return encode(sign(frame, self._key()))

    def _key(self) -> ec.EllipticCurvePrivateKey:
        """Derived on first use: most meters of a large fleet never sign anything."""
        if self._private_key is None:
            self._private_key = device_key(self._seed, self._eui64, KeyUsage.DIGITAL_SIGNING)
        return self._private_key

    def _log(self, now: datetime, kind: Event | SecurityEvent, detail: str) -> None:
        if self._logs is None:
            self._logs = DeviceLogs()
        log = self._logs.security if isinstance(kind, SecurityEvent) else self._logs.events
        log.append(LogEntry(now, kind, detail))


def _describe(request: RequestRef) -> str:
    return f"command {request.counter} from {request.originator.hex().upper()}"
