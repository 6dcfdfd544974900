"""uvicorn and the live simulation together: the server on its asyncio loop, simpy on its thread.

:class:`DuisServer` is what ``solrsim serve`` runs in the foreground and what tests run in a
background thread (:meth:`start` / :meth:`stop`), on a loopback port.
Each request must arrive whole within ``request_timeout`` seconds (:mod:`sim.web._deadline`).
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from sim.web._deadline import DeadlineProtocol
from sim.web.app import create_app
from sim.web.delivery import DeliveryService
from sim.web.limits import REQUEST_TIMEOUT
from sim.web.live import LiveSimulation

LOOPBACK = "127.0.0.1"


class ServerError(Exception):
    """The server did not come up, with the reason."""


@dataclass
class DuisServer:
    live: LiveSimulation
    delivery: DeliveryService
    host: str = LOOPBACK
    port: int = 8079
    request_timeout: float = REQUEST_TIMEOUT

    def __post_init__(self) -> None:
        app = create_app(self.live, self.delivery)
        config = uvicorn.Config(
            app,
            host=self.host,
            port=self.port,
            # uvicorn calls ``http`` as a factory, though its hint admits only a class
            http=functools.partial(DeadlineProtocol, request_timeout=self.request_timeout),  # type: ignore[arg-type]
            log_level="warning",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def run(self) -> None:
        """Serve in the foreground until interrupted; the simulation's clock runs meanwhile."""
        self._server.run()

    def start(self, timeout: float = 10.0) -> None:
        """Serve from a background thread; returns once the port accepts connections."""
        self._thread = threading.Thread(target=self.run, name="solrsim-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise ServerError(f"the server did not start on {self.url}")
            time.sleep(0.01)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)


def free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on right now, for tests and benchmarks."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
