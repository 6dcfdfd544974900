"""What the DCC sends because of a request: its answer to the User, and any frames for devices
or DUIS documents for Users that go with it."""

from __future__ import annotations

from dataclasses import dataclass

from dcc.duis.codes import ResponseCode
from dcc.duis.ids import RequestID
from dcc.duis.response import Response


@dataclass(frozen=True, slots=True)
class DeviceDelivery:
    """A frame for a device: a MACed GBCS command, or a countersigned SMETS1 command."""

    device_id: bytes
    frame: bytes
    request_id: RequestID
    smets1: bool = False


@dataclass(frozen=True, slots=True)
class UserDelivery:
    """A signed DUIS document for a User's Receive Response endpoint, with the Response it was
    built from (all but the signature), so that a host in the same process need not parse it
    back."""

    user_id: bytes
    document: bytes
    kind: str
    response: Response


@dataclass(frozen=True)
class Outcome:
    """What ``Dcc.submit`` decided: the synchronous response and anything sent because of it.
    ``message`` is the Response that ``response`` carries when the request was acted on."""

    response_code: ResponseCode
    reason: str
    decided_by: str | None
    response: bytes | None
    request_id: RequestID | None = None
    quarantined: bool = False
    to_devices: tuple[DeviceDelivery, ...] = ()
    to_users: tuple[UserDelivery, ...] = ()
    message: Response | None = None

    @property
    def accepted(self) -> bool:
        return self.response_code in (ResponseCode.I0, ResponseCode.I99) and not self.quarantined
