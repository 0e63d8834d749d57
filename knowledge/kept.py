"""A bounded memo for what a long-running worker works out per entry and meets again."""

from __future__ import annotations

from contextlib import suppress
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Kept(dict[K, V]):
    """At most `limit` items, the oldest dropped first. Threads of the dev server may drop at
    the same time, which is harmless. Pickled (the index cache) it is stored empty."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: K, value: V) -> V:
        if len(self) >= self.limit:
            with suppress(KeyError, RuntimeError):
                del self[next(iter(self))]
        self[key] = value
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.limit,))
