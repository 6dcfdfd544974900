"""Each package in devices/ lists its public modules; the rest start with an underscore."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import devices
import devices.gbcs


@pytest.mark.parametrize("package", [devices, devices.gbcs], ids=lambda p: p.__name__)
def test_every_public_module_is_listed_and_imports(package) -> None:
    found = {m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")}
    assert set(package.__all__) == found
    for name in package.__all__:
        importlib.import_module(f"{package.__name__}.{name}")
