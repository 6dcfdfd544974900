"""Where the external conformance corpus lives; its tests skip, saying so, when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.bench._corpus import conformance_dir

# Lines that conformance tests add for the end-of-run summary (see tests/conftest.py).
SUMMARY = pytest.StashKey[list[str]]()
_REPO = Path(__file__).resolve().parent.parent


def require_conformance() -> Path:
    found = conformance_dir()
    if found is None:
        pytest.skip(
            "conformance corpus not found: set SOLRSIM_CONFORMANCE_DIR or put it at "
            f"{_REPO.parent / 'shared' / 'conformance'}"
        )
    return found


def rtds_files() -> list[Path]:
    """Every RTDS 4.5.0 message file, sorted; empty when the corpus is absent."""
    root = conformance_dir()
    if root is None:
        return []
    return sorted((root / "rtds" / "RTDS-4.5.0").rglob("*.HEX"))


def read_hex(path: Path) -> bytes:
    return bytes.fromhex(path.read_text().strip())


def rtds_params() -> list:
    """``rtds_files()`` as pytest params, or one skipped param that says where the corpus goes."""
    files = rtds_files()
    if files:
        return [pytest.param(f, id=f.stem) for f in files]
    return [
        pytest.param(
            None, marks=pytest.mark.skip(reason="RTDS corpus absent: see tests/conformance.py")
        )
    ]
