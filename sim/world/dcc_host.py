"""The sans-IO DCC inside simpy: it decides when a request arrives, and the WAN carries the rest.

A User's request is processed at the simulated time it arrives; its synchronous response comes
back at once. Commands for devices go down the WAN; what devices send comes up it into
``Dcc.on_device_message``. DUIS documents for Users go to their endpoints with the Response
each was built from.
A command whose device has not answered within the WAN's response timeout is answered for the
device: E21 (no response from device) to the User, with the ResponseID the device's answer would
have carried, and the DCC forgets the command. An alert the
DCC holds for the SRP Ofgem will instruct is logged as held; it is delivered when released.

Every DUIS document in or out is logged, with the DCC's verdict.
"""

from __future__ import annotations

from collections.abc import Callable

from dcc.alert_routing import HELD
from dcc.dcc import AlertHeld, Dcc
from dcc.duis.alerts import DCCAlertMessage, DeviceAlertMessage, QuarantinedRequest
from dcc.duis.codes import ResponseCode
from dcc.duis.ids import ResponseID
from dcc.duis.response import Response, ResponseHeader, ResponseMessage, build_response
from dcc.duis.signed_document import SignedDocument
from dcc.duis.smets1 import SMETS1ResponseMessage
from dcc.duis.xmldsig import sign_document
from dcc.outcome import DeviceDelivery, Outcome, UserDelivery
from sim.report.events import EventKind
from sim.report.tally import Tally
from sim.report.wire_log import DCC, WireLog, party
from sim.world.wan import ALERT_KINDS, SimulatedWan

Endpoint = Callable[[UserDelivery, Response], None]
_KINDS = {
    "response": EventKind.DUIS_RESPONSE,
    "dcc-alert": EventKind.DCC_ALERT,
    "device-alert": EventKind.DEVICE_ALERT,
}


class DccHost:
    def __init__(
        self,
        log: WireLog,
        dcc: Dcc,
        wan: SimulatedWan,
        tally: Tally,
        response_timeout: float,
        srp: bytes,
    ) -> None:
        self._log = log
        self._dcc = dcc
        self._wan = wan
        self._tally = tally
        self._timeout = response_timeout
        self._endpoints: dict[bytes, Endpoint] = {}
        self._anyone: Endpoint | None = None
        self._srp = srp
        # supplier -> the log keys of the alerts held for it, in the order they were held
        self._held_keys: dict[bytes, list[object]] = {}

    def connect(self, user_id: bytes | None, endpoint: Endpoint) -> None:
        """Where the User's Receive Response endpoint is (``None``: of every User without one of
        its own); a User without one still gets its documents logged."""
        if user_id is None:
            self._anyone = endpoint
        else:
            self._endpoints[user_id] = endpoint

    # --- User -> DCC ----------------------------------------------------------------------------

    def submit(self, document: bytes | SignedDocument, sender: bytes) -> Outcome:
        """A User's signed request, as bytes or with the Request its sender wrote them from."""
        offered = None
        if isinstance(document, SignedDocument):
            offered = document.request
            document = document.data
        outcome = self._dcc.submit(document, self._log.now, offered)
        breach = None
        if outcome.quarantined:  # the breach its DCC alert names
            breach = next(filter(None, (_breach(a.response) for a in outcome.to_users)), None)
        verdict = f"quarantined:{breach}" if outcome.quarantined else str(outcome.response_code)
        detail = f"{outcome.decided_by}: {outcome.reason}" if outcome.decided_by else ""
        self._log.record(EventKind.DUIS_REQUEST, party(sender), DCC, verdict, document, detail)
        self._count(outcome, breach)
        if outcome.response is not None:
            self._log.record(
                EventKind.DUIS_RESPONSE,
                DCC,
                party(sender),
                str(outcome.response_code),
                outcome.response,
            )
        for delivery in outcome.to_users:
            self._to_user(delivery)
        for command in outcome.to_devices:
            self._to_device(command)
        return outcome

    def _count(self, outcome: Outcome, breach: str | None) -> None:
        self._tally.requests += 1
        if outcome.decided_by is None:
            return
        if outcome.quarantined and breach is not None:
            self._tally.quarantined[breach] += 1
            self._tally.rejected(outcome.decided_by, breach)
        else:
            self._tally.rejected(outcome.decided_by, str(outcome.response_code))

    # --- DCC -> devices and back ----------------------------------------------------------------

    def _to_device(self, command: DeviceDelivery) -> None:
        kind = EventKind.SMETS1_COMMAND if command.smets1 else EventKind.GBCS_COMMAND
        self._wan.downlink(command.device_id, command.frame, kind)
        key = (command.device_id, command.request_id.counter)
        expiry = self._log.env.timeout(self._timeout)
        expiry.callbacks.append(lambda _: self._expire(key))

    def from_device(self, device_id: bytes, frame: bytes, kind: EventKind) -> None:
        """A frame the WAN brought up from a device."""
        outcomes = self._dcc.on_device_message(device_id, frame, self._log.now)
        if kind in ALERT_KINDS and not outcomes:
            self._tally.alerts_refused += 1
        for outcome in outcomes:
            if isinstance(outcome, AlertHeld):
                self._held(outcome)
            else:
                self._to_user(outcome)

    def hand_over(self, deliveries: list[UserDelivery], why: str, held_for: bytes) -> None:
        """The alerts the DCC held for ``held_for``, released on Ofgem's instruction, logged
        with ``why``, each in the place it was held in: the order a sharded run merges its
        workers' releases in (docs/scaling.md)."""
        keys = self._held_keys.pop(held_for, [])
        for number, delivery in enumerate(deliveries):
            key = keys[number] if number < len(keys) else None
            self._to_user(delivery, why, None if key is None else (1, key))

    def _held(self, held: AlertHeld) -> None:
        alert = held.alert
        detail = f"alert 0x{alert.alert_code:04X} from {party(alert.device_id)}: {HELD}"
        key = self._log.record(
            EventKind.ALERT_HELD, DCC, party(alert.addressed_to), "held", alert.frame, detail
        )
        self._held_keys.setdefault(alert.addressed_to, []).append(key)

    def _expire(self, key: tuple[bytes, int]) -> None:
        pending = self._dcc.pending.pop(key, None)
        if pending is None:
            return
        header = pending.request.header
        answering = ResponseID.answering(header.request_id)
        response = Response(
            ResponseHeader(ResponseCode.E21, self._log.now, header.request_id, answering),
            ResponseMessage(header.service_reference, header.service_reference_variant),
        )
        identity = self._dcc.identity
        document = sign_document(
            build_response(response), identity.xml_sign_private, identity.xml_sign_certificate
        )
        self._tally.no_response += 1
        self._to_user(UserDelivery(header.request_id.originator, document, "response", response))

    # --- DCC -> Users ---------------------------------------------------------------------------

    def _to_user(
        self, delivery: UserDelivery, why: str = "", order: tuple[object, ...] | None = None
    ) -> None:
        kind = _KINDS[delivery.kind]
        response = delivery.response
        body = response.body
        detail = why
        if isinstance(body, DeviceAlertMessage | SMETS1ResponseMessage):
            verdict = "delivered"
            code = (
                body.alert_code if isinstance(body, DeviceAlertMessage) else body.alert.alert_code
            )
            detail = "; ".join(filter(None, (self._count_alert(delivery.user_id, code), why)))
        elif isinstance(body, DCCAlertMessage):
            verdict = f"quarantined:{_breach(response)}"
        else:
            verdict = str(response.header.response_code)
        recipient = party(delivery.user_id)
        self._log.record(kind, DCC, recipient, verdict, delivery.document, detail, order=order)
        endpoint = self._endpoints.get(delivery.user_id, self._anyone)
        if endpoint is not None:
            endpoint(delivery, response)

    def _count_alert(self, user_id: bytes, alert_code: int) -> str:
        critical = alert_code in self._dcc.services.config.current().safety_critical_alerts
        if user_id == self._srp:
            self._tally.alerts_to_srp += 1
        else:
            self._tally.alerts_to_supplier += 1
        self._tally.alerts_safety_critical += critical
        return f"alert 0x{alert_code:04X}" + (", safety-critical (R7.2)" if critical else "")


def _breach(response: Response) -> str | None:
    """The anomaly-detection breach a QuarantinedRequest DCC alert names, else None."""
    body = response.body
    if isinstance(body, DCCAlertMessage) and isinstance(body.dcc_alert, QuarantinedRequest):
        return str(body.dcc_alert.kind)
    return None
