"""Gherkin on the simpy world: the step library (``steps``), its world, fleet-scale rehearsals
written as features, the step catalogue, and the runner behind ``solrsim run X.feature``.

The public modules are listed in ``__all__``.
"""

__all__ = [
    "alterations",  # what a User may do to an issued pre-command before signing it
    "catalogue",  # the step catalogue, generated from the step library
    "library",  # the step library's modules and definitions, read as data
    "rehearsal",  # a fleet-scale rehearsal described, run and judged by steps
    "runner",  # feature files run without a test tree (solrsim run X.feature)
    "steps",  # the step definitions
    "words",  # the named cast and meters, the rehearsal week, the parse types
    "world",  # the testbed's cast on the simpy world
]
