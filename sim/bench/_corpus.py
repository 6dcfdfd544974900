"""Where the external conformance corpus is, for benchmarks, tests and the command line."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]


def conformance_dir() -> Path | None:
    """``$SOLRSIM_CONFORMANCE_DIR`` if set, else ``../shared/conformance`` beside the checkout
    or beside the working directory; None when there is none."""
    env = os.environ.get("SOLRSIM_CONFORMANCE_DIR")
    candidates = [Path(env)] if env else [_REPO.parent / "shared" / "conformance"]
    candidates.append(Path.cwd().parent / "shared" / "conformance")
    return next((c for c in candidates if c.is_dir()), None)


def run_on_corpus(find: Callable[[], Path | None], run: Callable[[Path], object]) -> None:
    """A benchmark run as ``python -m``: ``run`` on the folder ``find`` finds, or exit saying
    how to point to one."""
    folder = find()
    if folder is None:
        raise SystemExit("conformance corpus not found: set SOLRSIM_CONFORMANCE_DIR")
    run(folder)
