"""Backing up and restoring the database: SQLite through its online backup API, PostgreSQL
through pg_dump / pg_restore (custom format)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.store.storage import StoreError


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    if parsed.database in (None, "", ":memory:"):
        raise StoreError("内存数据库没有可备份的文件")
    return Path(parsed.database)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise StoreError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：apt install postgresql-client）"
        )
    return found


def backup(url: str, target: Path) -> None:
    """A consistent copy of the whole database in `target`, taken while pufa keeps running."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if (path := _sqlite_path(url)) is not None:
        if not path.exists():
            raise StoreError(f"没有找到数据库文件 {path}")
        with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return
    done = subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", _libpq(url)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise StoreError(f"pg_dump 失败：{done.stderr.strip()[:300]}")


def restore(url: str, source: Path) -> None:
    """Replace the database's contents with a backup made by `backup`. Stop the web tier and
    the scheduler first."""
    if not source.exists():
        raise StoreError(f"没有找到备份文件 {source}")
    if (path := _sqlite_path(url)) is not None:
        with sqlite3.connect(source) as backup_db, sqlite3.connect(path) as live:
            backup_db.backup(live)
        return
    done = subprocess.run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq(url)}",
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise StoreError(f"pg_restore 失败：{done.stderr.strip()[:300]}")
