"""The SMETS1 service provider (S1SP) adapter: DUIS SR 1.6 to SMETS1 frames and back.

A SMETS1 meter speaks neither GBCS nor DUIS. Once the pipeline has verified a User's SR 1.6
(for the SRP: R5.1, R6.3), :func:`countersign` turns it into a SMETS1 command frame
(:mod:`devices.smets1_frame`) signed with the DCC's key, the DSP XML-signing key of
:class:`dcc.identity.DccIdentity`: the DSP is the party that vouches for DUIS content, whereas the
ACB's GBCS keys speak for GBCS commands to SMETS2+ devices. The meter checks that countersignature.

Choices, where DUIS and MP134B are silent:

- Only an ``UpdatePaymentMode`` body is countersigned, and only with CommandVariant 1 (a SMETS1
  request is sent as it is, not transformed). Any other body is refused with E11 (SR not
  compatible with the device type), as is an ExecutionDateTime the frame cannot carry (not
  after 1970-01-01T00:00:00Z); a 1.6 with another CV is refused with E12 (Request / CV
  combination).
  The body is not otherwise judged here: refusing Prepayment from the SRP (R5.1) is the
  pipeline's business, and a supplier may still ask for prepayment.
- ExecutionDateTime: absent is on demand; in year 3000 or later it cancels the pending change
  (the DUIS templates cancel with 3000-12-31T00:00:00Z); else the meter waits for it. A time
  without a zone is read as UTC, as DUIS times are.
- Responses: executed, scheduled and cancelled are I0, with the RequestID and the ResponseID
  ``device:user:counter``. "Content refused" is E11, the meter having found the request not one
  it can run. A frame that is not an authentic answer from the target device to this request
  (unreadable, unsigned, badly signed, another device, another request) is dropped, as a frame
  on a link is; for the User that is no answer at all: E21, with the RequestID only. Real DUIS
  carries a SMETS1 device's answer in an ``SMETS1ResponseMessage`` (MMC ``ra:`` body), which
  :mod:`dcc.duis.response` does not model, so the ResponseMessage here names SR 1.6 and carries
  no content.
- Alerts: :func:`read_alert` returns a typed :class:`Smets1DeviceAlert`, the fields of the
  ``ra:Header`` and ``ra:DeviceAlertMessage`` that DUIS delivers it in (an
  ``SMETS1ResponseMessage``, :mod:`dcc.duis.smets1`; the DCC adds the recipient).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric import ec

from dcc.duis.codes import ResponseCode
from dcc.duis.errors import DuisError
from dcc.duis.ids import RequestID, ResponseID
from dcc.duis.request import CommandVariant, Request, UpdatePaymentMode
from dcc.duis.response import Response, ResponseHeader, ResponseMessage
from dcc.errors import RemoteProtocolError
from devices.gbcs.alerts import alert
from devices.smets1_frame import (
    RequestRef,
    Smets1Alert,
    Smets1Command,
    Smets1DecodeError,
    Smets1EncodeError,
    Smets1Response,
    decode,
    encode,
    sign,
    signature_valid,
)

SR_UPDATE_PAYMENT_MODE = "1.6"
NOT_FOR_SMETS1 = ResponseCode.E11
WRONG_COMMAND_VARIANT = ResponseCode.E12
CONTENT_REFUSED = ResponseCode.E11
NO_RESPONSE = ResponseCode.E21
_F = TypeVar("_F", Smets1Response, Smets1Alert)


class S1spRefusal(DuisError):
    """A request the S1SP will not countersign, with the response code the User gets."""


class S1spFrameError(RemoteProtocolError):
    """A frame from a meter the S1SP drops: unreadable, unsigned, or not the device's."""


@dataclass(frozen=True, slots=True)
class Smets1DeviceAlert:
    """A SMETS1 device alert as DUIS reports it (``ra:Header`` and ``ra:DeviceAlertContent``):
    the device (BusinessOriginatorID), its OriginatorCounter, GBCSHexAlertCode, AlertDescription
    and Timestamp; ``request_id`` is the command a future-dated alert (0x8F66) reports on."""

    device_id: bytes
    originator_counter: int
    alert_code: int
    description: str
    raised_at: datetime
    request_id: RequestID | None = None


def countersign(
    request: Request, dcc_key: ec.EllipticCurvePrivateKey, *, supplier: bytes | None = None
) -> bytes:
    """The SMETS1 command frame for a verified SR 1.6, signed with ``dcc_key``.

    ``supplier`` is the Supplier ID the request acts for: by default its originator; under SoLR
    the failed supplier the SRP was instructed to act for.
    """
    header, body = request.header, request.body
    if not isinstance(body, UpdatePaymentMode):
        raise S1spRefusal(
            f"SRV {header.service_reference_variant} ({type(body).__name__}) is not sent to "
            f"SMETS1 devices; only SR {SR_UPDATE_PAYMENT_MODE} UpdatePaymentMode is",
            NOT_FOR_SMETS1,
        )
    if header.command_variant is not CommandVariant.SEND_COMMAND:
        raise S1spRefusal(
            f"SR {SR_UPDATE_PAYMENT_MODE} for a SMETS1 device travels with CommandVariant "
            f"{int(CommandVariant.SEND_COMMAND)}, not {int(header.command_variant)}",
            WRONG_COMMAND_VARIANT,
        )
    rid = header.request_id
    try:
        command = Smets1Command.for_change(
            rid.target,
            RequestRef(rid.originator, rid.counter),
            rid.originator if supplier is None else supplier,
            body.change(),
        )
    except Smets1EncodeError as e:
        raise S1spRefusal(
            f"a SMETS1 command cannot carry this request: {e}", NOT_FOR_SMETS1
        ) from None
    return encode(sign(command, dcc_key))


def to_duis_response(
    response_frame: bytes,
    request: Request,
    now: datetime,
    *,
    device_key: ec.EllipticCurvePublicKey,
) -> Response:
    """The DUIS response to ``request`` from the target meter's answer (see module docstring)."""
    rid = request.header.request_id
    message = ResponseMessage(
        request.header.service_reference, request.header.service_reference_variant
    )
    try:
        answer = _decoded(response_frame, Smets1Response)
    except S1spFrameError:
        return Response(ResponseHeader(NO_RESPONSE, now, rid), message)
    answers_request = answer.device == rid.target and answer.request == RequestRef(
        rid.originator, rid.counter
    )
    if not answers_request or not signature_valid(answer, device_key):
        return Response(ResponseHeader(NO_RESPONSE, now, rid), message)
    code = ResponseCode.I0 if answer.outcome.success else CONTENT_REFUSED
    return Response(ResponseHeader(code, now, rid, ResponseID.answering(rid)), message)


def read_alert(
    alert_frame: bytes, device_key: Callable[[bytes], ec.EllipticCurvePublicKey | None]
) -> Smets1DeviceAlert:
    """The alert in a meter's frame, checked with the key ``device_key`` gives for the device it
    names (None: a device the S1SP does not know); :class:`S1spFrameError` otherwise."""
    frame = _decoded(alert_frame, Smets1Alert)
    device = frame.device.hex().upper()
    key = device_key(frame.device)
    if key is None:
        raise S1spFrameError(f"alert from {device}, a device the S1SP does not know")
    if not signature_valid(frame, key):
        raise S1spFrameError(f"alert not signed by {device}")
    request_id = None
    if frame.request is not None:
        request_id = RequestID(frame.request.originator, frame.device, frame.request.counter)
    return Smets1DeviceAlert(
        frame.device,
        frame.counter,
        frame.alert_code,
        alert(frame.alert_code).name,
        frame.raised_at,
        request_id,
    )


def key_of(
    device_id: bytes, public_key: ec.EllipticCurvePublicKey | None
) -> Callable[[bytes], ec.EllipticCurvePublicKey | None]:
    """A :func:`read_alert` key lookup that knows one device: the alert must be that device's."""
    return lambda eui: public_key if eui == device_id else None


def _decoded(data: bytes, kind: type[_F]) -> _F:
    try:
        frame = decode(data)
    except Smets1DecodeError as e:
        raise S1spFrameError(f"unreadable frame: {e}") from None
    if not isinstance(frame, kind):
        raise S1spFrameError(f"a {type(frame).__name__} frame, not a {kind.__name__}")
    return frame
