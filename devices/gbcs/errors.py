"""The typed errors of the GBCS layer and the meters built on it, split as h11 splits them.

A :class:`LocalProtocolError` is our own misuse: a caller asked to build a frame that cannot
exist, or gave a key of the wrong kind. A :class:`RemoteProtocolError` is about what a peer sent:
bytes that do not decode, a tag that does not verify. ``except GbcsError`` catches both.
"""


class GbcsError(Exception):
    """Base class for everything the GBCS layer, or a meter speaking it, refuses."""


class LocalProtocolError(GbcsError):
    """What we were asked to build or do cannot be done; a fault of the caller."""


class RemoteProtocolError(GbcsError):
    """What a peer sent cannot be accepted; a fault of the sender, to be answered or logged."""


class DecodeError(RemoteProtocolError):
    """Bytes that are not a well-formed frame; says where and why."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} at offset {offset}")
        self.reason = reason
        self.offset = offset


class GbcsDecodeError(DecodeError):
    """Bytes that are not a well-formed GBCS message."""


class GbcsEncodeError(LocalProtocolError):
    """Values that cannot be put on the wire (wrong size, out of range)."""


class GbcsKeyError(LocalProtocolError):
    """A key that is missing or of the wrong kind for the operation asked."""


class GbcsCryptoError(RemoteProtocolError):
    """A cryptographic check that failed where failure cannot be a plain verdict (decryption)."""
