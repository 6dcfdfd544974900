"""Each package lists its public modules in ``__all__``; the rest start with an underscore."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

PACKAGES = [
    "devices",
    "devices.gbcs",
    "dcc",
    "dcc.duis",
    "dcc.smki",
    "sim",
    "sim.bench",
    "sim.cli",
    "sim.gherkin",
    "sim.gherkin.steps",
    "sim.report",
    "sim.scenario",
    "sim.web",
    "sim.world",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_module_is_listed_and_imports(name: str) -> None:
    package: ModuleType = importlib.import_module(name)
    found = {m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")}
    assert set(package.__all__) == found
    for module in package.__all__:
        importlib.import_module(f"{name}.{module}")


def test_every_package_is_checked() -> None:
    roots = [importlib.import_module(name) for name in ("devices", "dcc", "sim")]
    packages = {root.__name__ for root in roots}
    for root in roots:
        packages |= {
            m.name
            for m in pkgutil.walk_packages(root.__path__, f"{root.__name__}.")
            if m.ispkg and not m.name.rsplit(".", 1)[1].startswith("_")
        }
    assert packages == set(PACKAGES)
