"""features/eligible_service_requests.feature."""

from pytest_bdd import scenarios

from tests.bdd.gherkin import FEATURES

scenarios(str(FEATURES / "eligible_service_requests.feature"))
