"""``solrsim serve --state`` in a process of its own, killed with SIGKILL as a crash would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from dcc.duis.ids import format_eui64
from sim.web.server import LOOPBACK, free_port
from tests.web.support import SCENARIO, XML

ROOT = Path(__file__).resolve().parents[2]


class ServeProcess:
    """One run of ``solrsim serve SCENARIO --state folder``; ``url`` while it serves."""

    def __init__(
        self,
        state: Path,
        receivers: dict[bytes, str],
        *options: str,
        speed: float = 10.0,
        scenario: Path = SCENARIO,
    ) -> None:
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        routes = [f"{format_eui64(user)}={url}" for user, url in receivers.items()]
        self.command = [
            sys.executable,
            "-c",
            "from sim.cli.main import app; app()",
            "serve",
            str(scenario),
            "--port",
            str(self.port),
            "--smki-port",
            str(free_port()),
            "--speed",
            str(speed),
            "--state",
            str(state),
            *(argument for route in routes for argument in ("--receiver", route)),
            *options,
        ]
        self._output = state.parent / f"serve-{self.port}.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> ServeProcess:
        """Start, and return once the server answers."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with self._output.open("wb") as output:
            self._process = subprocess.Popen(
                self.command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"solrsim serve exited: {self.output}")
            try:
                httpx.get(f"{self.url}/smki/certificate?serial=1", timeout=1, trust_env=False)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"solrsim serve did not come up: {self.output}")

    @property
    def output(self) -> str:
        return self._output.read_text(errors="replace")

    def post(self, path: str, document: bytes) -> httpx.Response:
        return httpx.post(
            f"{self.url}{path}", content=document, headers=XML, timeout=10, trust_env=False
        )

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed or closed."""
        if self._process is not None:
            os.kill(self._process.pid, signal.SIGKILL)
            self._process.wait(10)
