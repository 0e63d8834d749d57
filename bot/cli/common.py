"""What every `pufa` sub-command shares: the settings chosen by --config / PUFA_CONFIG, and
the database they name."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.settings import Settings, load_settings
from bot.store.storage import Store, StoreError

T = TypeVar("T")


@contextmanager
def progress(items: Iterable[T], label: str, quiet: bool = False) -> Iterator[Iterable[T]]:
    """A progress bar on a terminal's stderr; nothing when piped, or when asked to be quiet
    (JSON output)."""
    if quiet or not (sys.stderr.isatty() and sys.stdout.isatty()):
        yield items
        return
    with click.progressbar(list(items), label=label, file=sys.stderr) as bar:
        yield bar


def settings_of(ctx: click.Context | None = None) -> Settings:
    """Load the settings once per invocation and keep them on the root context."""
    obj = (ctx or click.get_current_context()).find_root().obj
    if obj.get("settings") is None:
        obj["settings"] = load_settings(obj.get("config"))
    return obj["settings"]


def open_store(settings: Settings | None = None, *, create: bool = False) -> Store:
    """The configured database, its tables brought up to date. Only `init` and `serve` may
    create a new SQLite file: anywhere else a missing file means the wrong folder or config."""
    settings = settings or settings_of()
    if not create:
        missing = missing_sqlite_file(settings.database.url)
        if missing is not None:
            raise StoreError(
                f"没有找到数据库文件 {missing}（配置 {settings.source} 中 [database] url = "
                f"{settings.database.url!r}，相对路径按当前目录 {Path.cwd()} 计算）。"
                "请到部署目录里运行，或用 --config / 环境变量 PUFA_CONFIG 指向正确的配置；"
                "第一次使用请先运行 pufa init。"
            )
    store = Store(settings.database.url)
    store.create_schema()
    return store


def missing_sqlite_file(url: str) -> Path | None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # Store reports a bad URL in words
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database).resolve()
    return None if path.exists() else path
