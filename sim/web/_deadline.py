"""uvicorn's h11 protocol with one more timeout: a request must arrive whole in time.

uvicorn closes a kept-alive connection that stays idle between requests, but waits forever for a
connection that sends nothing, for headers that never end and for a body that stops halfway:
a few slow clients would hold sockets, buffers and handler tasks for good. Here the clock starts
when the connection opens (or when the next request's first byte arrives on a kept-alive one),
and the connection is closed if the request, headers and body, is not complete within
``request_timeout`` seconds. The handler then sees the client gone, as for any disconnect.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from sim.web.limits import REQUEST_TIMEOUT

_RECEIVED = (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR)


class DeadlineProtocol(H11Protocol):
    def __init__(self, *args: Any, request_timeout: float = REQUEST_TIMEOUT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._request_timeout = request_timeout
        self._deadline: asyncio.TimerHandle | None = None

    # as uvicorn's own H11Protocol: asyncio types the transport as a BaseTransport
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            self._arm()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state in _RECEIVED:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self._request_timeout, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.conn.their_state not in _RECEIVED and not self.transport.is_closing():
            self.transport.close()
