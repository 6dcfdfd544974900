from pathlib import Path

import pytest
from hypothesis import settings

from tests.conformance import SUMMARY, conformance_dir, require_conformance

# Property tests judge behaviour, not speed: Hypothesis's default 200 ms deadline per example is
# a wall-clock assertion that fails on a loaded machine.
settings.register_profile("solrsim", deadline=None)
settings.load_profile("solrsim")


@pytest.fixture(scope="session")
def conformance() -> Path:
    return require_conformance()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SUMMARY] = []


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash[SUMMARY]
    if conformance_dir() is None:
        lines = ["corpus absent: conformance tests skipped (set SOLRSIM_CONFORMANCE_DIR)"]
    if lines:
        terminalreporter.section("conformance")
        for line in lines:
            terminalreporter.write_line(line)
