"""Storage behind one thin module: SQLAlchemy Core, SQLite by default, any URL by setting."""

from __future__ import annotations

import json
import os
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, create_engine, event, func, select, update
from sqlalchemy.engine import Connection, CursorResult, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, OperationalError

from bot.store import statements as sql
from bot.store.privacy import mask_personal_numbers
from bot.store.tables import (
    conversations,
    feedback,
    metadata,
    questions,
    residents,
    tag_queue,
)
from bot.store.unit import begin, connect, transaction
from knowledge.errors import PufaError


def utcnow() -> datetime:
    return datetime.now(UTC)


def inserted_id(result: CursorResult[Any]) -> int:
    """The id of the row a single-row INSERT just added."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the INSERT reported no primary key for the new row")
    return int(key[0])


@dataclass(frozen=True)
class Claim:
    """Result of claiming a WeChat delivery: ours to answer, or a retry of an earlier one."""

    claimed: bool
    inbound_id: int | None
    reply: str | None


@dataclass(frozen=True)
class Visitor:
    """What answering a delivery needs to know of its sender, read at once."""

    recent: int  # deliveries in the window asked for, in every worker
    village: str | None
    state: dict[str, Any]


class StoreError(PufaError):
    """The database URL is wrong, or the database cannot be reached or found."""


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine: Engine = _engine(url)
            _forget_pool_in_children(self.engine)
        except (ArgumentError, NoSuchModuleError, ImportError, ValueError):
            raise StoreError(
                f"数据库地址无效：{shown(url)}。SQLite 写作 sqlite:///pufa.db，PostgreSQL 写作 "
                "postgresql+psycopg://用户@主机:5432/库名（需 pip install -e '.[postgres]'）。"
            ) from None

    def create_schema(self) -> None:
        """Create or upgrade the tables by the migrations in bot/store/migrations. A throw-away
        in-memory database (`pufa ask`, `pufa chat`) gets the same tables without the history."""
        if make_url(self.url).database in (None, "", ":memory:"):
            metadata.create_all(self.engine)
            return
        from bot.store import migrate  # Alembic: a tenth of a second to import

        try:
            migrate.upgrade(self.engine)
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else ""
            raise StoreError(f"连不上数据库 {shown(self.url)}：{reason}") from None

    def dispose(self) -> None:
        self.engine.dispose()

    def visitor(self, openid: str, seconds: int) -> Visitor:
        since = utcnow() - timedelta(seconds=seconds)
        with connect(self.engine) as conn:
            row = conn.execute(sql.VISITOR, {"who": openid, "since": since}).one()
        return Visitor(int(row.recent), row.village, json.loads(row.state) if row.state else {})

    def import_inbound(
        self, key: str, openid: str, msg_type: str, content: str | None, received_at: datetime
    ) -> bool:
        """A journalled delivery, moved in after an outage; False if its MsgId is here already."""
        row = {
            "dedupe_key": key,
            "openid": openid,
            "msg_type": msg_type,
            "content": content,
            "received_at": received_at,
        }
        try:
            with self.engine.begin() as conn:  # alone: a failed insert ends its transaction
                conn.execute(sql.INSERT_INBOUND, row)
        except IntegrityError:
            return False
        return True

    # -- deliveries -------------------------------------------------------------------
    def claim_inbound(
        self,
        key: str,
        openid: str,
        msg_type: str,
        content: str | None,
        held: Connection | None = None,
    ) -> Claim:
        """`held`: the connection the rest of the delivery will use (one checkout, not two)."""
        row = {
            "dedupe_key": key,
            "openid": openid,
            "msg_type": msg_type,
            "content": mask_personal_numbers(content) if content else content,
            "received_at": utcnow(),
        }
        try:  # committed at once, in no unit: the other workers must see the claim
            with transaction(self.engine, held) as conn:
                new_id = inserted_id(conn.execute(sql.INSERT_INBOUND, row))
            return Claim(True, new_id, None)
        except IntegrityError:
            with transaction(self.engine, held) as conn:
                found = conn.execute(sql.CLAIMED, {"key": key}).first()
            return Claim(False, found.id if found else None, found.reply if found else None)

    def finish_inbound(self, inbound_id: int, reply: str) -> None:
        with begin(self.engine) as conn:
            conn.execute(sql.FINISH_INBOUND, {"row": inbound_id, "text": reply, "at": utcnow()})

    def wait_reply(self, key: str, timeout: float, interval: float = 0.1) -> str | None:
        """Wait for another worker that is still answering the same delivery."""
        deadline = time.monotonic() + timeout
        while True:
            with connect(self.engine) as conn:
                reply = conn.execute(sql.REPLY_OF, {"key": key}).scalar()
            if reply is not None or time.monotonic() >= deadline:
                return reply
            time.sleep(interval)

    # -- residents --------------------------------------------------------------------
    def touch_resident(self, openid: str, subscribed: bool | None = None) -> None:
        now = utcnow()
        values: dict[str, Any] = {"last_seen": now}
        if subscribed is not None:
            values["subscribed"] = subscribed
            values["unsubscribed_at"] = None if subscribed else now
        row = {"openid": openid, "first_seen": now, "subscribed": True, **values}
        self._upsert(residents, row, ("openid",), tuple(values))

    def set_village(self, openid: str, village: str) -> None:
        """Record the village and queue the WeChat tag change for the scheduler process."""
        self.touch_resident(openid)
        with begin(self.engine) as conn:
            conn.execute(
                update(residents).where(residents.c.openid == openid).values(village=village)
            )
            conn.execute(
                tag_queue.insert().values(
                    openid=openid, village=village, state="pending", attempts=0, created_at=utcnow()
                )
            )

    def resident(self, openid: str) -> dict[str, Any] | None:
        with connect(self.engine) as conn:
            row = conn.execute(sql.RESIDENT, {"who": openid}).mappings().first()
        return dict(row) if row else None

    # -- questions and feedback -------------------------------------------------------
    def record_question(
        self,
        openid: str,
        text: str,
        channel: str,
        outcome: str,
        entry_id: str | None = None,
        score: float | None = None,
        candidates: list[dict[str, Any]] | None = None,
        inbound_id: int | None = None,
    ) -> int:
        with begin(self.engine) as conn:
            result = conn.execute(
                sql.INSERT_QUESTION,
                {
                    "asked_at": utcnow(),
                    "openid": openid,
                    "asker": openid,
                    "channel": channel,
                    "text": mask_personal_numbers(text),
                    "outcome": outcome,
                    "entry_id": entry_id,
                    "score": score,
                    "candidates": json.dumps(candidates or [], ensure_ascii=False),
                    "inbound_id": inbound_id,
                },
            )
            return inserted_id(result)

    def resolve_choice(self, question_id: int, entry_id: str) -> None:
        """The resident picked an entry from a "did you mean" list."""
        with begin(self.engine) as conn:
            conn.execute(
                update(questions).where(questions.c.id == question_id).values(entry_id=entry_id)
            )

    def record_feedback(
        self, openid: str, question_id: int | None, entry_id: str | None, helpful: bool
    ) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                feedback.insert().values(
                    given_at=utcnow(),
                    openid=openid,
                    question_id=question_id,
                    entry_id=entry_id,
                    helpful=helpful,
                )
            )

    def count(self, table_name: str) -> int:
        table = metadata.tables[table_name]
        with connect(self.engine) as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    # -- conversation state -----------------------------------------------------------
    def state(self, openid: str) -> dict[str, Any]:
        with connect(self.engine) as conn:
            raw = conn.execute(sql.STATE, {"who": openid}).scalar()
        return json.loads(raw) if raw else {}

    def save_state(self, openid: str, state: dict[str, Any]) -> None:
        payload = json.dumps(state, ensure_ascii=False)
        now = utcnow()
        row = {"openid": openid, "state": payload, "updated_at": now}
        self._upsert(conversations, row, ("openid",), ("state", "updated_at"))

    def _upsert(
        self, table: Table, row: dict[str, Any], keys: tuple[str, ...], changes: tuple[str, ...]
    ) -> None:
        """Insert `row`, or where `keys` exist already set the columns `changes` from `row`."""
        statement = sql.upsert(self.engine.dialect.name, table, keys, changes)
        with begin(self.engine) as conn:
            conn.execute(statement, row)


def shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


def _forget_pool_in_children(engine: Engine) -> None:
    """A forked worker (gunicorn --preload) must not share its parent's open connections: it
    drops the inherited pool, without closing those connections, and opens its own."""
    ref = weakref.ref(engine)

    def after_fork() -> None:
        if (alive := ref()) is not None:
            alive.dispose(close=False)

    os.register_at_fork(after_in_child=after_fork)


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(
                "PRAGMA synchronous=NORMAL"
            )  # safe with WAL; loses at most the last commits on power loss
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)
