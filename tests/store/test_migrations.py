"""Migrations: a fresh database and one made by the previous release (create_all, no revision)
both reach the head with every row kept, and the tables match the code's."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, select, text

from bot.cli.main import main
from bot.store import migrate
from bot.store.storage import Store
from bot.store.tables import inbound, metadata, questions

from ..conftest import cli_config


def _differences(engine) -> list:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": migrate.ours})
        return list(compare_metadata(context, metadata))


def test_a_fresh_database_reaches_the_head_and_matches_the_tables(db_url: str) -> None:
    store = Store(db_url)
    store.create_schema()
    assert migrate.current(store.engine) == "0004"
    assert _differences(store.engine) == []
    store.dispose()


def test_the_previous_releases_database_is_upgraded_with_every_row(db_url: str) -> None:
    engine = create_engine(db_url)
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:  # what create_all made: the tables, no revision
        conn.execute(text("DROP TABLE alembic_version"))
        now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
        for n in range(50):
            conn.execute(
                inbound.insert().values(
                    dedupe_key=f"msg:{n}",
                    openid=f"o-{n % 7}",
                    msg_type="text",
                    content=f"问题{n}",
                    received_at=now,
                )
            )
            conn.execute(
                questions.insert().values(
                    openid=f"o-{n % 7}",
                    text=f"问题{n}",
                    channel="text",
                    outcome="answered",
                    asked_at=now,
                )
            )
    engine.dispose()
    store = Store(db_url)
    store.create_schema()
    assert migrate.current(store.engine) == "0004"
    with store.engine.connect() as conn:
        assert len(conn.execute(select(inbound.c.id)).all()) == 50
        assert len(conn.execute(select(questions.c.id)).all()) == 50
    indexes = {i["name"] for i in inspect(store.engine).get_indexes("inbound")}
    assert "ix_inbound_openid_received_at" in indexes
    assert _differences(store.engine) == []
    store.dispose()


def test_the_db_commands(tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = cli_config(tmp_path, f"sqlite:///{tmp_path / 'pufa.db'}")
    runner = CliRunner()
    upgraded = runner.invoke(main, [*base, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert str(migrate.head()) in upgraded.output
    shown = runner.invoke(main, [*base, "db", "current"])
    assert shown.exit_code == 0, shown.output
    assert str(migrate.head()) in shown.output


def test_workers_starting_at_once_all_come_up(db_url: str) -> None:
    """gunicorn without --preload: every worker upgrades the same fresh database at once."""
    import subprocess
    import sys

    code = "import sys; from bot.store.storage import Store; Store(sys.argv[1]).create_schema()"
    workers = [
        subprocess.Popen([sys.executable, "-c", code, db_url], stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outcomes = [(w.communicate(timeout=120)[1], w.returncode) for w in workers]
    assert [err.decode()[-500:] for err, code in outcomes if code != 0] == []
    store = Store(db_url)
    assert migrate.current(store.engine) == "0004"
    store.dispose()
