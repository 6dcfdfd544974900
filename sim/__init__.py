"""The rehearsal around the DCC: the simulated world, its scenarios, its reports, DUIS over HTTP,
the benchmarks and the ``solrsim`` command line, one sub-package each."""

__all__ = [
    "bench",  # throughput and memory of each layer
    "cli",  # the solrsim command line
    "report",  # the wire log, tallies and the reports written from them
    "scenario",  # a rehearsal as data, and its expectations
    "web",  # DUIS over HTTP: solrsim serve
    "world",  # the simpy world: population, WAN, hosts, SRP, Ofgem, runner
]
