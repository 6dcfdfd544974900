"""DCC Boxed's SMKI interface, as its clients call it (spec boxed-smki.md): the Node-RED receive
node finds a device's certificates with it to check the GBCS signature of every response.

``POST /services/certificatesearch`` takes a ``CertificateSearchRequest`` naming a device by its
EUI-64 (``CertificateSubjectAltName``, upper or lower case, hyphenated or not) or an organisation
by its entity id (``CertificateSubjectName``) and answers one ``Result`` per certificate, any
status; ``POST /services/retrievecertificate`` takes a ``CertificateDataRequest`` with a serial
in hexadecimal and answers the certificate, base64 DER. Serials are written in upper-case hex,
statuses as the repository's letters at the simulated time (``R`` once revoked).

HTTP status as DCC Boxed's clients read it: 200 with ``application/xml``; 402 when nothing
matches or the serial is unknown; 401 for a request that is not one of the two documents (a
DOCTYPE, malformed XML, another element, an EUI-64 or serial that cannot be read); 413 past
``MAX_REQUEST_BYTES``; 415 for a body that is not XML. The ``apikey`` query parameter DCC
Boxed's clients send is accepted and ignored. A device of a lazy fleet that has not taken part
yet is enrolled when its certificates are first searched for.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from cryptography.hazmat.primitives import serialization
from lxml import etree
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dcc.duis.errors import DuisXmlError
from dcc.duis.xmlparse import parse_xml
from dcc.smki.names import eui64_text
from dcc.smki.repository import CertificateRecord, SmkiRepository
from sim.web._body import XML_TYPES, Incomplete, TooLarge, read_body

T = TypeVar("T")
# Runs a lookup (which answers a document, or None) with the world to itself.
Guard = Callable[[Callable[[], bytes | None]], bytes | None]

SEARCH_PATH = "/services/certificatesearch"
RETRIEVE_PATH = "/services/retrievecertificate"
# A search or retrieve request is one short element; anything much longer is not one.
MAX_REQUEST_BYTES = 4096
NOTHING_FOUND = 402
MALFORMED = 401
DEVICE_NAME = "CertificateSubjectAltName"
ORGANISATION_NAME = "CertificateSubjectName"
_EUI64 = re.compile(r"[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){7}|[0-9A-Fa-f]{16}")
_SERIAL = re.compile(r"[0-9A-Fa-f]{1,40}")
_SEARCH_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
_RETRIEVE_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class SmkiRequestError(Exception):
    """A request that is not a search or retrieve document DCC Boxed's SMKI reads (HTTP 401)."""


@dataclass(frozen=True)
class Search:
    """What a ``CertificateSearchRequest`` asks for: a device's or an organisation's
    certificates, by EUI-64."""

    eui64: bytes
    device: bool


def read_search(body: bytes) -> Search:
    """The search in ``body``, or SmkiRequestError saying why it is not one."""
    children = _children(_root(body, "CertificateSearchRequest"))
    if len(children) != 1 or children[0].tag not in (DEVICE_NAME, ORGANISATION_NAME):
        found = ", ".join(str(child.tag) for child in children) or "nothing"
        raise SmkiRequestError(
            f"a search names exactly one {DEVICE_NAME} or {ORGANISATION_NAME}, found: {found}"
        )
    text = (children[0].text or "").strip()
    if not _EUI64.fullmatch(text):
        raise SmkiRequestError(f"{children[0].tag} {text!r} is not an EUI-64")
    return Search(bytes.fromhex(text.replace("-", "")), children[0].tag == DEVICE_NAME)


def read_retrieve(body: bytes) -> int:
    """The serial a ``CertificateDataRequest`` in ``body`` asks for."""
    children = _children(_root(body, "CertificateDataRequest"))
    if len(children) != 1 or children[0].tag != "CertificateSerial":
        raise SmkiRequestError("a retrieve request holds exactly one CertificateSerial")
    text = (children[0].text or "").strip()
    if not _SERIAL.fullmatch(text):
        raise SmkiRequestError(f"CertificateSerial {text!r} is not a hexadecimal serial")
    return int(text, 16)


def search_answer(records: list[CertificateRecord], at: datetime, audit: str) -> bytes:
    """The ``CertificateSearchResponse`` listing ``records`` with their status at ``at``."""
    root = _answer_root("CertificateSearchResponse", audit)
    for record in records:
        result = etree.SubElement(root, "Result")
        _add(result, "CertificateSerial", serial_text(record.serial))
        _add(result, *_subject(record))
        _add(result, "CertificateStatus", record.status_at(at).value)
        if record.role is not None:
            _add(result, "CertificateRole", str(int(record.role)))
        _add(result, "CertificateUsage", record.key_usage.code)
        _add(result, "ManufacturingFlag", "false")
    return _SEARCH_DECLARATION + etree.tostring(root, pretty_print=True)


def retrieve_answer(record: CertificateRecord, at: datetime, audit: str) -> bytes:
    """The ``CertificateDataResponse`` carrying ``record``'s certificate as base64 DER."""
    root = _answer_root("CertificateDataResponse", audit)
    found = etree.SubElement(root, "CertificateResponse")
    _add(found, *_subject(record))
    _add(found, "CertificateSerial", serial_text(record.serial))
    _add(found, "CertificateStatus", record.status_at(at).value)
    der = record.certificate.public_bytes(serialization.Encoding.DER)
    _add(found, "CertificateBody", base64.b64encode(der).decode())
    if record.role is not None:
        _add(found, "CertificateRole", str(int(record.role)))
    _add(found, "CertificateUsage", record.key_usage.code)
    _add(found, "ManufacturingFlag", "false")
    return _RETRIEVE_DECLARATION + etree.tostring(root, pretty_print=True)


def serial_text(serial: int) -> str:
    """A serial as DCC Boxed's SMKI writes it: upper-case hexadecimal."""
    return f"{serial:X}"


def boxed_smki_routes(
    repository: SmkiRepository, now: Callable[[], datetime], guard: Guard = lambda act: act()
) -> list[Route]:
    """The two calls over ``repository``; ``now`` gives the time statuses are read at and
    ``guard`` runs each lookup with the world to itself (a lookup may enrol a device)."""
    audit_numbers = itertools.count(1)

    def search(search: Search) -> bytes | None:
        if search.device:
            records = repository.devices(search.eui64)
        else:
            records = [r for r in repository.history(search.eui64) if r.role is not None]
        return search_answer(records, now(), _audit(audit_numbers)) if records else None

    def retrieve(serial: int) -> bytes | None:
        # Serials are unique in practice; should two issuers share one, the first recorded wins.
        records = repository.by_serial(serial)
        return retrieve_answer(records[0], now(), _audit(audit_numbers)) if records else None

    async def certificate_search(request: Request) -> Response:
        return await _answer(request, read_search, search, guard)

    async def retrieve_certificate(request: Request) -> Response:
        return await _answer(request, read_retrieve, retrieve, guard)

    return [
        Route(SEARCH_PATH, certificate_search, methods=["POST"]),
        Route(RETRIEVE_PATH, retrieve_certificate, methods=["POST"]),
    ]


async def _answer(
    request: Request,
    read: Callable[[bytes], T],
    look_up: Callable[[T], bytes | None],
    guard: Guard,
) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in XML_TYPES:
        return _text(f"content type {content_type!r} is not application/xml", 415)
    try:
        body = await read_body(request, MAX_REQUEST_BYTES)
    except TooLarge:
        return _text(f"request over {MAX_REQUEST_BYTES} bytes", 413)
    except Incomplete as cut:
        return _text(f"the body stopped after {cut.received} bytes", 400)
    try:
        asked = read(body)
    except SmkiRequestError as error:
        return _text(str(error), MALFORMED)
    answer = await asyncio.to_thread(guard, lambda: look_up(asked))
    if answer is None:
        return _text("no such certificate", NOTHING_FOUND)
    return Response(answer, media_type="application/xml; charset=utf-8")


def _root(body: bytes, name: str) -> etree._Element:
    try:
        root = parse_xml(body, max_bytes=MAX_REQUEST_BYTES).getroot()
    except DuisXmlError as error:
        raise SmkiRequestError(f"not a readable request: {error}") from None
    if root.tag != name:
        raise SmkiRequestError(f"expected a {name}, found {etree.QName(root).text}")
    return root


def _children(root: etree._Element) -> list[etree._Element]:
    """The element children; comments and processing instructions are not part of a request."""
    return [child for child in root if isinstance(child.tag, str)]


def _subject(record: CertificateRecord) -> tuple[str, str]:
    name = DEVICE_NAME if record.role is None else ORGANISATION_NAME
    return name, eui64_text(record.eui64)


def _answer_root(name: str, audit: str) -> etree._Element:
    root = etree.Element(name)
    _add(root, "ResponseCode", "200")
    _add(root, "ResponseMessage", "Success")
    _add(root, "AuditReference", audit)
    return root


def _add(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, name).text = text


def _audit(numbers: itertools.count[int]) -> str:
    return f"SMKI-{next(numbers):010d}"


def _text(reason: str, status: int) -> Response:
    return Response(reason, status_code=status, media_type="text/plain")
