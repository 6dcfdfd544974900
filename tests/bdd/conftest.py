"""The Gherkin suite's glue: the step library of the package (:mod:`sim.gherkin.library`), which
``solrsim run`` uses too, made visible to every scenario, and one world per scenario.

pytest-bdd finds a step definition as a fixture, hence the star imports. Feature-file tags
(``@R5.2``, ``@smets1``) become pytest markers, registered here so ``pytest -m`` can select them
without warnings. The step modules' asserts are rewritten, so a failing step shows its values.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.register_assert_rewrite("sim.gherkin.steps")

from sim.gherkin.steps.alerts import *  # noqa: E402, F403 (the step fixtures)
from sim.gherkin.steps.outcomes import *  # noqa: E402, F403
from sim.gherkin.steps.rehearsal import *  # noqa: E402, F403
from sim.gherkin.steps.requests import *  # noqa: E402, F403
from sim.gherkin.steps.setting import *  # noqa: E402, F403
from sim.gherkin.world import SolrWorld  # noqa: E402
from sim.world.testbed import build_world  # noqa: E402
from tests.bdd.gherkin import FEATURES  # noqa: E402

_TAG = re.compile(r"(?<!\S)@([^\s@]+)")


def pytest_configure(config: pytest.Config) -> None:
    tags = {tag for path in FEATURES.rglob("*.feature") for tag in _TAG.findall(path.read_text())}
    for tag in sorted(tags):
        config.addinivalue_line("markers", f"{tag}: scenarios tagged @{tag} in features/")


@pytest.fixture
def world(tmp_path: Path) -> SolrWorld:
    """The testbed's cast on the simpy world, named for the features."""
    return SolrWorld(build_world(tmp_path))


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: object, scenario: object):
    """Relative paths in steps start at the feature file's folder."""
    world = request.getfixturevalue("world")
    world.folder = Path(feature.filename).parent
