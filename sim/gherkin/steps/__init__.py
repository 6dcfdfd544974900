"""The step definitions, by theme; pytest-bdd registers each, and both runners call them.

The public modules are listed in ``__all__``.
"""

__all__ = [
    "alerts",  # device alerts raised, forged, delivered and recorded
    "outcomes",  # Then steps: what the DCC decided and did
    "rehearsal",  # fleet-scale steps: a rehearsal described, run and judged
    "requests",  # DUIS requests a User sends
    "setting",  # the clock, a failure, Ofgem, SMKI, Users, ADTs, dcc.toml and the WAN
]
