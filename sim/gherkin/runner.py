"""Feature files run outside any test tree, as ``solrsim run X.feature|FOLDER`` runs them.

The features are read by pytest-bdd's parser (the official ``gherkin`` parser underneath), and
each step is matched and its arguments parsed by pytest-bdd's own step records
(:func:`sim.gherkin.library.step_contexts`): the step library is the one ``make test`` runs
through pytest-bdd, called here without pytest, so that a team runs its features from its own
folder with the installed ``solrsim`` and no test tree, and the run's report can show each step.

Each scenario (each row of an outline) gets a world of its own. A step that raises fails the
scenario with the evidence (an assertion's message, else the line that failed); the steps after
it are skipped. Scenarios are selected by a cucumber tag expression (``"@R7.1 and not @slow"``),
over the tags of the feature, its rule, the scenario and the outline's examples.
"""

from __future__ import annotations

import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from inspect import signature
from pathlib import Path

from cucumber_tag_expressions import parse as parse_tags
from cucumber_tag_expressions.parser import TagExpressionError
from pytest_bdd.parser import Feature, FeatureParser, ScenarioTemplate, Step
from pytest_bdd.scenario import parse_step_arguments
from pytest_bdd.steps import StepFunctionContext

from sim.gherkin.library import step_contexts
from sim.gherkin.world import SolrWorld
from sim.report.feature_run import FeatureInfo, FeatureRun, ScenarioResult, StepResult
from sim.world.testbed import build_world


class FeatureRunError(Exception):
    """Features that cannot be run: no feature file, a file that does not parse, a bad tag
    expression."""


def feature_files(path: Path) -> list[Path]:
    """``path`` itself, or every ``*.feature`` under the folder, in path order."""
    if path.is_dir():
        found = sorted(path.rglob("*.feature"))
        if not found:
            raise FeatureRunError(f"{path}: no .feature file in the folder")
        return found
    if path.suffix != ".feature":
        raise FeatureRunError(f"{path}: not a .feature file")
    if not path.is_file():
        raise FeatureRunError(f"{path}: no such file")
    return [path]


def tag_filter(expression: str | None) -> Callable[[frozenset[str]], bool]:
    """A cucumber tag expression as a test of a scenario's tags (given without "@")."""
    if not expression:
        return lambda tags: True
    try:
        parsed = parse_tags(expression)
    except TagExpressionError as exc:
        raise FeatureRunError(f"--tags {expression!r}: {exc}") from None
    return lambda tags: parsed.evaluate([f"@{tag}" for tag in tags])


def run_features(
    path: Path,
    *,
    tags: str | None = None,
    seed: int | None = None,
    on_scenario: Callable[[ScenarioResult], None] | None = None,
) -> FeatureRun:
    """Run every scenario the tag expression selects, in file order; ``seed`` replaces a
    rehearsal's seed and seeds the named meters' WAN."""
    wanted = tag_filter(tags)
    results = []
    for feature in _parse(feature_files(path)):
        info = FeatureInfo(
            Path(feature.filename),
            feature.name,
            feature.description,
            feature.line_number,
            tuple(sorted(feature.tags)),
        )
        for name, line, scenario_tags, steps in runnables(feature):
            if not wanted(scenario_tags):
                continue
            result = _run_scenario(info, name, line, scenario_tags, steps, seed)
            results.append(result)
            if on_scenario is not None:
                on_scenario(result)
    return FeatureRun(results)


def _parse(paths: list[Path]) -> list[Feature]:
    """Each file read now (pytest-bdd's ``get_features`` keeps what it read once, by name)."""
    features = []
    for path in paths:
        resolved = path.resolve()
        try:
            features.append(FeatureParser(str(resolved.parent), resolved.name).parse())
        except Exception as exc:  # the parser's errors share no base class
            raise FeatureRunError(f"{path}: {exc}") from None
    return features


def runnables(
    feature: Feature,
) -> Iterator[tuple[str, int, frozenset[str], list[Step]]]:
    """Each scenario, and each row of an outline, with its tags and rendered steps."""
    for template in feature.scenarios.values():
        tags = set(template.tags) | set(feature.tags)
        if template.rule is not None:
            tags |= template.rule.tags
        yield from _rows(template, frozenset(tags))


def _rows(
    template: ScenarioTemplate, tags: frozenset[str]
) -> Iterator[tuple[str, int, frozenset[str], list[Step]]]:
    rows = [
        (frozenset(examples.tags), context)
        for examples in template.examples
        for context in examples.as_contexts()
    ] or [(frozenset(), {})]
    for row_tags, context in rows:
        scenario = template.render(context)
        name = template.name + (f" [{', '.join(context.values())}]" if context else "")
        yield name, template.line_number, tags | row_tags, list(scenario.steps)


def _run_scenario(
    feature: FeatureInfo,
    name: str,
    line: int,
    tags: frozenset[str],
    steps: list[Step],
    seed: int | None,
) -> ScenarioResult:
    results = [
        StepResult(
            step.keyword.strip(),
            step.type,
            step.name,
            step.line_number,
            datatable=None if step.datatable is None else _cells(step.datatable.raw()),
        )
        for step in steps
    ]
    result = ScenarioResult(feature, name, line, tuple(sorted(tags)), results)
    with tempfile.TemporaryDirectory(prefix="solrsim-feature-") as folder:
        world = SolrWorld(build_world(Path(folder)), seed=seed, folder=feature.path.parent)
        for step, outcome in zip(steps, results, strict=True):
            _run_step(world, step, outcome)
            if outcome.status != "passed":
                break
        world.bed.audit.close()
    result.rehearsal = world.rehearsal.result
    result.events = world.log.events
    return result


def _cells(rows: Sequence[Sequence[object]]) -> list[list[str]]:
    return [[str(cell) for cell in row] for row in rows]


def _run_step(world: SolrWorld, step: Step, outcome: StepResult) -> None:
    contexts = [
        context
        for context in step_contexts()
        if context.type == step.type and context.parser.is_matching(step.name)
    ]
    if len(contexts) != 1:
        outcome.status = "undefined"
        outcome.evidence = (
            f"no step of the library matches {step.type.capitalize()} '{step.name}' "
            "(solrsim steps lists them)"
            if not contexts
            else f"{len(contexts)} steps match: " + ", ".join(_where(c) for c in contexts)
        )
        return
    context = contexts[0]
    outcome.location = _where(context)
    started = time.perf_counter()
    try:
        context.step_func(**_arguments(world, step, context))
    except Exception as exc:  # a step's failure is the scenario's verdict, reported
        outcome.status = "failed"
        outcome.evidence = _evidence(exc)
    else:
        outcome.status = "passed"
    outcome.seconds = time.perf_counter() - started


def _arguments(world: SolrWorld, step: Step, context: StepFunctionContext) -> dict[str, object]:
    wants = signature(context.step_func).parameters
    arguments = {k: v for k, v in parse_step_arguments(step, context).items() if k in wants}
    if "world" in wants:
        arguments["world"] = world
    if "datatable" in wants and step.datatable is not None:
        arguments["datatable"] = step.datatable.raw()
    if "docstring" in wants and step.docstring is not None:
        arguments["docstring"] = step.docstring
    return arguments


def _where(context: StepFunctionContext) -> str:
    function = context.step_func
    return f"{function.__module__}:{function.__code__.co_firstlineno}"


def _evidence(exc: BaseException) -> str:
    """What a reader needs to see why the step failed: the assertion's message, or the error,
    and the line of the step library it failed at."""
    message = str(exc).strip()
    frames = traceback.extract_tb(exc.__traceback__)
    where = frames[-1] if frames else None
    said = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    if isinstance(exc, AssertionError) and message:
        said = message
    if where is not None and where.line:
        said += f"\n  at {Path(where.filename).name}:{where.lineno}: {where.line.strip()}"
    if isinstance(exc, AssertionError) and not message:
        said += "".join(f"\n  {name} = {value}" for name, value in _locals(exc))
    return said


def _locals(exc: BaseException) -> list[tuple[str, str]]:
    """The values the failing line had to hand (the world left out), each cut to a line."""
    trace = exc.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    if trace is None:
        return []
    shown = []
    for name, value in trace.tb_frame.f_locals.items():
        if name == "world" or name.startswith("_"):
            continue
        text = " ".join(repr(value).split())
        shown.append((name, text if len(text) <= 160 else text[:157] + "..."))
    return shown
