"""features/rehearsals/: the default and faults rehearsals written as features."""

from pytest_bdd import scenarios

from tests.bdd.gherkin import FEATURES

scenarios(str(FEATURES / "rehearsals"))
