"""features/alerts_held_until_instruction.feature."""

from pytest_bdd import scenarios

from tests.bdd.gherkin import FEATURES

scenarios(str(FEATURES / "alerts_held_until_instruction.feature"))
