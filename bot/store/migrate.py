"""The database schema, brought up to date by Alembic migrations (`pufa db upgrade`).

A database made before migrations existed (by `create_all`) holds the baseline's tables but no
revision: it is stamped at the baseline first, then upgraded like any other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

from bot.store.tables import metadata

BASELINE = "0001"
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
    with engine.begin() as conn:
        config = _config(conn)
        revision = MigrationContext.configure(conn).get_current_revision()
        if revision is None and inspect(conn).has_table("inbound"):
            command.stamp(config, BASELINE)  # made by create_all before migrations existed
        command.upgrade(config, target)


def revise(engine: Engine, message: str) -> None:
    """Write a new revision from the difference between the tables and the database."""
    with engine.begin() as conn:
        command.revision(_config(conn), message=message, autogenerate=True)
