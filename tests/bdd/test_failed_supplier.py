"""features/failed_supplier.feature."""

from pytest_bdd import scenarios

from tests.bdd.gherkin import FEATURES

scenarios(str(FEATURES / "failed_supplier.feature"))
