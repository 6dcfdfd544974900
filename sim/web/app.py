"""The Starlette app: DCC Boxed's DUIS paths in front of the live simulation, and the SMKI lookup.

Each path takes the command variants DCC Boxed routes to it; any other is refused with E13
before the DCC sees it. The body must be ``application/xml`` (or ``text/xml``) and at most
``MAX_DOCUMENT_BYTES``: it is read in chunks and reading stops at the limit. Every refusal is a
DUIS Response (see :mod:`sim.web._refusal`), never a 500: 200 for DUIS-level answers, 400 for a
body that stopped coming (the client went away, or :mod:`sim.web._deadline` closed it), 413 for
an oversize body, 415 for another content type, 503 while the User's response queue is full.
Each refusal is logged in the wire log, request (in its bounded form, see :mod:`sim.web.live`)
and answer, with the reason.

Everything done with a body runs off the event loop, which only moves bytes: parsing and the
header in worker threads, the DCC's pipeline and signatures on a thread of its own, under the
simulation's lock. One slow request never stalls the loop, and so neither other requests' reading
and screening nor SMKI lookups.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dcc.duis.codes import ResponseCode
from dcc.duis.errors import DuisError
from dcc.duis.request import CommandVariant, RequestHeader, read_request_header
from dcc.duis.xmlparse import MAX_DOCUMENT_BYTES, parse_xml
from sim.web._body import XML_TYPES, Incomplete, TooLarge, read_body
from sim.web._refusal import code_of, refuse_header, refuse_unreadable
from sim.web.delivery import QUEUE_FULL, DeliveryService
from sim.web.live import LiveSimulation
from sim.web.smki_port import live_smki_routes

_CV = CommandVariant
PATHS: dict[str, frozenset[CommandVariant]] = {
    "serviceS": frozenset(
        {
            _CV.SEND_COMMAND,
            _CV.SEND_AND_LOCAL_COMMAND,
            _CV.SIGNED_SEND_COMMAND,
            _CV.SIGNED_SEND_AND_LOCAL_COMMAND,
        }
    ),
    "serviceT": frozenset({_CV.TRANSFORM}),
    "serviceD": frozenset({_CV.LOCAL_COMMAND, _CV.SIGNED_LOCAL_COMMAND, _CV.NON_DEVICE}),
}


def create_app(live: LiveSimulation, delivery: DeliveryService) -> Starlette:
    """The web service over ``live``; ``delivery`` carries its asynchronous documents."""
    for user in delivery.users:
        live.connect(
            user, lambda sent, _response: delivery.post_threadsafe(sent.user_id, sent.document)
        )

    # The DCC decides one request at a time under the world's lock; requests queue for this one
    # thread rather than as threads contending for the lock (and the GIL).
    dcc_thread = ThreadPoolExecutor(1, thread_name_prefix="solrsim-dcc")

    async def duis(request: Request) -> Response:
        return await _answer(request, request.path_params["service"], live, delivery, dcc_thread)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        # The clock runs only while delivery does, so no document is made with nowhere to go.
        await delivery.start()
        live.start()
        try:
            yield
        finally:
            await asyncio.to_thread(live.stop)
            await delivery.stop()
            dcc_thread.shutdown(wait=False, cancel_futures=True)

    routes = [
        Route("/api/v1/{service:str}", duis, methods=["POST"]),
        *live_smki_routes(live),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _answer(
    request: Request,
    service: str,
    live: LiveSimulation,
    delivery: DeliveryService,
    dcc_thread: Executor,
) -> Response:
    variants = PATHS.get(service)
    if variants is None:
        return Response(status_code=404)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in XML_TYPES:
        why = f"content type {content_type!r}"
        return await _refused(live, b"", None, ResponseCode.E1000, why, 415)
    try:
        body = await read_body(request, MAX_DOCUMENT_BYTES)
    except TooLarge:
        why = f"over {MAX_DOCUMENT_BYTES} bytes"
        return await _refused(live, b"", None, ResponseCode.E1000, why, 413)
    except Incomplete as cut:
        why = f"the body stopped after {cut.received} bytes"
        return await _refused(live, b"", None, ResponseCode.E1000, why, 400)
    screened = await asyncio.to_thread(_screen, body, service, variants, live, delivery)
    if isinstance(screened, tuple):
        status, answer = screened
        return _xml(answer, status)
    loop = asyncio.get_running_loop()
    return _xml(await loop.run_in_executor(dcc_thread, _submit, body, screened, live))


def _screen(
    body: bytes,
    service: str,
    variants: frozenset[CommandVariant],
    live: LiveSimulation,
    delivery: DeliveryService,
) -> RequestHeader | tuple[int, bytes]:
    """The request's header if the DCC is to see it; else the HTTP status and DUIS refusal."""
    tree = None
    try:
        tree = parse_xml(body)
        header = read_request_header(tree)
    except DuisError as error:
        code = code_of(error)
        answer = refuse_unreadable(code, tree, live.now)
        return _logged(live, body, None, code, f"unreadable: {error}", answer=answer)
    user = header.request_id.originator
    if header.command_variant not in variants:
        why = f"CV {header.command_variant.value} is not taken on {service}"
        answer = refuse_header(ResponseCode.E13, header, live.now)
        return _logged(live, body, user, ResponseCode.E13, why, answer=answer)
    if not delivery.has_room(user):
        why = "the User's response queue is full"
        answer = refuse_header(QUEUE_FULL, header, live.now)
        return _logged(live, body, user, QUEUE_FULL, why, 503, answer)
    return header


def _submit(body: bytes, header: RequestHeader, live: LiveSimulation) -> bytes:
    outcome = live.submit(body, header.request_id.originator)
    return outcome.response or refuse_header(outcome.response_code, header, live.now)


async def _refused(
    live: LiveSimulation,
    body: bytes,
    sender: bytes | None,
    code: ResponseCode,
    why: str,
    status: int = 200,
) -> Response:
    status, answer = await asyncio.to_thread(_logged, live, body, sender, code, why, status)
    return _xml(answer, status)


def _logged(
    live: LiveSimulation,
    body: bytes,
    sender: bytes | None,
    code: ResponseCode,
    why: str,
    status: int = 200,
    answer: bytes | None = None,
) -> tuple[int, bytes]:
    """The web layer's refusal, logged first (request and answer) so none goes unrecorded;
    ``answer`` defaults to a refusal that echoes nothing of the request."""
    answer = answer or refuse_unreadable(code, None, live.now)
    live.record_refusal(body, sender, code, answer, why)
    return status, answer


def _xml(document: bytes, status: int = 200) -> Response:
    return Response(document, status_code=status, media_type="application/xml")
