"""Every rule of the SoLR requirements has a scenario tagged with its id, and every rule tag in
the features names a rule. The ids are read at test time from the spec beside the conformance
corpus (``<conformance dir>/../spec/solr-requirements.md``), so a rule added there fails this
test until a scenario covers it."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.bdd.gherkin import RULE_TAG, runnable_scenarios
from tests.conformance import conformance_dir

# A rule's line in the spec: "- R5.2 SMETS2+: the GBCS payload ..."
_RULE = re.compile(r"^- (R\d+(?:\.\d+)+) ", re.MULTILINE)


def _spec() -> Path:
    root = conformance_dir()
    if root is None:
        pytest.skip(
            "SoLR requirements absent: no conformance corpus (set SOLRSIM_CONFORMANCE_DIR or put "
            "../shared beside the checkout), so no ../spec/solr-requirements.md beside it"
        )
    spec = root.parent / "spec" / "solr-requirements.md"
    if not spec.is_file():
        pytest.skip(f"SoLR requirements absent: {spec} not found")
    return spec


@pytest.fixture(scope="module")
def rule_ids() -> list[str]:
    ids = _RULE.findall(_spec().read_text(encoding="utf-8"))
    assert ids, "no rule ids (lines '- R<n>.<m> ...') found in solr-requirements.md"
    return ids


@pytest.fixture(scope="module")
def coverage() -> Counter[str]:
    """Runnable scenarios (an outline row counts as one) per tag."""
    return Counter(tag for scenario in runnable_scenarios() for tag in scenario.tags)


def test_every_rule_has_a_scenario_tagged_with_its_id(
    rule_ids: list[str], coverage: Counter[str]
) -> None:
    uncovered = [rule for rule in rule_ids if coverage[rule] == 0]
    assert uncovered == [], f"rules with no scenario tagged with their id: {uncovered}"


def test_every_rule_tag_names_a_rule_of_the_spec(
    rule_ids: list[str], coverage: Counter[str]
) -> None:
    unknown = sorted(tag for tag in coverage if RULE_TAG.fullmatch(tag) and tag not in rule_ids)
    assert unknown == [], f"tags naming no rule of solr-requirements.md: {unknown}"
