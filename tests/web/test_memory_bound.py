"""Refused requests cannot exhaust the server's memory: 300 refused 1 MiB bodies, some refused by
the web layer and some by the DCC, grow a real ``solrsim serve`` by less than RSS_BOUND.

The bound (README, "DUIS over HTTP") leaves room for allocator noise; what the live wire log
keeps of each refusal is at most KEPT_BYTES and a digest, where it used to keep 300 MiB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dcc.duis.elements import to_bytes
from dcc.duis.request import build_request
from dcc.duis.xmlparse import MAX_DOCUMENT_BYTES
from sim.population import Population
from sim.scenario import load_scenario
from sim.web.server import LOOPBACK, free_port
from tests.web.support import SCENARIO, XML, transform_request

RSS_BOUND = 16 << 20
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    serve = ["serve", str(SCENARIO), "--port", str(port)]
    command = [sys.executable, "-c", "from sim.cli import app; app()", *serve]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    url = f"http://{LOOPBACK}:{port}"
    try:
        _wait_until_serving(url, process)
        yield process, url
    finally:
        process.terminate()
        process.wait(30)


def test_300_refused_one_mib_bodies_stay_within_the_memory_bound(served) -> None:
    process, url = served
    malformed = b"<r>" + b"a" * (MAX_DOCUMENT_BYTES - 8) + b"</r>"
    unsigned = _unsigned_request_of(MAX_DOCUMENT_BYTES)
    with httpx.Client(timeout=60) as client:

        def send(body: bytes, times: int) -> None:
            for _ in range(times):
                answer = client.post(f"{url}/api/v1/serviceT", content=body, headers=XML)
                assert answer.status_code == 200 and b"E1000" in answer.content

        send(malformed, 5)  # first use of each path: caches, arenas
        send(unsigned, 5)
        before = _rss(process.pid)
        send(malformed, 150)
        send(unsigned, 150)
        grown = _rss(process.pid) - before
    assert grown < RSS_BOUND, f"RSS grew by {grown / (1 << 20):.1f} MiB"


def _unsigned_request_of(size: int) -> bytes:
    """A readable transform with a comment filling it to ``size`` bytes: the web layer passes
    it on and the DCC refuses it (no signature)."""
    population = Population(load_scenario(SCENARIO))
    supplier = population.cast.suppliers[-1]
    device = population.device_id(0)
    document = to_bytes(build_request(transform_request(supplier, device, 1)))
    filler = b"<!--" + b"x" * (size - len(document) - 7) + b"-->"
    return document.replace(b"</sr:Request>", filler + b"</sr:Request>")


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"{url}/smki/certificate?serial=1", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("solrsim serve did not come up")
