"""The statements every WeChat delivery runs, built once with bound parameters.

Built per call, a statement costs SQLAlchemy about three times its execution on SQLite (the
construction and the cache key); built once, only the values change."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.tables import conversations, inbound, questions, residents

RECENT_INBOUND = (
    select(func.count())
    .select_from(inbound)
    .where(inbound.c.openid == bindparam("who"), inbound.c.received_at >= bindparam("since"))
)
INSERT_INBOUND = inbound.insert()
CLAIMED = select(inbound.c.id, inbound.c.reply).where(inbound.c.dedupe_key == bindparam("key"))
REPLY_OF = select(inbound.c.reply).where(inbound.c.dedupe_key == bindparam("key"))
FINISH_INBOUND = (
    update(inbound)
    .where(inbound.c.id == bindparam("row"))
    .values(reply=bindparam("text"), replied_at=bindparam("at"))
)
RESIDENT = select(residents).where(residents.c.openid == bindparam("who"))
# the asker's village as it is when the question is logged, read by the insert itself
INSERT_QUESTION = questions.insert().values(
    village=select(residents.c.village)
    .where(residents.c.openid == bindparam("asker"))
    .scalar_subquery()
)
STATE = select(conversations.c.state).where(conversations.c.openid == bindparam("who"))
# What answering a delivery reads about its sender, in one round trip: the deliveries of the
# last minute (the flood limit), the village and the conversation state.
VISITOR = select(
    RECENT_INBOUND.scalar_subquery().label("recent"),
    select(residents.c.village)
    .where(residents.c.openid == bindparam("who"))
    .scalar_subquery()
    .label("village"),
    STATE.scalar_subquery().label("state"),
)
# the dialects' own INSERT, which has ON CONFLICT (the generic one has not)
DialectInsert = sqlite.Insert | postgresql.Insert
DIALECT_INSERT: dict[str, Callable[[Table], DialectInsert]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


@lru_cache(maxsize=32)
def upsert(
    dialect: str, table: Table, keys: tuple[str, ...], changes: tuple[str, ...]
) -> DialectInsert:
    """Insert a row, or set `changes` to the new row's values where `keys` already exist."""
    insert = DIALECT_INSERT.get(dialect)
    if insert is None:
        raise NotImplementedError(f"upsert is not implemented for {dialect}")
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: statement.excluded[name] for name in changes}
    )
