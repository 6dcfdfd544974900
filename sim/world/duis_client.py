"""What a DCC User's system does with DUIS for SR 1.6, as pure functions: build a request, sign it
with the User's xmlSign key, take the GBCS pre-command out of a transform's response and sign it
with a Supplier DS key, then send it back under the transform's RequestID (CV 5).

The testbed and a rehearsal's SRP and failed supplier build their requests here, so all speak the
same DUIS.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import ec

from dcc.duis.ids import RequestID
from dcc.duis.request import (
    CommandVariant,
    Credit,
    Prepayment,
    Request,
    RequestBody,
    RequestHeader,
    SignedPreCommand,
    UpdatePaymentMode,
)
from dcc.duis.response import PreCommand, Response, ResponseMessage, parse_response
from dcc.duis.signed_document import SignedDocument
from dcc.duis.writing import signed_bytes
from dcc.outcome import Outcome
from devices.gbcs.frame import GbcsMessage, decode, encode
from devices.gbcs.security import sign
from sim.world.cast import Party

UPDATE_PAYMENT_MODE = "1.6"


class NoPreCommandError(Exception):
    """A DUIS response that was expected to carry a pre-command and does not."""


def service_request(
    user: bytes,
    device: bytes,
    body: RequestBody,
    variant: CommandVariant,
    counter: int,
    srv: str = UPDATE_PAYMENT_MODE,
) -> Request:
    """A request from ``user`` to ``device`` under RequestID counter ``counter``."""
    return Request(RequestHeader(RequestID(user, device, counter), variant, srv, srv), body)


def signed(party: Party, request: Request) -> bytes:
    """The request's XML, signed with the party's xmlSign key."""
    return signed_bytes(request, party.xml_key, party.xml_certificate)


def signed_document(party: Party, request: Request) -> SignedDocument:
    """:func:`signed`, handed over with the request: a DCC in the same process takes it in place
    of reading the bytes back, once it has verified that they are its signed form."""
    return SignedDocument(signed(party, request), request)


def pre_command(response: bytes | Response | None) -> GbcsMessage:
    """The GBCS pre-command in a transform's DUIS response (its bytes, or the Response a DCC in
    the same process built them from), as the DCC issued it: the message that DCC encoded, if
    it encodes to the payload (``encode`` is ``decode``'s exact inverse), else the payload
    decoded."""
    if response is None:
        raise NoPreCommandError("no response, so no PreCommand")
    if isinstance(response, bytes):
        response = parse_response(response)
    body = response.body
    content = body.content if isinstance(body, ResponseMessage) else body
    if not isinstance(content, PreCommand):
        raise NoPreCommandError(f"the response carries {type(content).__name__}, no PreCommand")
    issued = content.message
    if issued is not None and encode(issued) == content.gbcs_payload:
        return issued
    return decode(content.gbcs_payload)


def sign_pre_command(message: GbcsMessage, supplier_ds: ec.EllipticCurvePrivateKey) -> bytes:
    """The pre-command signed with the supplier's DS key: what a Signed Pre-Command carries."""
    return encode(sign(message, supplier_ds))


def signed_send(transform: Request, signed_gbcs: bytes) -> Request:
    """CV 5: the signed pre-command, under the RequestID of the transform it came from."""
    header = transform.header
    return Request(
        RequestHeader(
            header.request_id,
            CommandVariant.SIGNED_SEND_COMMAND,
            header.service_reference,
            header.service_reference_variant,
        ),
        SignedPreCommand(signed_gbcs),
    )


def update_payment_mode(
    party: Party,
    device: bytes,
    mode: Credit | Prepayment,
    counter: int,
    smets1: bool,
    submit: Callable[[SignedDocument], Outcome],
) -> Outcome:
    """SR 1.6 the whole way, as a User's system sends it: to a SMETS1 device one request (CV 1);
    to a SMETS2+ device the transform (CV 4) and, if the DCC issues the pre-command, that signed
    with the party's Supplier DS key and sent back (CV 5). ``submit`` hands a signed document
    (:func:`signed_document`) to the DCC; the DCC's last answer is returned."""
    user, body = party.user_id, UpdatePaymentMode(mode)
    if smets1:
        send = service_request(user, device, body, CommandVariant.SEND_COMMAND, counter)
        return submit(signed_document(party, send))
    transform = service_request(user, device, body, CommandVariant.TRANSFORM, counter)
    outcome = submit(signed_document(party, transform))
    if not outcome.accepted:
        return outcome
    gbcs = sign_pre_command(pre_command(outcome.message), party.pre_command_key())
    return submit(signed_document(party, signed_send(transform, gbcs)))
