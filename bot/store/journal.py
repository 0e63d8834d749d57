"""Messages the database could not take, kept in a small local SQLite file until it can.

The webhook writes a message here, fsynced, before it answers politely, so WeChat does not
retry and nothing the resident sent is lost. `replay` moves the messages into the database in
the order they came, skipping any whose MsgId is already there."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.store.privacy import mask_personal_numbers
from bot.store.storage import Store, StoreError, utcnow

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS waiting (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL,
    openid TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    content TEXT,
    received_at TEXT NOT NULL
)
"""


class Journal:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    @contextmanager
    def _open(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            connection = sqlite3.connect(self.path, timeout=15)
            try:
                connection.execute("PRAGMA synchronous=FULL")  # on disk before we answer
                connection.execute(SCHEMA)
                with connection:
                    yield connection
            finally:
                connection.close()

    def write(self, key: str, openid: str, msg_type: str, content: str | None) -> None:
        masked = mask_personal_numbers(content) if content else content
        with self._open() as db:
            db.execute(
                "INSERT INTO waiting (dedupe_key, openid, msg_type, content, received_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, openid, msg_type, masked, utcnow().isoformat()),
            )

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with self._open() as db:
            return int(db.execute("SELECT count(*) FROM waiting").fetchone()[0])

    def replay(self, store: Store) -> int:
        """Move waiting messages into the database, oldest first; stop at the first failure
        and leave the rest for the next run. Returns how many were moved."""
        if not self.path.exists():
            return 0
        moved = 0
        with self._open() as db:
            rows = db.execute(
                "SELECT id, dedupe_key, openid, msg_type, content, received_at"
                " FROM waiting ORDER BY id"
            ).fetchall()
            for row_id, key, openid, msg_type, content, received_at in rows:
                try:
                    store.import_inbound(
                        key, openid, msg_type, content, datetime.fromisoformat(received_at)
                    )
                except (SQLAlchemyError, StoreError):
                    log.warning("the database is still not taking messages; %s wait", len(rows))
                    break
                db.execute("DELETE FROM waiting WHERE id = ?", (row_id,))
                db.commit()
                moved += 1
        if moved:
            log.info("replayed %s journalled messages into the database", moved)
        return moved
