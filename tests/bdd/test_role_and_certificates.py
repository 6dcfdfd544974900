"""features/role_and_certificates.feature: the SolrContingency User Role and its certificates."""

from pytest_bdd import scenarios

from tests.bdd.gherkin import FEATURES

scenarios(str(FEATURES / "role_and_certificates.feature"))
