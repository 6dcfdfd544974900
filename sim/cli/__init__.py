"""The ``solrsim`` command line (:mod:`sim.cli.main`), one module per command group: each
parses, calls the layers below and prints; nothing imports it."""
