"""YAML in, a validated pydantic model out, and every error pinned to a line of the file.

Scenario files are written by hand and read by an assurance team, so a mistake must be answered
with where and why (``solr.yaml:14: fleet.mix: esme + gsme + smets1 = 0.95, not 1``), not with a
traceback. PyYAML's composer gives nodes that know their line; we build plain data from them with
``SafeConstructor`` (``yaml.safe_load`` semantics: no Python tags), note the line of the key that
introduced every value, validate the data with pydantic and map each error's ``loc`` back to a
line. Nothing here knows what a scenario is: :mod:`sim.scenario.model` holds the model.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

FieldPath = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAX_NODES = 100_000  # far above any scenario; stops an alias bomb ("billion laughs")
_NUMBER_ERRORS = frozenset({"float_type", "int_type", "float_parsing", "int_parsing"})


class ScenarioError(Exception):
    """A scenario file that cannot be used. ``errors`` holds one ``origin:LINE: path: why`` each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class FieldErrors(ValueError):
    """Raised by a validator to blame fields *below* the one it validates.

    A check across fields (two failing suppliers, a fault after the run's end) runs on the parent,
    so pydantic would report it at the parent's line; each entry here names the path, relative to
    that parent, of the value that is wrong, and the loader reports it at that value's line.
    """

    def __init__(self, errors: list[tuple[FieldPath, str]]) -> None:
        super().__init__("; ".join(f"{_dotted(path) or '.'}: {why}" for path, why in errors))
        self.errors = errors


@dataclass
class _Document:
    """Plain data from a YAML file, the line each data path starts on, and problems found."""

    origin: str
    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[FieldPath, int] = field(default_factory=dict)
    overridden: frozenset[str] = frozenset()
    problems: list[tuple[int, str]] = field(default_factory=list)

    def line(self, path: FieldPath) -> int:
        """The line of ``path`` or, where the file does not have it, of its nearest ancestor."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        raise AssertionError("the root's line is always recorded")

    def report(self, line: int, path: FieldPath, why: str) -> None:
        if path and path[0] in self.overridden:
            why += " (the value given as an override, not the file's)"
        where = _dotted(path) or "(top level)"
        self.problems.append((line, f"{self.origin}:{line}: {where}: {why}"))

    def error(self) -> ScenarioError:
        return ScenarioError([message for _, message in sorted(self.problems, key=lambda p: p[0])])


def validate_yaml(model: type[M], text: str, origin: str, overrides: Mapping[str, object]) -> M:
    """Parse ``text`` as one YAML mapping, apply top-level ``overrides`` and validate it.

    Raises :class:`ScenarioError` with every problem found, sorted by line.
    """
    doc = _read(model, text, origin)
    doc.data.update(overrides)
    doc.overridden = frozenset(overrides)
    try:
        result = model.model_validate(doc.data)
    except ValidationError as exc:
        for error in exc.errors():
            _explain(model, doc, error)
        raise doc.error() from None
    if doc.problems:  # a duplicate or non-text key, though what was kept is valid
        raise doc.error()
    return result


def _read(model: type[BaseModel], text: str, origin: str) -> _Document:
    """Compose ``text`` into a document; malformed YAML and a wrong top level end here."""
    expected = f"a mapping with the keys {', '.join(_required(model))}"
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is None or (isinstance(root, ScalarNode) and root.tag == _NULL_TAG):
            raise ScenarioError([f"{origin}:1: the file is empty; a scenario is {expected}"])
        line = root.start_mark.line + 1
        if not (isinstance(root, MappingNode) and root.tag == _MAP_TAG):
            kind = "a list" if isinstance(root, SequenceNode) else "a single value"
            why = f"the top level is {kind}; a scenario is {expected}"
            raise ScenarioError([f"{origin}:{line}: {why}"])
        doc = _Document(origin)
        doc.data = _Builder(doc).build(root, (), line)
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        why = exc.problem or exc.context or "unreadable"
        if exc.context and exc.problem and exc.context_mark:
            why += f" ({exc.context} on line {exc.context_mark.line + 1})"
        raise ScenarioError([f"{origin}:{line}: YAML error at column {column}: {why}"]) from None
    except ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ScenarioError([f"{origin}:{line}: not YAML text: {exc.reason}"]) from None


def _required(model: type[BaseModel]) -> list[str]:
    return [name for name, info in model.model_fields.items() if info.is_required()]


class _Builder:
    """Builds plain data from composed nodes, recording each path's line in the document."""

    def __init__(self, doc: _Document) -> None:
        self.doc = doc
        self.constructor = SafeConstructor()
        self.open: set[int] = set()  # nodes being built: an alias inside itself would never end
        self.count = 0

    def build(self, node: Node, path: FieldPath, line: int) -> Any:
        self.doc.lines[path] = line
        self.count += 1
        if self.count > _MAX_NODES:
            raise ScenarioError([f"{self.doc.origin}:{line}: more than {_MAX_NODES} values"])
        if id(node) in self.open:
            raise ScenarioError([f"{self.doc.origin}:{line}: {_dotted(path)}: refers to itself"])
        if isinstance(node, MappingNode) and node.tag == _MAP_TAG:
            self.open.add(id(node))
            value: Any = self._mapping(node, path)
            self.open.remove(id(node))
        elif isinstance(node, SequenceNode) and node.tag == _SEQ_TAG:
            self.open.add(id(node))
            value = [
                self.build(item, (*path, i), item.start_mark.line + 1)
                for i, item in enumerate(node.value)
            ]
            self.open.remove(id(node))
        else:  # scalars, and collections under explicit tags: as yaml.safe_load builds them
            value = self.constructor.construct_object(node, deep=True)
        return value

    def _mapping(self, node: MappingNode, path: FieldPath) -> dict[str, Any]:
        own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
        self.constructor.flatten_mapping(node)  # "<<" merge keys: their pairs come first
        inherited = len(node.value) - own
        result: dict[str, Any] = {}
        written: set[str] = set()  # keys this mapping itself gives; it may override merged ones
        for index, (key_node, value_node) in enumerate(node.value):
            line = key_node.start_mark.line + 1
            key = self.constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                self.doc.report(line, path, f"the key {key!r} is not text; quote it")
            elif key in written:
                first = self.doc.lines[(*path, key)]
                self.doc.report(line, (*path, key), f"appears twice (first on line {first})")
            else:
                result[key] = self.build(value_node, (*path, key), line)
                if index >= inherited:
                    written.add(key)
        return result


def _explain(model: type[BaseModel], doc: _Document, error: ErrorDetails) -> None:
    """Report one pydantic error at the line of the value it is about, saying why."""
    path, owner, is_key = _locate(model, error["loc"])
    kind, ctx, given = error["type"], error.get("ctx", {}), error["input"]
    if kind == "value_error" and isinstance(ctx["error"], FieldErrors):
        for below, why in ctx["error"].errors:
            doc.report(doc.line((*path, *below)), (*path, *below), why)
    elif kind == "missing":
        parent = f"'{_dotted(path[:-1])}'" if len(path) > 1 else "the top level"
        doc.report(doc.line(path[:-1]), path, f"missing: add '{path[-1]}:' to {parent}")
    elif kind == "extra_forbidden":
        allowed = list(owner.model_fields) if owner else []
        doc.report(doc.line(path), path, _unknown_key(str(path[-1]), allowed))
    elif kind == "literal_error" and is_key:
        doc.report(doc.line(path), path, f"unknown key '{path[-1]}'; allowed: {ctx['expected']}")
    elif kind == "union_tag_invalid":
        discriminator = ctx["discriminator"].strip("'")
        tag_path = (*path, discriminator)
        why = f"unknown {discriminator} {ctx['tag']!r}; expected one of {ctx['expected_tags']}"
        doc.report(doc.line(tag_path), tag_path, why)
    elif kind == "value_error":
        doc.report(doc.line(path), path, str(ctx["error"]))
    elif kind in ("too_short", "too_long"):
        doc.report(doc.line(path), path, error["msg"])
    else:
        why = f"{error['msg']}, got {_shown(given)}"
        if kind in _NUMBER_ERRORS and isinstance(given, str) and _is_number(given):
            why += " (YAML read it as text: unquote it, and write 1.0e-3 rather than 1e-3)"
        doc.report(doc.line(path), path, why)


def _unknown_key(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key '{key}'; {hint}allowed: {', '.join(allowed)}"


def _locate(model: type[BaseModel], loc: tuple[str | int, ...]) -> tuple[FieldPath, Any, bool]:
    """Follow a pydantic ``loc`` through the model's types.

    Returns the path in the data (pydantic puts a tagged union's tag in ``loc``; the data has no
    such level), the model that owns the last key (to list the keys it allows) and whether the
    error is about a mapping key rather than its value.
    """
    path: list[str | int] = []
    owner: Any = None
    current: Any = model
    for part in loc:
        if part == "[key]":
            return tuple(path), owner, True
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            owner = current
            info = current.model_fields.get(str(part))
            current = info.annotation if info else None
        elif get_origin(current) in (list, dict):
            current = get_args(current)[-1]
        elif (member := _tagged(current, part)) is not None:
            current = member
            continue
        path.append(part)
    return tuple(path), owner, False


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``| None``: the locating needs only the type underneath."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, types.UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _tagged(union: Any, tag: str | int) -> type[BaseModel] | None:
    """The member of a tagged union whose ``Literal`` field holds ``tag``, if there is one."""
    if get_origin(union) not in (Union, types.UnionType):
        return None
    for member in get_args(union):
        if isinstance(member, type) and issubclass(member, BaseModel):
            for info in member.model_fields.values():
                if get_origin(info.annotation) is Literal and tag in get_args(info.annotation):
                    return member
    return None


def _dotted(path: FieldPath) -> str:
    return ".".join(str(part) for part in path)


def _shown(value: object) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
