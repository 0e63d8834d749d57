"""Staff changes to the quiz banks, reviewed by a second person like knowledge-base changes.

The bundled banks stay untouched; the latest approved change of a quiz is laid over them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Engine

from bot.kb.layer import ChangeError
from bot.store.quiz_tables import quiz_changes
from bot.store.quizzes import QuizStore
from bot.store.storage import utcnow
from bot.store.users import get_user
from knowledge.kb import KnowledgeBase
from knowledge.quizzes import Quiz, campaign_names, check_quiz, quiz_from_dict, quiz_to_dict


@dataclass(frozen=True)
class QuizChange:
    id: int
    quiz_id: str
    action: str
    quiz: Quiz | None
    state: str
    author: str
    reviewer: str | None
    comment: str | None
    created_at: Any


class QuizLayer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def version(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.coalesce(func.max(quiz_changes.c.id), 0)).where(
                        quiz_changes.c.state == "approved"
                    )
                ).scalar_one()
            )

    def apply(self, base: tuple[Quiz, ...]) -> tuple[Quiz, ...]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(quiz_changes)
                .where(quiz_changes.c.state == "approved")
                .order_by(quiz_changes.c.id)
            ).mappings()
            quizzes = {quiz.id: quiz for quiz in base}
            for row in rows:
                if row["action"] == "delete":
                    quizzes.pop(row["quiz_id"], None)
                else:
                    quizzes[row["quiz_id"]] = quiz_from_dict(json.loads(row["payload"]), "后台")
        return tuple(quizzes.values())

    def propose(
        self,
        kb: KnowledgeBase,
        live: tuple[Quiz, ...],
        quiz: Quiz,
        author: str,
        action: str = "upsert",
    ) -> int:
        if not get_user(self.engine, author).can("staff"):
            raise ChangeError([f"用户 {author} 没有编辑题库的权限"])
        if action == "upsert":
            problems = check_quiz(kb, quiz, campaign_names())
            problems += [
                f"名称“{quiz.name}”已被题库 {other.id} 使用"
                for other in live
                if other.name == quiz.name and other.id != quiz.id
            ]
            if problems:
                raise ChangeError(problems)
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    insert(quiz_changes).values(
                        quiz_id=quiz.id,
                        action=action,
                        payload=json.dumps(quiz_to_dict(quiz), ensure_ascii=False),
                        state="pending",
                        author=author,
                        created_at=utcnow(),
                    )
                ).inserted_primary_key[0]
            )

    def review(self, change_id: int, reviewer: str, approve: bool, comment: str = "") -> QuizChange:
        change = self.get(change_id)
        if change.state != "pending":
            raise ChangeError([f"修改 #{change_id} 已经处理过了"])
        if not get_user(self.engine, reviewer).can("reviewer"):
            raise ChangeError([f"用户 {reviewer} 没有审核权限"])
        if change.author == reviewer:
            raise ChangeError(["不能审核自己提交的修改：须由另一位审核人完成"])
        if not approve and not comment.strip():
            raise ChangeError(["退回时请写明原因"])
        with self.engine.begin() as conn:
            conn.execute(
                update(quiz_changes)
                .where(and_(quiz_changes.c.id == change_id, quiz_changes.c.state == "pending"))
                .values(
                    state="approved" if approve else "rejected",
                    reviewer=reviewer,
                    comment=comment or None,
                    reviewed_at=utcnow(),
                )
            )
        return self.get(change_id)

    def get(self, change_id: int) -> QuizChange:
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(quiz_changes).where(quiz_changes.c.id == change_id))
                .mappings()
                .first()
            )
        if row is None:
            raise ChangeError([f"没有编号为 {change_id} 的修改"])
        return _change(row)

    def list(self, state: str | None = None) -> list[QuizChange]:
        query = select(quiz_changes).order_by(quiz_changes.c.id.desc())
        if state:
            query = query.where(quiz_changes.c.state == state)
        with self.engine.connect() as conn:
            return [_change(row) for row in conn.execute(query).mappings()]


class LiveQuizzes(QuizStore):
    """What handlers reach as `ctx.services.quizzes`: the banks as approved, and attempts.
    Every worker sees an approval on its next quiz message (one small query)."""

    def __init__(self, engine: Engine, base: tuple[Quiz, ...]) -> None:
        super().__init__(engine)
        self.layer = QuizLayer(engine)
        self.base = base
        self._version = -1
        self._bank: tuple[Quiz, ...] = base

    def bank(self) -> tuple[Quiz, ...]:
        version = self.layer.version()
        if version != self._version:
            self._bank, self._version = self.layer.apply(self.base), version
        return self._bank


def _change(row: Any) -> QuizChange:
    payload = json.loads(row["payload"])
    return QuizChange(
        id=row["id"],
        quiz_id=row["quiz_id"],
        action=row["action"],
        quiz=quiz_from_dict(payload, "后台") if row["action"] == "upsert" else None,
        state=row["state"],
        author=row["author"],
        reviewer=row["reviewer"],
        comment=row["comment"],
        created_at=row["created_at"],
    )
