"""One transaction for everything a delivery writes after it is claimed.

Inside `unit(engine)`, every `begin(engine)` and `connect(engine)` of any store module gets the
unit's one connection and commits nothing; the unit commits once at the end, or rolls back. On
SQLite the write lock is taken at the first write, so the reads and the matching before it do
not hold other workers up. Outside a unit both open their own connection as usual."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.engine import Connection, Engine

_ambient: ContextVar[tuple[Engine, Connection] | None] = ContextVar("pufa_unit", default=None)


def _shared(engine: Engine) -> Connection | None:
    found = _ambient.get()
    return found[1] if found is not None and found[0] is engine else None


@contextmanager
def unit(engine: Engine, held: Connection | None = None) -> Iterator[Connection]:
    """`held`: a connection of `engine` the caller already has, to run the unit on."""
    if (conn := _shared(engine)) is not None:  # already inside one: join it
        yield conn
        return
    with transaction(engine, held) as conn:
        token = _ambient.set((engine, conn))
        try:
            yield conn
        finally:
            _ambient.reset(token)


@contextmanager
def transaction(engine: Engine, held: Connection | None = None) -> Iterator[Connection]:
    """A transaction committed on leaving, on `held` or on a new connection."""
    if held is None:
        with engine.begin() as conn:
            yield conn
        return
    with held.begin():
        yield held


@contextmanager
def begin(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction: the unit's, or a new one committed on leaving."""
    if (conn := _shared(engine)) is not None:
        yield conn
        return
    with engine.begin() as conn:
        yield conn


@contextmanager
def connect(engine: Engine) -> Iterator[Connection]:
    """A connection for reading: the unit's (it sees the unit's own writes), or a new one."""
    if (conn := _shared(engine)) is not None:
        yield conn
        return
    with engine.connect() as conn:
        yield conn
