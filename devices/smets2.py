"""A SMETS2+ meter's command processing and alerts, shared by the ESME and the GSME.

A command is checked in this order; the first failure decides, and leaves the account, the
originator counters and the pending change as they were:

=====  ==========================================  ===============  ===========================
step   check                                       answer           logged
=====  ==========================================  ===============  ===========================
1      decodes as GBCS                             nothing          security: unreadable-frame
2      recipient is this device                    nothing          security: not-for-me
3      CRA 1, MAC header, MAC verifies with        nothing          security: not-a-command,
       ECDH(own KA, ACB KA)                                         mac-absent, mac-invalid
4      originator is a trust anchor; a critical    nothing; 8F30    security: unknown-originator,
       command is signed by it; its role may       alert for the    signature-absent,
       send this command (1.6: Supplier only)      authority cases  signature-invalid,
                                                                    unauthorised-originator
5      counter > last counter accepted from        nothing          security: replayed-counter
       that originator
6      message code is one this device runs        nothing          event: unsupported-command
       (ESME: ECS02/ECS03, GSME: GCS02/GCS03)
6      payload is a 1.6 change and agrees with     error response   event: content-refused
       its message code (no disguised payload)
=====  ==========================================  ===============  ===========================

Why so: GBCS devices discard a command that fails authentication or replay checks without a
response, since answering would help an attacker; the DCC sees a timeout. When the source is
authentic but has no authority (an originator the device holds no anchor for, or a network
operator sending a supplier command), the device raises 0x8F30 "Source Does not have Authority
for Command" to its registered supplier, signed like the RTDS generic critical 8F30 alert. A
command that passes every check but whose content is wrong gets the use case's error response
(DLMS result other than success, ZCL Default Response with an error status), as the RTDS
``_ERROR_`` files have. A code the device does not implement has no response template, so it is
only logged. A use case unknown to the catalogue is treated as critical.

An accepted change is applied now, kept pending until its time (``advance`` then applies it and
sends 8F66 to the command's originator), or cancels the pending change. The device has one slot
for a pending change, as DLMS has one activation time: any later 1.6 command replaces it, an
immediate one included. ``advance`` builds its alerts before it touches the slot or the account,
so nothing can fail once the change has begun, and it never raises; should the alert counter be
spent, the change is still made and the alerts are logged as not sent.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from devices._records import MeterRecords
from devices.credentials import DeviceSecurityCredentials, Role
from devices.gbcs import alerts
from devices.gbcs.alert_payload import (
    FUTURE_DATED_FAILURE,
    FUTURE_DATED_SUCCESS,
    CosemTarget,
    FutureDatedAlert,
    GenericAlert,
    ZclTarget,
    encode_future_dated_alert,
    encode_generic_alert,
)
from devices.gbcs.content import Protocol
from devices.gbcs.dlms import CosemDateTime
from devices.gbcs.errors import GbcsError, LocalProtocolError
from devices.gbcs.frame import Cra, GbcsMessage, GroupingHeader, OtherInformation, decode, encode
from devices.gbcs.payment_mode import (
    Activation,
    PaymentModeChange,
    PaymentModeResponse,
    decode_payment_mode_command,
    encode_payment_mode_response,
    message_code_agrees,
)
from devices.gbcs.security import add_mac, mac_valid, sign, signature_valid
from devices.gbcs.usecases import use_case_for
from devices.logs import Event, SecurityEvent
from devices.meter import DEFAULT_ACCOUNT, Account

GENERIC_CRITICAL_ALERT = 0x1000
GENERIC_NON_CRITICAL_ALERT = 0x1001
SOURCE_WITHOUT_AUTHORITY = 0x8F30
# Alerts signed whatever the safety-critical list says: the future-dated results, and 8F30, which
# RTDS sends as a Generic Critical Alert (NA_GCA files).
ALWAYS_CRITICAL_ALERTS = frozenset(
    {FUTURE_DATED_SUCCESS, FUTURE_DATED_FAILURE, SOURCE_WITHOUT_AUTHORITY}
)
_AUTHORITY_FAILURES = (SecurityEvent.UNKNOWN_ORIGINATOR, SecurityEvent.UNAUTHORISED_ORIGINATOR)
LAST_ALERT_COUNTER = 2**64 - 1  # the grouping header's counter is 8 bytes


@dataclass(frozen=True, slots=True)
class PendingChange:
    """A future-dated 1.6 change waiting for its time, and the command it came in."""

    execute_at: datetime
    change: PaymentModeChange
    message_code: int
    originator: bytes
    counter: int

    def __str__(self) -> str:
        return _describe(self.message_code, self.change, self.originator, self.counter)


class Smets2Meter(MeterRecords[PendingChange], ABC):
    """The command checks, the payment account and the alerts of a SMETS2+ meter.

    Subclasses say which 1.6 codes they run, in which payload protocol, and how they answer.
    """

    __slots__ = ("_alert_counter", "_alerts", "_credentials", "registered_supplier")

    protocol: ClassVar[Protocol]
    commands: ClassVar[frozenset[int]]  # the 1.6 codes this device type runs, all Supplier-only
    future_dated_alert_code: ClassVar[int]

    def __init__(
        self,
        credentials: DeviceSecurityCredentials,
        registered_supplier: bytes,
        *,
        account: Account = DEFAULT_ACCOUNT,
        alert_catalogue: alerts.AlertCatalogue = alerts.DEFAULT,
        alert_counter: int = 0,
    ) -> None:
        """``alert_counter`` is the last counter the device sent an alert with."""
        if not 0 <= alert_counter <= LAST_ALERT_COUNTER:
            raise LocalProtocolError(f"alert counter {alert_counter} is outside 0..2**64-1")
        super().__init__(account)
        self._credentials = credentials
        self.registered_supplier = registered_supplier
        self._alerts = alert_catalogue
        self._alert_counter = alert_counter

    # --- what a tester reads --------------------------------------------------------------------

    @property
    def eui64(self) -> bytes:
        return self._credentials.eui64

    @property
    def credentials(self) -> DeviceSecurityCredentials:
        return self._credentials

    # --- the Meter interface --------------------------------------------------------------------

    def receive(self, frame: bytes, now: datetime) -> list[bytes]:
        try:
            return self._receive(frame, now)
        finally:
            self._credentials.forget_private_keys()

    def trigger(self, alert_code: int, now: datetime) -> list[bytes]:
        try:
            return self._alert(alert_code, now)
        finally:
            self._credentials.forget_private_keys()

    def advance(self, now: datetime) -> list[bytes]:
        pending = self._due(now)
        if pending is None:
            return []
        try:
            announcements = self._future_dated_alerts(pending)
        finally:
            self._credentials.forget_private_keys()
        self._pending = None
        self._account = self._account.apply(pending.change)
        self._log(now, Event.FUTURE_DATED_EXECUTED, str(pending))
        if announcements is None:
            spent = f"alert counter {self._alert_counter} has too few values left"
            self._log(
                now, Event.ALERT_NOT_SENT, f"0x{FUTURE_DATED_SUCCESS:04X} for {pending}: {spent}"
            )
            return []
        self._alert_counter += len(announcements)
        return announcements

    def _receive(self, frame: bytes, now: datetime) -> list[bytes]:
        try:
            message = decode(frame)
        except GbcsError as e:
            self._log(now, SecurityEvent.UNREADABLE_FRAME, str(e))
            return []
        refusal = self._security_refusal(message)
        if refusal is not None:
            kind, detail = refusal
            self._log(now, kind, detail)
            if kind in _AUTHORITY_FAILURES:
                return self._alert(SOURCE_WITHOUT_AUTHORITY, now)
            return []
        return self._run(message, now)

    # --- device-type specifics ------------------------------------------------------------------

    @abstractmethod
    def _accepted(self, change: PaymentModeChange) -> PaymentModeResponse:
        """The success response to ``change``."""

    @abstractmethod
    def _refused(self, content: bytes) -> PaymentModeResponse:
        """The error response to a 1.6 payload this device cannot run."""

    @abstractmethod
    def _future_dated_targets(
        self, change: PaymentModeChange
    ) -> tuple[CosemTarget | ZclTarget, ...]:
        """What each 8F66 alert names, in sending order: one alert per target."""

    # --- checks ---------------------------------------------------------------------------------

    def _security_refusal(self, message: GbcsMessage) -> tuple[SecurityEvent, str] | None:
        """Steps 2 to 5; None when the command is authentic, authorised and fresh."""
        header = message.header
        originator = header.originator.hex().upper()
        if header.recipient != self.eui64:
            return SecurityEvent.NOT_FOR_ME, f"addressed to {header.recipient.hex().upper()}"
        if header.cra is not Cra.COMMAND:
            return SecurityEvent.NOT_A_COMMAND, f"CRA {header.cra.name} from {originator}"
        if message.mac is None:
            return SecurityEvent.MAC_ABSENT, f"command from {originator} has no MAC header"
        if not mac_valid(message, self._credentials.acb_secret()):
            return SecurityEvent.MAC_INVALID, f"command from {originator}: ACB MAC does not verify"
        party = self._credentials.anchors.party(header.originator)
        if party is None:
            return SecurityEvent.UNKNOWN_ORIGINATOR, f"no trust anchor for {originator}"
        use_case = use_case_for(header.message_code)
        if use_case is None or use_case.critical:
            if not message.signature:
                return SecurityEvent.SIGNATURE_ABSENT, f"critical command from {originator}"
            if not signature_valid(message, party.ds):
                return SecurityEvent.SIGNATURE_INVALID, f"not signed by {originator}'s DS key"
        if header.message_code in self.commands and party.role is not Role.SUPPLIER:
            return SecurityEvent.UNAUTHORISED_ORIGINATOR, f"{originator} is a {party.role.value}"
        last = self._last_counter(header.originator)
        if header.counter <= last:
            return SecurityEvent.REPLAYED_COUNTER, f"counter {header.counter} <= {last}"
        return None

    def _run(self, message: GbcsMessage, now: datetime) -> list[bytes]:
        """Step 6, then the change."""
        header = message.header
        code = header.message_code
        if code not in self.commands:
            self._log(now, Event.UNSUPPORTED_COMMAND, f"message code 0x{code:04X}")
            return []
        try:
            change = decode_payment_mode_command(code, message.content)
        except GbcsError as e:
            return self._refuse_content(header, message.content, now, str(e))
        if not message_code_agrees(code, change):
            reason = f"0x{code:04X} carries a {change.mode.value} {change.protocol} payload"
            return self._refuse_content(header, message.content, now, reason)
        self._accept(header, change, now)
        return [self._respond(header, self._accepted(change), now)]

    def _refuse_content(
        self, header: GroupingHeader, content: bytes, now: datetime, reason: str
    ) -> list[bytes]:
        self._log(now, Event.CONTENT_REFUSED, reason)
        return [self._respond(header, self._refused(content), now)]

    def _accept(self, header: GroupingHeader, change: PaymentModeChange, now: datetime) -> None:
        self._accept_counter(header.originator, header.counter)
        detail = _describe(header.message_code, change, header.originator, header.counter)
        if change.activation is Activation.IMMEDIATE:
            self._account = self._account.apply(change)
            self._pending = None
            self._log(now, Event.EXECUTED, detail)
        elif change.execute_at is not None:
            self._pending = PendingChange(
                change.execute_at, change, header.message_code, header.originator, header.counter
            )
            self._log(now, Event.SCHEDULED, f"{detail} at {change.execute_at.isoformat()}")
        else:
            if self._pending is not None:
                detail += f"; cancels {self._pending}"
            self._pending = None
            self._log(now, Event.CANCELLED, detail)

    # --- frames the device sends ----------------------------------------------------------------

    def _respond(
        self, command: GroupingHeader, response: PaymentModeResponse, now: datetime
    ) -> bytes:
        """A critical response: the command's counter and code, back to its originator, signed."""
        header = GroupingHeader(
            Cra.RESPONSE,
            command.counter,
            self.eui64,
            command.originator,
            OtherInformation(command.message_code),
            CosemDateTime.from_datetime(now).raw,
        )
        return self._signed(header, encode_payment_mode_response(response, command.counter))

    def _future_dated_alerts(self, pending: PendingChange) -> list[bytes] | None:
        """The 8F66 alerts announcing ``pending``, one per target, numbered on from the last
        alert but not yet counted; None when the alert counter has too few values left."""
        targets = self._future_dated_targets(pending.change)
        if self._alert_counter + len(targets) > LAST_ALERT_COUNTER:
            return None
        return [
            self._future_dated_alert(pending, target, self._alert_counter + n)
            for n, target in enumerate(targets, 1)
        ]

    def _future_dated_alert(
        self, pending: PendingChange, target: CosemTarget | ZclTarget, counter: int
    ) -> bytes:
        alert = FutureDatedAlert(
            FUTURE_DATED_SUCCESS, pending.execute_at, pending.message_code, pending.counter, target
        )
        header = GroupingHeader(
            Cra.ALERT,
            counter,
            self.eui64,
            pending.originator,
            OtherInformation(self.future_dated_alert_code),
        )
        return self._signed(header, encode_future_dated_alert(alert, counter))

    def _alert(self, alert_code: int, now: datetime) -> list[bytes]:
        """A generic alert to the registered supplier: signed if critical, else MACed to it."""
        supplier = self.registered_supplier
        known = self._alerts.alert(alert_code)
        critical = known.safety_critical or alert_code in ALWAYS_CRITICAL_ALERTS
        secret = None if critical else self._credentials.party_secret(supplier)
        if not critical and secret is None:
            detail = f"{known.name}: no key agreement key for {supplier.hex().upper()}"
            self._log(now, Event.ALERT_NOT_SENT, detail)
            return []
        if self._alert_counter == LAST_ALERT_COUNTER:
            detail = f"{known.name}: alert counter {self._alert_counter} is the last"
            self._log(now, Event.ALERT_NOT_SENT, detail)
            return []
        counter = self._alert_counter + 1
        code = GENERIC_CRITICAL_ALERT if critical else GENERIC_NON_CRITICAL_ALERT
        header = GroupingHeader(Cra.ALERT, counter, self.eui64, supplier, OtherInformation(code))
        content = encode_generic_alert(GenericAlert(self.protocol, alert_code, now), counter)
        if secret is None:
            frame = self._signed(header, content)
        else:
            frame = encode(add_mac(GbcsMessage(header, content, b""), secret))
        self._alert_counter = counter
        self._log(now, Event.ALERT_SENT, f"0x{alert_code:04X} {known.name}, counter {counter}")
        return [frame]

    def _signed(self, header: GroupingHeader, content: bytes) -> bytes:
        return encode(sign(GbcsMessage(header, content), self._credentials.ds_private))


def _describe(code: int, change: PaymentModeChange, originator: bytes, counter: int) -> str:
    return f"0x{code:04X} {change.mode.value} from {originator.hex().upper()}, counter {counter}"
