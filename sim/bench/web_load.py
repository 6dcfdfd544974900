"""Load on ``solrsim serve`` over loopback: valid requests per second, p50 / p99, DUIS codes.

A healthy supplier sends signed SR 1.6 transforms (CV 4) for its own ESMEs to serviceT, from
``concurrency`` connections at once, until ``count`` are answered or ``seconds`` pass. Each
connection has devices of its own and sends their requests in counter order, as a User must;
the connections run concurrently, so the DCC sees rising counters per device but not overall.
Every request is valid, so any answer but I0 is a wrongful refusal, counted apart.

The server is a real ``solrsim serve`` in its own process (so it has a core and an interpreter
to itself, as in use) on the same scenario and seed; requests are signed beforehand with the
supplier's key from that seed, so only the server is measured: the web layer, the DCC's
pipeline (XML signature, SMKI, access control) and the signed PreCommand answer.

With ``state`` the server keeps its world in a temporary folder (``solrsim serve --state``), so
each request is journalled; after the load it is killed with SIGKILL and started again on the
folder, and the time until it answers again, having replayed every request, is measured.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from dcc.duis.request import CommandVariant, Credit, UpdatePaymentMode
from sim.report.tally import percentiles
from sim.scenario.model import load_scenario
from sim.web.server import LOOPBACK, free_port
from sim.world.duis_client import service_request, signed
from sim.world.population import Population

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "solr-small.yaml"
ACCEPTED = "I0"
_CODE = re.compile(rb"ResponseCode>([A-Z0-9]+)<")


@dataclass(frozen=True)
class LoadResult:
    seconds: float
    p50: float
    p99: float
    codes: Counter[str]  # DUIS ResponseCode (or "HTTP <status>" without one) -> answers
    restart: float | None = None  # seconds to serve again after SIGKILL, with a state folder

    @property
    def answered(self) -> int:
        return sum(self.codes.values())

    @property
    def accepted(self) -> int:
        return self.codes[ACCEPTED]

    @property
    def wrongly_refused(self) -> int:
        return self.answered - self.accepted

    @property
    def per_second(self) -> float:
        """Valid requests accepted per second."""
        return self.accepted / self.seconds


def measure(
    count: int = 300, concurrency: int = 8, seconds: float = 30.0, state: bool = False
) -> LoadResult:
    documents = _requests(Population(load_scenario(SCENARIO)), count)
    if not state:
        with serving(SCENARIO) as served:
            return asyncio.run(
                _drive(f"{served.url}/api/v1/serviceT", documents, concurrency, seconds)
            )
    with tempfile.TemporaryDirectory(prefix="solrsim-state-") as folder:
        options = ("--state", folder)
        with serving(SCENARIO, *options) as served:
            url = f"{served.url}/api/v1/serviceT"
            result = asyncio.run(_drive(url, documents, concurrency, seconds))
            os.kill(served.pid, signal.SIGKILL)
        started = time.perf_counter()
        with serving(SCENARIO, *options):
            restart = time.perf_counter() - started
    return replace(result, restart=restart)


def run(
    count: int = 300, concurrency: int = 8, seconds: float = 30.0, state: bool = False
) -> LoadResult:
    result = measure(count, concurrency, seconds, state)
    codes = ", ".join(f"{code} {n}" for code, n in sorted(result.codes.items()))
    kept = " journalled (--state)" if state else ""
    print(
        f"{result.answered} transforms{kept} in {result.seconds:.2f} s over loopback, "
        f"{concurrency} connections: {result.per_second:.0f} valid requests/s accepted; "
        f"acknowledgement p50 {result.p50 * 1000:.1f} ms, p99 {result.p99 * 1000:.1f} ms"
    )
    print(f"answers by DUIS response code: {codes}; wrongly refused: {result.wrongly_refused}")
    if result.restart is not None:
        print(
            f"after SIGKILL, serving again in {result.restart:.2f} s, "
            f"{result.answered} requests replayed"
        )
    return result


@dataclass(frozen=True)
class Served:
    url: str
    pid: int


@contextmanager
def serving(scenario: Path, *options: str) -> Iterator[Served]:
    """``solrsim serve scenario`` in a process of its own, on a free loopback port."""
    port = free_port()
    serve = ["serve", str(scenario), "--port", str(port), "--smki-port", str(free_port())]
    serve += options
    command = [sys.executable, "-c", "from sim.cli.main import app; app()", *serve]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    url = f"http://{LOOPBACK}:{port}"
    try:
        _wait_until_serving(url, process)
        yield Served(url, process.pid)
    finally:
        process.terminate()
        process.wait(30)


def _wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"{url}/smki/certificate?serial=1", timeout=1, trust_env=False)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"solrsim serve did not come up on {url}")


def _requests(population: Population, count: int) -> list[tuple[bytes, bytes]]:
    """``count`` signed transforms, (device, document), counters rising per device."""
    supplier = population.cast.suppliers[-1]  # healthy in every shipped scenario
    meters = [
        population.device_id(i)
        for i in range(population.size)
        if population.supplier_of(population.device_id(i)) == supplier.user_id
        and population.device_class(population.device_id(i)) == "esme"
    ]
    body = UpdatePaymentMode(Credit())
    variant = CommandVariant.TRANSFORM
    targets = [meters[n % len(meters)] for n in range(count)]
    return [
        (device, signed(supplier, service_request(supplier.user_id, device, body, variant, n + 1)))
        for n, device in enumerate(targets)
    ]


async def _drive(
    url: str, documents: list[tuple[bytes, bytes]], concurrency: int, seconds: float
) -> LoadResult:
    latencies: list[float] = []
    codes: Counter[str] = Counter()
    devices = sorted({device for device, _ in documents})
    owner = {device: n % concurrency for n, device in enumerate(devices)}
    shares = [[d for device, d in documents if owner[device] == w] for w in range(concurrency)]
    deadline = time.perf_counter() + seconds
    target = urlsplit(url)

    async def worker(share: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection(target.hostname, target.port)
        try:
            for document in share:
                if time.perf_counter() > deadline:
                    return
                sent = time.perf_counter()
                status, answer = await _post(reader, writer, target.path, document)
                latencies.append(time.perf_counter() - sent)
                found = _CODE.search(answer)
                codes[found.group(1).decode() if found else f"HTTP {status}"] += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(share) for share in shares))
    elapsed = time.perf_counter() - started
    ranks = percentiles(latencies, (0.5, 0.99))
    return LoadResult(elapsed, ranks["p50"] or 0.0, ranks["p99"] or 0.0, codes)


async def _post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, document: bytes
) -> tuple[int, bytes]:
    """One POST on a kept-alive HTTP/1.1 connection: a lean client, so the load generator
    leaves the cores to the server (httpx costs about as much CPU per request as the DCC)."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {LOOPBACK}\r\nContent-Type: application/xml\r\n"
        f"Content-Length: {len(document)}\r\n\r\n"
    )
    writer.write(head.encode() + document)
    status_line, *header_lines = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in header_lines
        if line.lower().startswith(b"content-length:")
    )
    return int(status_line.split()[1]), await reader.readexactly(length)
