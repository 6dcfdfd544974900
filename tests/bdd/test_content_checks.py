"""features/content_checks.feature."""

from pytest_bdd import scenarios

from tests.bdd.gherkin import FEATURES

scenarios(str(FEATURES / "content_checks.feature"))
