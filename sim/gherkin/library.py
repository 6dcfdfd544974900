"""The step library: the modules of step definitions every Gherkin run uses (``make test``
through pytest-bdd, ``solrsim run`` through :mod:`sim.gherkin.runner`), read as data for the
step catalogue, the suite's convention checks and the runner's matching."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from pytest_bdd.parsers import StepParser
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry

from sim.gherkin.steps import alerts, outcomes, rehearsal, requests, setting

STEP_MODULES: tuple[ModuleType, ...] = (setting, requests, outcomes, alerts, rehearsal)


@dataclass(frozen=True)
class StepDefinition:
    """One step function: its step types and parsers, where it lives, what it means."""

    function: Callable[..., object]
    module: ModuleType
    phrases: tuple[tuple[str | None, StepParser], ...]  # (given/when/then, parser), in order

    @property
    def meaning(self) -> str:
        doc = inspect.getdoc(self.function) or ""
        return " ".join(doc.split("\n\n")[0].split())

    @property
    def line(self) -> int:
        return inspect.getsourcelines(self.function)[1]

    def matches(self, step_type: str, text: str) -> bool:
        return any(
            kind in (step_type, None) and parser.is_matching(text) for kind, parser in self.phrases
        )


def step_contexts() -> list[StepFunctionContext]:
    """pytest-bdd's record of each (keyword, wording) of every step of :data:`STEP_MODULES`."""
    return [
        context
        for context in list(step_function_context_registry.values())
        if inspect.getmodule(context.step_func) in STEP_MODULES
    ]


def step_definitions() -> list[StepDefinition]:
    """Every step definition of :data:`STEP_MODULES`, in module then source order."""
    by_function: dict[Callable[..., object], list[tuple[str | None, StepParser]]] = {}
    for context in step_contexts():
        by_function.setdefault(context.step_func, []).append((context.type, context.parser))
    definitions = []
    for function, phrases in by_function.items():
        module = inspect.getmodule(function)
        if module is not None:  # step_contexts keeps only the functions of STEP_MODULES
            definitions.append(StepDefinition(function, module, tuple(reversed(phrases))))
    order = {module: index for index, module in enumerate(STEP_MODULES)}
    return sorted(definitions, key=lambda d: (order[d.module], d.line))
