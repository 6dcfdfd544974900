"""A signed DUIS request as a sender in the DCC's own process hands it over: its bytes, and the
Request it wrote them from.

The bytes are the request. The DCC parses, validates and verifies them as it does any other;
only then, instead of reading the verified tree back into a Request, it may take the sender's,
and only when the canonical form that Request writes is, byte for byte, the one whose digest
the signature covers (:func:`verified_request`). A Request is one-to-one with its canonical
form (each value is written in exactly one way and reads back equal), so the Request taken is
the one reading the tree gives; any other object, tampered with or just different, is not
taken and the tree is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from .request import Request
from .xmldsig import VerifiedSignature


@dataclass(frozen=True, slots=True)
class SignedDocument:
    """``data``, a signed ``sr:Request``, and ``request``, what its sender says it wrote them
    from (None: unknown, the DCC reads the bytes)."""

    data: bytes
    request: Request | None = None


def verified_request(offered: Request, verified: VerifiedSignature) -> Request | None:
    """``offered`` with the verified document's Signature, as reading the document gives it,
    if the document is ``offered`` written and signed: its canonical form is what the digest
    covers. None otherwise."""
    markup = offered.markup()
    if markup is None or markup.canonical != verified.canonical:
        return None
    return Request(offered.header, offered.body, offered.schema_version, verified.signature)
