"""Gherkin on the simpy world: the step library (``steps``), its world, fleet-scale rehearsals
written as features, the step catalogue, and the runner behind ``solrsim run X.feature``."""
