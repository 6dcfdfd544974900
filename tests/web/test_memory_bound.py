"""Refused requests cannot exhaust the server's memory: 300 refused 1 MiB bodies, some refused by
the web layer and some by the DCC, grow a real ``solrsim serve`` by less than RSS_BOUND.

The bound (README, "DUIS over HTTP") leaves room for allocator noise: what the live wire log
keeps of each refusal is at most KEPT_BYTES and a digest; kept whole, the bodies would be 300 MiB.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from dcc.duis.elements import to_bytes
from dcc.duis.request import build_request
from dcc.duis.xmlparse import MAX_DOCUMENT_BYTES
from sim.bench.web_load import Served, serving
from sim.scenario.model import load_scenario
from sim.world.population import Population
from tests.web.support import SCENARIO, XML, transform_request

RSS_BOUND = 16 << 20


def test_300_refused_one_mib_bodies_stay_within_the_memory_bound() -> None:
    with serving(SCENARIO) as served:
        grown = _growth_after_refusals(served)
    assert grown < RSS_BOUND, f"RSS grew by {grown / (1 << 20):.1f} MiB"


def _growth_after_refusals(served: Served) -> int:
    url = served.url
    malformed = b"<r>" + b"a" * (MAX_DOCUMENT_BYTES - 8) + b"</r>"
    unsigned = _unsigned_request_of(MAX_DOCUMENT_BYTES)
    with httpx.Client(timeout=60) as client:

        def send(body: bytes, times: int) -> None:
            for _ in range(times):
                answer = client.post(f"{url}/api/v1/serviceT", content=body, headers=XML)
                assert answer.status_code == 200 and b"E1000" in answer.content

        send(malformed, 5)  # first use of each path: caches, arenas
        send(unsigned, 5)
        before = _rss(served.pid)
        send(malformed, 150)
        send(unsigned, 150)
        return _rss(served.pid) - before


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
