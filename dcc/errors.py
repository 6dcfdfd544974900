"""The two kinds of protocol error on the DCC's side, split as h11 splits them and as
:mod:`devices.gbcs.errors` does for the meters.

A :class:`LocalProtocolError` is our own misuse: a caller asked to build or sign a message that
cannot exist, gave a key of the wrong kind or a value SMKI cannot read. A
:class:`RemoteProtocolError` is about what a peer sent: a document the DCC refuses
(:class:`dcc.duis.errors.DuisError`, which carries the DUIS response code it is answered with),
a certificate, CRL or certificate request SMKI refuses, an ADT submission anomaly detection
refuses, or a frame the S1SP drops.
``except DccProtocolError`` catches both.
"""

from __future__ import annotations

__all__ = ["DccProtocolError", "LocalProtocolError", "RemoteProtocolError"]


class DccProtocolError(Exception):
    """Base class for everything the DCC's protocol code refuses."""


class LocalProtocolError(DccProtocolError):
    """What we were asked to build or do cannot be done; a fault of the caller."""


class RemoteProtocolError(DccProtocolError):
    """What a peer sent cannot be accepted; a fault of the sender, to be answered or logged."""
