"""What the knowledge base and the quiz banks share: a staff change waits for a second person
(合法性审查前置), who approves it or sends it back with a reason."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Table, and_, func, select, update
from sqlalchemy.engine import Engine, RowMapping

from bot.store.storage import utcnow
from bot.store.users import get_user
from knowledge.errors import PufaError


class ChangeError(PufaError):
    """Every reason a change is refused, in Chinese, at once."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


class Pending(Protocol):
    @property
    def state(self) -> str: ...
    @property
    def author(self) -> str: ...


def review(
    engine: Engine,
    table: Table,
    change: Pending,
    change_id: int,
    reviewer: str,
    approve: bool,
    comment: str = "",
) -> None:
    if change.state != "pending":
        raise ChangeError([f"修改 #{change_id} 已经处理过了"])
    if not get_user(engine, reviewer).can("reviewer"):
        raise ChangeError([f"用户 {reviewer} 没有审核权限"])
    if change.author == reviewer:
        raise ChangeError(["不能审核自己提交的修改：须由另一位审核人完成"])
    if not approve and not comment.strip():
        raise ChangeError(["退回时请写明原因"])
    with engine.begin() as conn:
        conn.execute(
            update(table)
            .where(and_(table.c.id == change_id, table.c.state == "pending"))
            .values(
                state="approved" if approve else "rejected",
                reviewer=reviewer,
                comment=comment or None,
                reviewed_at=utcnow(),
            )
        )


def fetch(engine: Engine, table: Table, change_id: int) -> RowMapping:
    with engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == change_id)).mappings().first()
    if row is None:
        raise ChangeError([f"没有编号为 {change_id} 的修改"])
    return row


def listed(engine: Engine, table: Table, state: str | None, **equal: Any) -> list[RowMapping]:
    query = select(table).order_by(table.c.id.desc())
    if state:
        query = query.where(table.c.state == state)
    for column, value in equal.items():
        if value is not None:
            query = query.where(table.c[column] == value)
    with engine.connect() as conn:
        return list(conn.execute(query).mappings())


def approved_version(engine: Engine, table: Table) -> int:
    """Changes when an approval goes live; workers compare it to rebuild what they hold."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.coalesce(func.max(table.c.id), 0)).where(table.c.state == "approved")
            ).scalar_one()
        )
