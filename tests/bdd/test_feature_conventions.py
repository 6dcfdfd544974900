"""The suite's house rules, checked on every scenario as pytest-bdd reads it (outline rows
rendered):

- each scenario is tagged with at least one rule id and with @smets1 and/or @smets2;
- each refusal or quarantine a scenario asserts is followed, before its next action, by a check
  that the meters did not change;
- each step in the features matches exactly one step definition, and each step definition is
  used (no ambiguity, no dead steps).
"""

from __future__ import annotations

from tests.bdd.gherkin import GENERATIONS, Runnable, runnable_scenarios, step_definitions

SCENARIOS = runnable_scenarios()
NEGATIVE = ("the DCC rejects it ", "the DCC quarantines it ")
UNCHANGED = ("no meter has changed",)


def _unchanged(text: str) -> bool:
    return text in UNCHANGED or text.endswith(" has not changed")


def test_every_scenario_is_tagged_with_a_rule_and_a_generation() -> None:
    untagged = [str(s) for s in SCENARIOS if not s.rule_tags or not s.tags & GENERATIONS]
    assert untagged == [], "scenarios without a rule id tag or without @smets1/@smets2"


def _unchecked_refusal(scenario: Runnable) -> str | None:
    """The first refusal or quarantine asserted with no check, before the next action, that
    no meter changed."""
    waiting: str | None = None
    for kind, text in scenario.steps:
        if kind == "when" and waiting is not None:
            break
        if kind == "then" and text.startswith(NEGATIVE):
            waiting = waiting or text
        elif kind == "then" and _unchanged(text):
            waiting = None
    return waiting


def test_every_refusal_is_followed_by_a_check_that_no_meter_changed() -> None:
    unchecked = [f"{s}: {step}" for s in SCENARIOS if (step := _unchecked_refusal(s))]
    assert unchecked == []


def test_each_step_has_exactly_one_definition_and_each_definition_is_used() -> None:
    definitions = step_definitions()
    used = {id(d): 0 for d in definitions}
    problems = []
    for scenario in SCENARIOS:
        for kind, text in scenario.steps:
            matching = [d for d in definitions if d.matches(kind, text)]
            if len(matching) != 1:
                names = [d.function.__name__ for d in matching]
                problems.append(f"{scenario}: {kind} '{text}' matches {names or 'nothing'}")
            for definition in matching:
                used[id(definition)] += 1
    unused = [d.function.__name__ for d in definitions if used[id(d)] == 0]
    assert problems == []
    assert unused == [], f"step definitions no feature uses: {unused}"
