"""Answers kept per object, found by the object's identity rather than its hash.

Hashing an ``x509.Certificate`` hashes its whole parsed structure, extensions and all, each
time (an ``x509.Name`` its attributes): it costs more than most answers kept about it are worth,
so ``functools.lru_cache`` is no saving. A signer, a verifier or the SMKI repository sees few
certificates, names and keys, each long-lived, as the same objects, so their answers are kept
by ``id``; the objects are kept with them, so an ``id`` cannot be reused by
another object while its answer is kept. An equal object that is not the same one is simply
asked again.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def by_identity(maxsize: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Keep the answers of a function of positional arguments for the last ``maxsize``
    argument tuples, by identity. An exception is not kept: it is raised again each time.
    Threads may share it: at worst two compute the same answer, or the bound is passed for a
    moment."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        kept: dict[tuple[int, ...], tuple[tuple[object, ...], R]] = {}

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if kwargs:
                raise TypeError(f"{function.__name__} takes positional arguments only")
            key = tuple(map(id, args))
            found = kept.get(key)
            if found is not None:
                return found[1]
            answer = function(*args, **kwargs)
            if len(kept) >= maxsize:
                # another thread may have made room first
                with contextlib.suppress(KeyError, RuntimeError, StopIteration):
                    del kept[next(iter(kept))]  # the oldest
            kept[key] = (args, answer)
            return answer

        return wrapper

    return decorate
