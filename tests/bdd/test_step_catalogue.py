"""features/README.md's step catalogue is the one generated from the step definitions."""

from sim.gherkin.catalogue import README, current, render


def test_the_readme_step_catalogue_is_current() -> None:
    assert current(README.read_text(encoding="utf-8")) == render(), (
        "features/README.md's step catalogue is stale: "
        "run .venv/bin/python -m sim.gherkin.catalogue"
    )
