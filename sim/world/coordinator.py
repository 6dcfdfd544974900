"""Moves the workers of a rehearsal through time windows and merges what they did.

Each window runs from one bound to the next (:mod:`sim.world.canonical_clock`). It is never
longer than the SRP's retry back-off, the shortest time in which a request can lead to another,
so every request due in a window was announced before it opened; it ends at every moment the
world's actors act (Ofgem's steps, the SRP's ADT), just before and just after them, so what they
say about the whole fleet (the alerts held, the ADT in force) is known to every worker. A window
is *free* when none of its requests can be quarantined: none is a scripted fault, and there are
no more of them than the SRP's ADT still allows, so every one is actioned whatever their order,
and all workers run it at once. Otherwise its requests run in their canonical order, one worker
after another, each handed the shared state the one before left. The workers' log lines are
merged in the canonical order and hashed: the digest, like the verdicts and figures, does not
depend on the number of workers. docs/scaling.md has the argument.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Protocol, cast

from dcc.anomaly import CounterState
from sim.report.event_files import ByteSink
from sim.report.events import Event
from sim.report.tally import Tally
from sim.report.wire_log import Record
from sim.scenario.model import Scenario
from sim.world.canonical_clock import Key, after_actors, before, device_event, through_device
from sim.world.shard import Advanced, Figures, Opening, Sample, Shared

Progress = Callable[[float, int], None]  # (seconds into the run, meters switched)
# At most this many requests in one window: its log lines are held until it closes.
WINDOW_REQUESTS = 2000


class ShardingError(Exception):
    """The workers disagree on what must be the same everywhere: a defect, never a verdict."""


class Workers(Protocol):
    """The workers of a run, whatever runs them (:mod:`sim.world.workers`)."""

    count: int

    def all(self, method: str, *args: object) -> list[object]:
        """Call ``method(*args)`` on every worker at once; the answers in worker order."""

    def one(self, number: int, method: str, *args: object) -> object:
        """Call ``method(*args)`` on one worker and wait for its answer."""


def actor_times(scenario: Scenario) -> list[float]:
    """When the world's actors act, computed as simpy will: Ofgem's steps (each ``max(0, at -
    now)`` after the one before) and the SRP's start after the instruction."""
    hours = scenario.failure_hours
    failure = hours * 3600
    revocation = failure + scenario.ofgem.revocation_delay_minutes * 60
    instruction = failure + scenario.ofgem.instruction_delay_minutes * 60
    now, times = 0.0, {}
    for name, at in sorted(
        (("failure", failure), ("revocation", revocation), ("instruction", instruction)),
        key=lambda pair: pair[1],
    ):
        now = now + max(0.0, at - now)
        times[name] = now
    srp_start = times["instruction"] + scenario.srp.start_delay_minutes * 60
    return sorted({*times.values(), srp_start})


@dataclass
class Merged:
    """What the coordinator keeps of the run: the digest, the events if kept, the series."""

    digest: str = ""
    events: list[Event] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    figures: list[Figures] = field(default_factory=list)
    windows: int = 0
    ordered_windows: int = 0


class Coordinator:
    def __init__(
        self,
        scenario: Scenario,
        workers: Workers,
        *,
        sink: ByteSink | None = None,
        keep_events: bool = False,
        on_progress: Progress | None = None,
    ) -> None:
        self.scenario = scenario
        self.workers = workers
        self._sink = sink
        self._keep = keep_events
        self._on_progress = on_progress
        self._hasher = hashlib.sha256()
        self.merged = Merged()

    def run(self) -> Merged:
        scenario = self.scenario
        end = scenario.duration_hours * 3600
        lookahead = scenario.srp.backoff_seconds
        marks = sorted(
            {bound for at in actor_times(scenario) if at < end for bound in _marks(at)}
            | {before(end)}
        )
        shared, held = Shared(), dict[bytes, int]()
        start = before(0.0)
        while start < before(end):
            horizon = min(
                next(mark for mark in marks if mark > start), before(start[0] + lookahead)
            )
            start, shared, held = self._window(start, horizon, shared, held)
        self._finish()
        self.merged.digest = self._hasher.hexdigest()
        return self.merged

    # --- one window -----------------------------------------------------------------------------

    def _window(
        self, start: Key, horizon: Key, shared: Shared, held: dict[bytes, int]
    ) -> tuple[Key, Shared, dict[bytes, int]]:
        """Run one window from ``start`` to ``horizon`` or, when it holds too many requests, to
        an earlier bound; returns where it ended, the shared state and the alerts held then."""
        workers = self.workers
        openings = cast(list[Opening], workers.all("open", start, horizon, shared))
        sends = sorted(
            (at, device, contended, number)
            for number, opening in enumerate(openings)
            for at, device, contended in opening.sends
        )
        bound = horizon
        if len(sends) > WINDOW_REQUESTS:
            at, device = sends[WINDOW_REQUESTS - 1][:2]
            bound = through_device(at, device)
            sends = [send for send in sends if device_event(*send[:2]) < bound]
        remaining = openings[0].remaining
        free = not any(send[2] for send in sends) and len(sends) <= remaining
        self.merged.windows += 1
        runs: list[list[Advanced]] = [[] for _ in range(workers.count)]
        if not free:
            self.merged.ordered_windows += 1
            for number, last in _turns(sends):
                bound_here = through_device(*last)
                advanced = cast(Advanced, workers.one(number, "advance", bound_here, shared, held))
                runs[number].append(advanced)
                shared = advanced.shared
        finals = cast(list[Advanced], workers.all("advance", bound, shared, held))
        for number, advanced in enumerate(finals):
            runs[number].append(advanced)
        afters = [advanced.shared for advanced in finals]
        shared = _merge_shared(shared, afters, len(sends) if free else 0)
        held = dict(sum((Counter(run[-1].held) for run in runs), Counter()))
        self._emit([[record for advanced in run for record in advanced.records] for run in runs])
        self._progress([[s for advanced in run for s in advanced.samples] for run in runs])
        return bound, shared, held

    def _finish(self) -> None:
        finished = cast(
            list[tuple[Figures, list[Record], list[Sample]]], self.workers.all("finish")
        )
        figures = [item[0] for item in finished]
        self._emit([item[1] for item in finished])
        self._progress([item[2] for item in finished])
        self.merged.figures = figures

    # --- merging --------------------------------------------------------------------------------

    def _emit(self, per_worker: list[list[Record]]) -> None:
        """Hash and write the workers' lines in the canonical order: each worker's are in that
        order already, so lines from one worker alone need no merge."""
        filled = [records for records in per_worker if records]
        records = filled[0] if len(filled) == 1 else list(heapq.merge(*filled, key=itemgetter(0)))
        if self._keep:
            self.merged.events.extend(event for _, _, event in records if event is not None)
        data = b"".join([line for _, line, _ in records])
        self._hasher.update(data)
        if self._sink is not None:
            self._sink.write(data)

    def _progress(self, per_worker: list[list[Sample]]) -> None:
        counts = {len(samples) for samples in per_worker}
        if len(counts) != 1:
            raise ShardingError(f"the workers passed different numbers of ticks: {counts}")
        for ticks in zip(*per_worker, strict=True):
            at = ticks[0][0]
            if any(tick[0] != at for tick in ticks):
                raise ShardingError(f"the workers' ticks disagree at {at}")
            values = tuple(map(sum, zip(*(tick[1] for tick in ticks), strict=True)))
            self.merged.samples.append((at, values))
            if self._on_progress is not None:
                self._on_progress(at, int(sum(values[:3])))


def _marks(at: float) -> tuple[Key, Key]:
    return before(at), after_actors(at)


def _turns(sends: list[tuple[float, bytes, bool, int]]) -> list[tuple[int, tuple[float, bytes]]]:
    """The requests in canonical order as turns: each worker's consecutive run of them, by the
    last request of the run."""
    turns: list[tuple[int, tuple[float, bytes]]] = []
    for at, device, _, number in sends:
        if turns and turns[-1][0] == number:
            turns[-1] = (number, (at, device))
        else:
            turns.append((number, (at, device)))
    return turns


def _merge_shared(base: Shared, afters: list[Shared], announced: int) -> Shared:
    """The shared state after a window every worker ran at once from ``base``: only the ADT
    counters may have moved, each worker's by the requests it actioned, ``announced`` at most
    in all."""
    for after in afters:
        if after.last_event_ref != base.last_event_ref or after.stopped != base.stopped:
            raise ShardingError("a request was quarantined in a window run on all workers at once")
    counters = {(c.user_id, c.srv, c.supplier): c for c in base.counters}
    moved: dict[tuple[bytes, str, bytes | None], list[CounterState]] = {}
    for after in afters:
        for counter in after.counters:
            key = (counter.user_id, counter.srv, counter.supplier)
            was = counters.get(key)
            if was is None or was != counter:
                moved.setdefault(key, []).append(counter)
    actioned = 0
    for key, changed in moved.items():
        was = counters.get(key)
        latest = max(c.window_start for c in changed)
        base_count = was.count if was is not None and was.window_start == latest else 0
        more = sum(c.count - base_count for c in changed if c.window_start == latest)
        actioned += more
        counters[key] = CounterState(key[0], key[1], key[2], latest, base_count + more)
    if actioned > announced:
        raise ShardingError(f"{actioned} requests actioned in a window that announced {announced}")
    return Shared(tuple(counters.values()), base.last_event_ref, base.stopped)


def merge_tallies(tallies: list[Tally]) -> Tally:
    """The workers' tallies as one; the switches (and their latencies) in canonical order."""
    merged = Tally()
    switches: list[tuple[float, bytes, float]] = []
    for tally in tallies:
        merged.requests += tally.requests
        for stage, codes in tally.rejections.items():
            merged.rejections[stage].update(codes)
        merged.quarantined.update(tally.quarantined)
        merged.no_response += tally.no_response
        merged.retries += tally.retries
        merged.alerts_raised += tally.alerts_raised
        merged.alerts_to_srp += tally.alerts_to_srp
        merged.alerts_to_supplier += tally.alerts_to_supplier
        merged.alerts_refused += tally.alerts_refused
        merged.alerts_safety_critical += tally.alerts_safety_critical
        merged.prepayment_actioned += tally.prepayment_actioned
        merged.switched.update(tally.switched)
        switches.extend(
            (at, device, latency)
            for (device, at), latency in zip(
                tally.switched_at.items(), tally.latencies, strict=True
            )
        )
    for at, device, latency in sorted(switches):
        merged.switched_at[device] = at
        merged.latencies.append(latency)
    return merged
