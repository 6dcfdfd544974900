"""Where the workers of a rehearsal run: in this process, in local processes, or on Ray.

Each worker is a :class:`~sim.world.shard.Shard` kept alive for the whole run; the coordinator
calls its methods with plain values. ``workers=1`` runs it in this process (what a plain
``solrsim run`` does). More workers run as Ray actors when the optional extra
``solrsim[cluster]`` is installed, on a local Ray runtime or on the cluster ``ray_address``
names; without Ray, as local processes (``multiprocessing``, spawned, one pipe each).
"""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from sim.scenario.model import Scenario
from sim.world._collector import settle
from sim.world.shard import Shard


class WorkersError(Exception):
    """Workers that cannot be had as asked, with what to do about it."""


def ray_installed() -> bool:
    return importlib.util.find_spec("ray") is not None


class OwnProcessShard(Shard):
    """A worker in a process of its own, which lives for this one run: once its world is built,
    the garbage collector is settled for the rest of the process (:mod:`sim.world._collector`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settle()


class InProcess:
    """One worker, in this process: nothing is copied."""

    count = 1

    def __init__(self, shard: Shard) -> None:
        self.shard = shard

    def all(self, method: str, *args: object) -> list[object]:
        return [getattr(self.shard, method)(*args)]

    def one(self, number: int, method: str, *args: object) -> object:
        return getattr(self.shard, method)(*args)

    def close(self) -> None:
        pass


def _serve(connection: Connection, scenario: Scenario, number: int, count: int, keep: bool) -> None:
    """A local worker process: build the shard, then answer calls until told to stop."""
    shard = OwnProcessShard(scenario, number, count, keep_events=keep)
    connection.send(("ready", None))
    while True:
        call = connection.recv()
        if call is None:
            return
        method, args = call
        try:
            connection.send(("ok", getattr(shard, method)(*args)))
        except Exception as exc:  # handed to the coordinator, which raises it
            connection.send(("error", exc))


class LocalProcesses:
    """``count`` workers in local processes, started with ``spawn`` (no state inherited)."""

    def __init__(self, scenario: Scenario, count: int, *, keep_events: bool = False) -> None:
        self.count = count
        context = multiprocessing.get_context("spawn")
        self._connections: list[Connection] = []
        self._processes = []
        for number in range(count):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_serve,
                args=(theirs, scenario, number, count, keep_events),
                name=f"solrsim-worker-{number}",
                daemon=True,
            )
            process.start()
            theirs.close()
            self._connections.append(ours)
            self._processes.append(process)
        for number in range(count):
            self._answer(number)

    def all(self, method: str, *args: object) -> list[object]:
        for connection in self._connections:
            connection.send((method, args))
        return [self._answer(number) for number in range(self.count)]

    def one(self, number: int, method: str, *args: object) -> object:
        self._connections[number].send((method, args))
        return self._answer(number)

    def _answer(self, number: int) -> Any:
        try:
            status, value = self._connections[number].recv()
        except EOFError:
            raise WorkersError(f"worker {number} stopped unexpectedly") from None
        if status == "error":
            raise value
        return value

    def close(self) -> None:
        for connection in self._connections:
            with contextlib.suppress(BrokenPipeError, OSError):
                connection.send(None)
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()
        for connection in self._connections:
            connection.close()


class RayWorkers:
    """``count`` workers as Ray actors: on a local Ray runtime started for the run, or on the
    cluster at ``address`` (what ``ray.init(address=...)`` accepts, e.g. ``ray://head:10001``
    or ``auto``)."""

    def __init__(
        self,
        scenario: Scenario,
        count: int,
        *,
        address: str | None = None,
        keep_events: bool = False,
    ) -> None:
        if not ray_installed():
            raise WorkersError(
                "Ray is not installed: pip install 'solrsim[cluster]' (or pip install ray)"
            )
        import ray as ray_module

        ray: Any = ray_module  # typed or not, whichever Ray is installed
        self.count = count
        self._started = not ray.is_initialized()
        if self._started:
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address is None:
                options["num_cpus"] = count
            ray.init(address=address, **options)
        self._ray = ray
        cpus = ray.cluster_resources().get("CPU", 0)
        if cpus < count:
            self.close_runtime()
            raise WorkersError(f"the Ray cluster has {cpus:g} CPUs: {count} workers need one each")
        actor = ray.remote(num_cpus=1)(OwnProcessShard)
        self._actors: list[Any] = [
            actor.remote(scenario, number, count, keep_events=keep_events)
            for number in range(count)
        ]

    def all(self, method: str, *args: object) -> list[object]:
        calls = [getattr(actor, method).remote(*args) for actor in self._actors]
        answers: list[object] = self._ray.get(calls)
        return answers

    def one(self, number: int, method: str, *args: object) -> object:
        return self._ray.get(getattr(self._actors[number], method).remote(*args))

    def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        self.close_runtime()

    def close_runtime(self) -> None:
        """Shut down the Ray runtime if this run started it; a cluster it joined runs on."""
        if self._started:
            self._ray.shutdown()


def start_workers(
    scenario: Scenario,
    count: int,
    *,
    ray_address: str | None = None,
    keep_events: bool = False,
) -> LocalProcesses | RayWorkers:
    """``count`` workers on Ray if it is installed (or ``ray_address`` is given), else in local
    processes."""
    if count < 1:
        raise WorkersError(f"--workers must be at least 1, not {count}")
    if scenario.physical_meters:
        raise WorkersError("a scenario with physical meters runs in one process: drop --workers")
    if ray_address is not None or ray_installed():
        return RayWorkers(scenario, count, address=ray_address, keep_events=keep_events)
    return LocalProcesses(scenario, count, keep_events=keep_events)
