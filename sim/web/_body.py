"""Reading a request body within a size limit, as every POST path of the web service does: a
declared length over the limit is refused before reading, and reading stops at the limit."""

from __future__ import annotations

from starlette.requests import ClientDisconnect, Request

XML_TYPES = frozenset({"application/xml", "text/xml"})


class TooLarge(Exception):
    """The body went past the size limit (declared, or while it was read)."""


class Incomplete(Exception):
    """The connection closed before the whole body came."""

    def __init__(self, received: int) -> None:
        super().__init__(received)
        self.received = received


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge
            chunks.append(chunk)
    except ClientDisconnect:
        raise Incomplete(size) from None
    return b"".join(chunks)
