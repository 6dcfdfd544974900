"""The rehearsal around the DCC: the simulated world, its scenarios, its reports, Gherkin on the
world, DUIS over HTTP, the benchmarks and the ``solrsim`` command line, one sub-package each."""

__all__ = [
    "bench",  # throughput and memory of each layer
    "cli",  # the solrsim command line
    "gherkin",  # the step library on the simpy world, and the runner of feature files
    "report",  # the wire log, tallies and the reports written from them
    "scenario",  # a rehearsal as data, and its expectations
    "web",  # DUIS over HTTP: solrsim serve
    "world",  # the simpy world: population, WAN, hosts, SRP, Ofgem, runner
]
