"""The suite read as data: every runnable scenario (an outline row counts as one) with its tags
and steps, and every step definition with its parser, for the coverage, convention and step
catalogue checks. Features are read with pytest-bdd's own parser, so what is checked is what
runs."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import ModuleType

from pytest_bdd.feature import get_features
from pytest_bdd.parsers import StepParser
from pytest_bdd.steps import step_function_context_registry

from tests.bdd.steps import alerts, outcomes, requests, setting
from tests.bdd.world import FEATURES

STEP_MODULES: tuple[ModuleType, ...] = (setting, requests, outcomes, alerts)
GENERATIONS = frozenset({"smets1", "smets2"})


@dataclass(frozen=True)
class Runnable:
    """One scenario as pytest runs it: a plain scenario, or one row of an outline."""

    feature: str  # the file name
    name: str
    line: int
    tags: frozenset[str]
    steps: tuple[tuple[str, str], ...]  # (given/when/then, text with outline values filled in)

    def __str__(self) -> str:
        return f"{self.feature}:{self.line} {self.name}"

    @property
    def rule_tags(self) -> frozenset[str]:
        return frozenset(tag for tag in self.tags if tag not in GENERATIONS)


def runnable_scenarios() -> list[Runnable]:
    found: list[Runnable] = []
    for feature in get_features([str(FEATURES)]):
        for template in feature.scenarios.values():
            tags = template.tags | feature.tags
            if template.rule is not None:
                tags |= template.rule.tags
            rows = [
                (examples.tags, context)
                for examples in template.examples
                for context in examples.as_contexts()
            ] or [(set(), {})]
            for row_tags, context in rows:
                scenario = template.render(context)
                steps = tuple((step.type, step.name) for step in scenario.steps)
                name = template.name + (f" [{', '.join(context.values())}]" if context else "")
                found.append(
                    Runnable(
                        feature.rel_filename.split("/")[-1],
                        name,
                        template.line_number,
                        frozenset(tags | row_tags),
                        steps,
                    )
                )
    return found


@dataclass(frozen=True)
class StepDefinition:
    """One step function: its step types and parsers, where it lives, what it means."""

    function: object
    module: ModuleType
    phrases: tuple[tuple[str, StepParser], ...]  # (given/when/then, parser) in source order

    @property
    def meaning(self) -> str:
        doc = inspect.getdoc(self.function) or ""
        return " ".join(doc.split("\n\n")[0].split())

    @property
    def line(self) -> int:
        return self.function.__code__.co_firstlineno

    def matches(self, step_type: str, text: str) -> bool:
        return any(
            kind in (step_type, None) and parser.is_matching(text) for kind, parser in self.phrases
        )


def step_definitions() -> list[StepDefinition]:
    """Every step definition of :data:`STEP_MODULES`, in module then source order."""
    by_function: dict[object, list[tuple[str, StepParser]]] = {}
    for context in list(step_function_context_registry.values()):
        if inspect.getmodule(context.step_func) in STEP_MODULES:
            by_function.setdefault(context.step_func, []).append((context.type, context.parser))
    definitions = [
        StepDefinition(function, inspect.getmodule(function), tuple(reversed(phrases)))
        for function, phrases in by_function.items()
    ]
    order = {module: index for index, module in enumerate(STEP_MODULES)}
    return sorted(definitions, key=lambda d: (order[d.module], d.line))
