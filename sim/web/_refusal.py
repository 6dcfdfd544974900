"""DUIS answers the web layer gives itself, before the DCC sees a request: unsigned refusals.

A refusal echoes what can be read of the request: its RequestID and its ServiceReference and
variant. When not even those can be read (malformed XML, a body cut off at the size limit) the
ResponseMessage names ServiceReference ``99.99``, which no DUIS SRV has: solrsim's documented
marker for "no service reference could be read", so a client still gets a DUIS Response with
the code, never a 500.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from dcc.duis.codes import ResponseCode
from dcc.duis.elements import to_bytes
from dcc.duis.errors import DuisError
from dcc.duis.ids import RequestID, check_service_reference
from dcc.duis.request import RequestHeader
from dcc.duis.response import Response, ResponseHeader, ResponseMessage, build_response

UNREADABLE_SERVICE_REFERENCE = "99.99"


def refuse_header(code: ResponseCode, header: RequestHeader, now: datetime) -> bytes:
    """The refusal of a request whose header was read."""
    reference = (header.service_reference, header.service_reference_variant)
    return _refusal(code, now, header.request_id, reference)


def refuse_unreadable(code: ResponseCode, tree: etree._ElementTree | None, now: datetime) -> bytes:
    """The refusal of a request whose header could not be read: echo what can be."""
    request_id, reference = None, None
    if tree is not None:
        request_id = _request_id(tree)
        srv = _text(tree, "ServiceReference"), _text(tree, "ServiceReferenceVariant")
        if srv[0] is not None and srv[1] is not None:
            reference = _read_pair(srv[0], srv[1])
    return _refusal(code, now, request_id, reference)


def code_of(error: DuisError) -> ResponseCode:
    return ResponseCode(error.response_code)


def _refusal(
    code: ResponseCode,
    now: datetime,
    request_id: RequestID | None,
    reference: tuple[str, str] | None,
) -> bytes:
    srv = reference or (UNREADABLE_SERVICE_REFERENCE, UNREADABLE_SERVICE_REFERENCE)
    response = Response(
        ResponseHeader(code, now, request_id=request_id), ResponseMessage(srv[0], srv[1])
    )
    return to_bytes(build_response(response))


def _text(tree: etree._ElementTree, name: str) -> str | None:
    found = tree.xpath(f"//*[local-name()='{name}']")
    first = found[0] if isinstance(found, list) and found else None
    if not isinstance(first, etree._Element) or first.text is None:
        return None
    return first.text.strip()


def _request_id(tree: etree._ElementTree) -> RequestID | None:
    raw = _text(tree, "RequestID")
    try:
        return None if raw is None else RequestID.parse(raw)
    except DuisError:
        return None


def _read_pair(reference: str, variant: str) -> tuple[str, str] | None:
    try:
        check_service_reference(reference, variant)
    except DuisError:
        return None
    return reference, variant
