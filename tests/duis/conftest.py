from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def duis(conformance: Path) -> Path:
    """The DUIS part of the conformance corpus: DCC Boxed keys, samples and templates."""
    return conformance / "duis"
