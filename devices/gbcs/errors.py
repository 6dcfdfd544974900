"""The typed errors of the GBCS layer: every malformed input ends in one of these."""


class GbcsError(Exception):
    """Base class for everything the GBCS layer refuses."""


class GbcsDecodeError(GbcsError):
    """Bytes that are not a well-formed GBCS message; says where and why."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} at offset {offset}")
        self.reason = reason
        self.offset = offset


class GbcsEncodeError(GbcsError):
    """Values that cannot be put on the wire (wrong size, out of range)."""


class GbcsKeyError(GbcsError):
    """A key that is missing or of the wrong kind for the operation asked."""
