"""`pufa db`: the schema's migrations."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import missing_sqlite_file, open_store, settings_of
from bot.store.storage import Store, StoreError, shown


def _revision(store: Store) -> str | None:
    from bot.store import migrate  # Alembic is slow to import: only these commands need it

    return migrate.current(store.engine)


@click.group()
def db() -> None:
    """数据库结构：升级到最新、查看当前版本。"""


@db.command("upgrade")
def db_upgrade() -> None:
    """把数据库结构升级到最新（新库会被建好；旧库的数据全部保留）。"""
    store = open_store(create=True)
    click.echo(f"数据库结构已是最新版本：{_revision(store)}")
    store.dispose()


@db.command("current")
def db_current() -> None:
    """显示数据库结构的当前版本（不做改动）。"""
    settings = settings_of()
    if (missing := missing_sqlite_file(settings.database.url)) is not None:
        raise StoreError(f"没有找到数据库文件 {missing}；第一次使用请先运行 pufa init。")
    store = Store(settings.database.url)
    revision = _revision(store)
    store.dispose()
    click.echo(
        f"当前版本：{revision}" if revision else "还没有版本记录（新库，或旧版 pufa 建的库）"
    )


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """把整个数据库备份到 TARGET 文件（服务运行中也可以做）。"""
    from bot.store.backup import backup

    backup(settings_of().database.url, target)
    click.echo(f"已备份到 {target}（{target.stat().st_size // 1024} KB）")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="不再询问，直接用备份覆盖现有数据")
def restore_command(source: Path, yes: bool) -> None:
    """用 SOURCE 备份文件恢复数据库（会覆盖现有数据；请先停止网页服务和定时任务进程）。"""
    from bot.store.backup import restore

    url = settings_of().database.url
    if not yes:
        click.confirm(f"用 {source} 覆盖数据库 {shown(url)} 的全部数据？", abort=True)
    restore(url, source)
    store = open_store()  # a backup from an older release is upgraded to this one
    click.echo(f"已恢复，数据库结构版本：{_revision(store)}")
    store.dispose()
