from pathlib import Path

import pytest

from tests.conformance import SUMMARY, conformance_dir, require_conformance


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
