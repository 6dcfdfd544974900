"""A DUIS document's bytes, signed or not, written the cheapest way that gives them exactly.

:meth:`~dcc.duis._layout.Document.markup` writes most documents straight to text; the rest are
built as lxml trees. Either way the bytes are the same, and a signature is real: ECDSA over the
document's inclusive C14N, as :func:`~dcc.duis.xmldsig.sign_document` makes it.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from ._layout import Document
from .elements import to_bytes
from .xmldsig import sign_document


def document_bytes(document: Document[Any, Any]) -> bytes:
    """The unsigned document, as :func:`~dcc.duis.elements.to_bytes` writes its element."""
    markup = document.markup()
    return to_bytes(document.build()) if markup is None else markup.written


def signed_bytes(
    document: Document[Any, Any],
    private_key: ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
) -> bytes:
    """The document signed in the DCC profile: ``sign_document(document.build(), ...)``."""
    markup = document.markup()
    return sign_document(document.build() if markup is None else markup, private_key, certificate)
