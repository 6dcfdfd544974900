"""Typed DUIS errors. What a peer sent and the DCC refuses is a :class:`DuisError`, carrying the
DUIS response code the DCC answers with; a document we cannot build or sign as asked is a
:class:`DuisBuildError`, our own misuse. The split is :mod:`dcc.errors`'."""

from __future__ import annotations

from dcc.errors import LocalProtocolError, RemoteProtocolError

from .codes import SCHEMA_INVALID, UNSUPPORTED, ResponseCode


class DuisError(RemoteProtocolError):
    """A DUIS document the DCC refuses, with the reason and the response code to send."""

    response_code: ResponseCode = ResponseCode.E1000

    def __init__(self, reason: str, response_code: ResponseCode | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if response_code is not None:
            self.response_code = ResponseCode(response_code)


class DuisXmlError(DuisError):
    """Not acceptable XML: malformed, too large, or using a forbidden XML feature."""


class DuisSchemaError(DuisError):
    """Well-formed XML that does not match the DUIS schema."""


class DuisSignatureError(DuisError):
    """A missing, malformed or invalid XML signature, or a signer the DCC does not accept."""


class DuisUnsupportedError(DuisError):
    """Valid DUIS that solrsim has no model for: answered, logged and kept, never a crash."""

    def __init__(self, reason: str, element: str, code: ResponseCode = UNSUPPORTED) -> None:
        super().__init__(reason, code)
        self.element = element


class DuisBuildError(LocalProtocolError):
    """A document that cannot be built or signed as asked: a key of the wrong curve or not the
    certificate's, a signer that returned no signature."""


def invalid(reason: str) -> DuisSchemaError:
    """A :class:`DuisSchemaError` with solrsim's code for schema-invalid documents."""
    return DuisSchemaError(reason, SCHEMA_INVALID)
