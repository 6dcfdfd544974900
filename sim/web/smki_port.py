"""SMKI over HTTP around a live simulation: the routes served on the DUIS port, and DCC Boxed's
SMKI service on a port of its own (``solrsim serve --smki-port``, 8083 by default, where DCC
Boxed's clients look for it)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route

from sim.web._smki_http import smki_routes
from sim.web.boxed_smki import boxed_smki_routes
from sim.web.live import LiveSimulation


def live_smki_routes(live: LiveSimulation) -> list[Route]:
    """DCC Boxed's two SMKI calls, statuses at the simulated time and each lookup under the
    world's lock, then the GET lookups."""
    smki = live.population.cast.smki
    return [*boxed_smki_routes(smki, lambda: live.now, live.locked), *smki_routes(smki)]


class SmkiServer:
    """The SMKI routes alone, served by uvicorn from a background thread."""

    def __init__(self, live: LiveSimulation, host: str, port: int) -> None:
        self.host, self.port = host, port
        app = Starlette(routes=live_smki_routes(live))
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        """Returns once the port accepts connections; OSError when it cannot be served (the
        port is bound here, so a port in use is refused before uvicorn runs)."""
        family = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)[0][0]
        self._socket = socket.create_server((self.host, self.port), family=family)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="solrsim-smki"
        )
        self._thread.daemon = True
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise OSError(f"the SMKI service did not start on {self.url}")
            time.sleep(0.01)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
