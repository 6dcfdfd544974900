"""Shared SMKI fixtures: one seeded test PKI, a fresh repository per test."""

from __future__ import annotations

import pytest

from dcc.smki.authority import SmkiAuthority
from dcc.smki.repository import SmkiRepository


@pytest.fixture(scope="session")
def authority() -> SmkiAuthority:
    return SmkiAuthority.from_seed(b"tests/smki")


@pytest.fixture
def repository(authority: SmkiAuthority) -> SmkiRepository:
    return SmkiRepository(authority)
