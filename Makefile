VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

# Prints a summary, the event log's digest and where the report is (reports/solr-default/);
# exits 0 only when every expectation of the scenario holds.
run: $(STAMP)
	$(VENV)/bin/solrsim run scenarios/solr-default.yaml --report-dir reports/solr-default

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Besides the console summary, JUnit XML for every test and cucumber JSON for the Gherkin
# scenarios, for CI dashboards.
REPORTS := build/test-reports

test: lint
	mkdir -p $(REPORTS)
	$(VENV)/bin/pytest --junitxml=$(REPORTS)/junit.xml --cucumberjson=$(REPORTS)/cucumber.json

bench: $(STAMP)
	$(VENV)/bin/solrsim gbcs bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis build reports
