"""Load on ``solrsim serve`` over loopback: synchronous acknowledgements per second, p50 / p99.

A healthy supplier sends signed SR 1.6 transforms (CV 4) for its own ESMEs to serviceT, from
``concurrency`` connections at once, until ``count`` are answered or ``seconds`` pass. Requests
are signed before the clock starts, so only the server is measured: the DCC's pipeline (XML
signature, SMKI, access control) and the signed PreCommand answer. Loopback only.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from dcc.duis.request import CommandVariant, Credit, UpdatePaymentMode
from sim.duis_client import service_request, signed
from sim.scenario import load_scenario
from sim.tally import percentiles
from sim.web.delivery import DeliveryService
from sim.web.live import LiveSimulation
from sim.web.server import DuisServer, free_port

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "solr-small.yaml"


@dataclass(frozen=True)
class LoadResult:
    answered: int
    seconds: float
    p50: float
    p99: float

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds


def measure(count: int = 300, concurrency: int = 8, seconds: float = 30.0) -> LoadResult:
    live = LiveSimulation(load_scenario(SCENARIO))
    server = DuisServer(live, DeliveryService({}), port=free_port())
    documents = _requests(live, count)
    server.start()
    try:
        return asyncio.run(_drive(f"{server.url}/api/v1/serviceT", documents, concurrency, seconds))
    finally:
        server.stop()


def run(count: int = 300, concurrency: int = 8, seconds: float = 30.0) -> None:
    result = measure(count, concurrency, seconds)
    print(
        f"{result.answered} transforms in {result.seconds:.2f} s over loopback, "
        f"{concurrency} connections: {result.per_second:.0f} requests/s; "
        f"acknowledgement p50 {result.p50 * 1000:.1f} ms, p99 {result.p99 * 1000:.1f} ms"
    )


def _requests(live: LiveSimulation, count: int) -> list[bytes]:
    population = live.population
    supplier = population.cast.suppliers[-1]  # healthy in every shipped scenario
    meters = [
        population.device_id(i)
        for i in range(population.size)
        if population.supplier_of(population.device_id(i)) == supplier.user_id
        and population.device_class(population.device_id(i)) == "esme"
    ]
    body = UpdatePaymentMode(Credit())
    return [
        signed(
            supplier,
            service_request(
                supplier.user_id, meters[n % len(meters)], body, CommandVariant.TRANSFORM, n + 1
            ),
        )
        for n in range(count)
    ]


async def _drive(url: str, documents: list[bytes], concurrency: int, seconds: float) -> LoadResult:
    latencies: list[float] = []
    pending = iter(documents)
    deadline = time.perf_counter() + seconds
    headers = {"Content-Type": "application/xml"}

    async def worker(client: httpx.AsyncClient) -> None:
        for document in pending:
            if time.perf_counter() > deadline:
                return
            sent = time.perf_counter()
            answer = await client.post(url, content=document, headers=headers)
            answer.raise_for_status()
            latencies.append(time.perf_counter() - sent)

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ranks = percentiles(latencies, (0.5, 0.99))
    return LoadResult(len(latencies), elapsed, ranks["p50"] or 0.0, ranks["p99"] or 0.0)
