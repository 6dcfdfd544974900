"""Typed SMKI errors: each carries the reason a person needs to act on it, and says whose fault
it is as :mod:`dcc.errors` does: a value our caller gave is a local error, a certificate, CRL or
certificate request a peer presented is a remote one."""

from __future__ import annotations

from dcc.errors import LocalProtocolError, RemoteProtocolError


class SmkiError(Exception):
    """Base class for everything the SMKI layer refuses."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SmkiInputError(SmkiError, LocalProtocolError):
    """A value SMKI cannot interpret: unknown role name, malformed EUI-64 or DN, naive time."""


class SmkiProfileError(SmkiError, RemoteProtocolError):
    """A certificate that is not in the SMKI Organisation or Device certificate profile."""


class SubscriptionRefused(SmkiError, RemoteProtocolError):
    """A certificate request the subscription rules refuse; nothing was issued or stored."""


class CrlError(SmkiError, RemoteProtocolError):
    """A CRL that is missing or cannot be trusted for the certificate asked about."""


class RepositoryError(SmkiError):
    """A repository operation that cannot be done: duplicate, unknown or corrupt records."""


class BoxedKeyError(SmkiError):
    """A DCC Boxed key-set file that cannot be used: unreadable, or key and certificate differ."""
