"""features/officers_and_adt.feature."""

from pytest_bdd import scenarios

from tests.bdd.gherkin import FEATURES

scenarios(str(FEATURES / "officers_and_adt.feature"))
