"""The DCC tests run on the SoLR testbed: a fresh world per test, its audit trail and dcc.toml
in the test's own folder."""

from __future__ import annotations

import pytest

from sim.world.testbed import World, build_world


@pytest.fixture
def world(tmp_path) -> World:
    return build_world(tmp_path)
