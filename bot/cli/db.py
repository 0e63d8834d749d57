"""`pufa db`: the schema's migrations."""

from __future__ import annotations

import click

from bot.cli.common import missing_sqlite_file, open_store, settings_of
from bot.store import migrate
from bot.store.storage import Store, StoreError


@click.group()
def db() -> None:
    """数据库结构：升级到最新、查看当前版本。"""


@db.command("upgrade")
def db_upgrade() -> None:
    """把数据库结构升级到最新（新库会被建好；旧库的数据全部保留）。"""
    store = open_store(create=True)
    click.echo(f"数据库结构已是最新版本：{migrate.current(store.engine)}")
    store.dispose()


@db.command("current")
def db_current() -> None:
    """显示数据库结构的当前版本（不做改动）。"""
    settings = settings_of()
    if (missing := missing_sqlite_file(settings.database.url)) is not None:
        raise StoreError(f"没有找到数据库文件 {missing}；第一次使用请先运行 pufa init。")
    store = Store(settings.database.url)
    revision = migrate.current(store.engine)
    store.dispose()
    click.echo(
        f"当前版本：{revision}" if revision else "还没有版本记录（新库，或旧版 pufa 建的库）"
    )
