"""The database schema, brought up to date by Alembic migrations (`pufa db upgrade`).

A database made before migrations existed (by `create_all`) holds the baseline's tables but no
revision: it is stamped at the baseline first, then upgraded like any other."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from bot.store.tables import metadata

BASELINE = "0001"
ATTEMPTS = 4
LOCK_KEY = 7_341_120  # any fixed number: pufa's migrations hold this advisory lock
SCRIPTS = Path(__file__).parent / "migrations"


def ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Only pufa's tables and their indexes: APScheduler's job store is left alone."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is None or table.name in metadata.tables


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    return config


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    """Safe when several workers start at once: PostgreSQL serialises them with an advisory
    lock; on SQLite a worker that loses the race finds the work done and carries on."""
    for attempt in range(ATTEMPTS):
        try:
            _upgrade(engine, target)
            return
        except DBAPIError:
            if target == "head" and current(engine) == head():
                return
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


def head() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    return ScriptDirectory.from_config(config).get_current_head()


@contextmanager
def _sqlite_lock(engine: Engine) -> Iterator[None]:
    """SQLite runs DDL outside transactions, so processes take turns by a lock file."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _upgrade(engine: Engine, target: str) -> None:
    with _sqlite_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        config = _config(conn)
        revision = MigrationContext.configure(conn).get_current_revision()
        if revision is None and inspect(conn).has_table("inbound"):
            command.stamp(config, BASELINE)  # made by create_all before migrations existed
        command.upgrade(config, target)


def revise(engine: Engine, message: str) -> None:
    """Write a new revision from the difference between the tables and the database."""
    with engine.begin() as conn:
        command.revision(_config(conn), message=message, autogenerate=True)
