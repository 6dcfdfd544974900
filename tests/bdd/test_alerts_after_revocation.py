"""features/alerts_after_revocation.feature."""

from pytest_bdd import scenarios

from tests.bdd.gherkin import FEATURES

scenarios(str(FEATURES / "alerts_after_revocation.feature"))
