"""The Gherkin suite's fixtures: one world per scenario, and the step definitions.

pytest-bdd finds a step definition as a fixture; the steps live in ``tests/bdd/steps/`` by
theme and are made visible to every scenario here. Feature-file tags (``@R5.2``, ``@smets1``)
become pytest markers, registered here so ``pytest -m`` can select them without warnings.
"""

from __future__ import annotations

import re

import pytest

from sim.world.testbed import build_world
from tests.bdd.steps.alerts import *  # noqa: F403 (the step fixtures)
from tests.bdd.steps.outcomes import *  # noqa: F403
from tests.bdd.steps.requests import *  # noqa: F403
from tests.bdd.steps.setting import *  # noqa: F403
from tests.bdd.world import FEATURES, SolrWorld

_TAG = re.compile(r"(?<!\S)@([^\s@]+)")


def pytest_configure(config: pytest.Config) -> None:
    tags = {tag for path in FEATURES.glob("*.feature") for tag in _TAG.findall(path.read_text())}
    for tag in sorted(tags):
        config.addinivalue_line("markers", f"{tag}: scenarios tagged @{tag} in features/")


@pytest.fixture
def world(tmp_path) -> SolrWorld:
    """The DCC, SMKI, parties and meters of ``sim.world.testbed``, named for the features."""
    return SolrWorld(build_world(tmp_path))
