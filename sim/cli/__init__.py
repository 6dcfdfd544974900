"""The ``solrsim`` command line (:mod:`sim.cli.main`), one module per command group: each
parses, calls the layers below and prints; nothing imports it.

:mod:`sim.cli.main` is the entry point (``solrsim``); the other public modules, listed in
``__all__``, are its command groups. A module whose name starts with an underscore serves them.
"""

__all__ = [
    "bench",  # solrsim bench
    "demo",  # solrsim demo
    "duis",  # solrsim duis
    "gbcs",  # solrsim gbcs
    "keys",  # solrsim keys
    "main",  # the solrsim app
    "meter",  # solrsim meter
    "run",  # solrsim run
    "serve",  # solrsim serve
    "smki",  # solrsim smki
]
