"""`pufa backup` then `pufa restore` gives back every row, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import delete, select

from bot.cli.main import main
from bot.store import migrate
from bot.store.storage import Store
from bot.store.tables import inbound

from ..conftest import cli_config


def _keys(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(inbound.c.dedupe_key).order_by(inbound.c.id)).scalars())


def test_backup_then_restore_gives_back_every_row(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    store.create_schema()
    for n in range(30):
        store.claim_inbound(f"msg:{n}", f"o-{n % 4}", "text", f"问题{n} 电话13912345678")
    before = _keys(store)
    base = cli_config(tmp_path, db_url)
    runner = CliRunner()
    target = tmp_path / "backup" / "pufa.backup"
    done = runner.invoke(main, [*base, "backup", str(target)])
    assert done.exit_code == 0, done.output
    assert target.stat().st_size > 0
    with store.engine.begin() as conn:  # an accident after the backup
        conn.execute(delete(inbound).where(inbound.c.id > 5))
    assert len(_keys(store)) == 5
    store.dispose()
    restored = runner.invoke(main, [*base, "restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert str(migrate.head()) in restored.output
    store = Store(db_url)
    assert _keys(store) == before
    store.dispose()


def test_restore_asks_before_it_overwrites(db_url: str, tmp_path: Path) -> None:
    store = Store(db_url)
    store.create_schema()
    store.dispose()
    base = cli_config(tmp_path, db_url)
    runner = CliRunner()
    target = tmp_path / "pufa.backup"
    assert runner.invoke(main, [*base, "backup", str(target)]).exit_code == 0
    refused = runner.invoke(main, [*base, "restore", str(target)], input="n\n")
    assert refused.exit_code == 1
    assert "覆盖" in refused.output
