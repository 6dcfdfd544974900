"""Answers kept by identity are the function's answers: asked once per object, asked again for
an equal object that is not the same one, never kept for a failure, and never for more objects
than the bound."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from dcc._by_identity import by_identity


class Thing:
    def __init__(self, value: int) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Thing) and other.value == self.value

    def __hash__(self) -> int:
        raise AssertionError("by_identity must not hash its arguments")


def test_an_answer_is_kept_per_object_and_asked_again_for_an_equal_one() -> None:
    asked: list[Thing] = []

    @by_identity(4)
    def double(thing: Thing, other: Thing) -> int:
        asked.append(thing)
        return 2 * thing.value + other.value

    one, same, two = Thing(1), Thing(1), Thing(2)
    assert double(one, two) == 4
    assert double(one, two) == 4
    assert asked == [one]
    assert double(same, two) == 4
    assert asked[-1] is same
    assert double(two, one) == 5  # the arguments' order counts


def test_a_failure_is_not_kept() -> None:
    calls = 0

    @by_identity(4)
    def refuse(thing: Thing) -> None:
        nonlocal calls
        calls += 1
        raise ValueError(thing.value)

    thing = Thing(3)
    for _ in range(2):
        with pytest.raises(ValueError):
            refuse(thing)
    assert calls == 2


def test_no_more_than_the_bound_is_kept_and_keyword_arguments_are_refused() -> None:
    asked: list[int] = []

    @by_identity(2)
    def value(thing: Thing) -> int:
        asked.append(thing.value)
        return thing.value

    things = [Thing(n) for n in range(5)]
    assert [value(thing) for thing in things] == list(range(5))
    assert value(things[4]) == 4 and value(things[3]) == 3  # the last two are kept
    assert asked == [0, 1, 2, 3, 4]
    assert value(things[0]) == 0  # the first is not
    assert asked == [0, 1, 2, 3, 4, 0]
    with pytest.raises(TypeError):
        value(thing=things[0])


def test_threads_sharing_it_get_the_function_s_answers() -> None:
    @by_identity(3)
    def value(thing: Thing) -> int:
        return thing.value

    things = [Thing(n) for n in range(50)]

    def ask(offset: int) -> list[int]:
        return [value(things[(n + offset) % 50]) for n in range(2000)]

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(ask, range(4)))
    assert answers == [[(n + offset) % 50 for n in range(2000)] for offset in range(4)]
