"""Typed DUIS errors; each carries the DUIS response code the DCC answers with."""

from __future__ import annotations


class DuisError(Exception):
    """A DUIS document the DCC refuses, with the reason and the response code to send."""

    response_code = "E1000"

    def __init__(self, reason: str, response_code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if response_code is not None:
            self.response_code = response_code


class DuisXmlError(DuisError):
    """Not acceptable XML: malformed, too large, or using a forbidden XML feature."""


class DuisSchemaError(DuisError):
    """Well-formed XML that does not match the DUIS schema."""


class DuisSignatureError(DuisError):
    """A missing, malformed or invalid XML signature, or a signer the DCC does not accept."""
