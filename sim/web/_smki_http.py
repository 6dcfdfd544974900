"""A small SMKI lookup over HTTP, as DCC Boxed's SMKI service allows: certificates as PEM.

``GET /smki/certificates?eui=90-B3-..&role=supplier[&usage=ds]`` lists every certificate of the
EUI-64 (dashes optional) in the role, any status, as concatenated PEM;
``GET /smki/certificate?issuer=..&serial=..`` returns the one a DUIS signature's KeyInfo names
(issuer in RFC 2253 text, serial in decimal or 0x-hex). 400 for an unreadable query, 404 when
nothing matches.
"""

from __future__ import annotations

from collections.abc import Mapping

from cryptography.hazmat.primitives import serialization
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from dcc.smki.errors import SmkiError
from dcc.smki.repository import CertificateRecord, SmkiRepository
from dcc.smki.roles import RemotePartyRole, parse_key_usage

PEM_TYPE = "application/x-pem-file"


class QueryError(Exception):
    """A lookup's query that cannot be read, with the reason."""


def smki_routes(repository: SmkiRepository) -> list[Route]:
    async def certificates(request: Request) -> Response:
        try:
            records = _by_role(repository, request.query_params)
        except QueryError as error:
            return PlainTextResponse(str(error), status_code=400)
        return _pem(records)

    async def certificate(request: Request) -> Response:
        try:
            record = _by_issuer_serial(repository, request.query_params)
        except QueryError as error:
            return PlainTextResponse(str(error), status_code=400)
        return _pem([] if record is None else [record])

    return [
        Route("/smki/certificates", certificates, methods=["GET"]),
        Route("/smki/certificate", certificate, methods=["GET"]),
    ]


def _by_role(repository: SmkiRepository, query: Mapping[str, str]) -> list[CertificateRecord]:
    try:
        eui = bytes.fromhex(query["eui"].replace("-", ""))
        role = RemotePartyRole.parse(query["role"])
        usage = parse_key_usage(query["usage"]) if "usage" in query else None
    except KeyError as missing:
        raise QueryError(f"missing query parameter {missing}") from None
    except (SmkiError, ValueError) as error:
        raise QueryError(str(error)) from None
    if len(eui) != 8:
        raise QueryError("eui must be an EUI-64: 16 hex digits, dashes allowed")
    return repository.find(eui, role, usage)


def _by_issuer_serial(
    repository: SmkiRepository, query: Mapping[str, str]
) -> CertificateRecord | None:
    try:
        return repository.by_issuer_serial(query["issuer"], int(query["serial"], 0))
    except KeyError as missing:
        raise QueryError(f"missing query parameter {missing}") from None
    except (SmkiError, ValueError) as error:
        raise QueryError(str(error)) from None


def _pem(records: list[CertificateRecord]) -> Response:
    if not records:
        return PlainTextResponse("no such certificate", status_code=404)
    pem = b"".join(r.certificate.public_bytes(serialization.Encoding.PEM) for r in records)
    return Response(pem, media_type=PEM_TYPE)
