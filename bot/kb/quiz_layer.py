"""Staff changes to the quiz banks, reviewed by a second person like knowledge-base changes.

The bundled banks stay untouched; the latest approved change of a quiz is laid over them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from bot.kb import reviewed
from bot.kb.reviewed import ChangeError
from bot.store.quiz_tables import quiz_changes
from bot.store.quizzes import QuizStore
from bot.store.storage import inserted_id, utcnow
from bot.store.users import get_user
from knowledge.kb import KnowledgeBase
from knowledge.quizzes import (
    LETTERS,
    Question,
    Quiz,
    campaign_days,
    campaign_names,
    check_quiz,
    in_season_first,
    quiz_from_dict,
    quiz_to_dict,
)

FIELDS = {"编号": "id", "题目": "text", "答案": "answer", "解释": "explain", "依据": "cite"}
_OPTION = re.compile(r"^([A-D])\s*[.、:：]\s*(.+)$")


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


def questions_text(quiz: Quiz) -> str:
    """The questions as staff edit them in the console: one block a question."""
    blocks = []
    for q in quiz.questions:
        options = [f"{letter}. {text}" for letter, text in zip(LETTERS, q.options, strict=False)]
        blocks.append(
            "\n".join(
                [f"编号：{q.id}", f"题目：{q.text}", *options]
                + [f"答案：{q.answer}", f"解释：{q.explain}", f"依据：{q.cite}"]
            )
        )
    return "\n\n".join(blocks)


def parse_questions(text: str, quiz_id: str) -> tuple[Question, ...]:
    """Blocks separated by a blank line; a block without 编号 gets one from its place."""
    questions, problems = [], []
    blocks = [b for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    for number, block in enumerate(blocks, 1):
        values: dict[str, str] = {}
        options: list[str] = []
        for line in (line.strip() for line in block.splitlines() if line.strip()):
            option = _OPTION.match(unicodedata.normalize("NFKC", line[:2]).upper() + line[2:])
            head, _, rest = line.replace(":", "：").partition("：")
            if option:
                options.append(option.group(2).strip())
            elif head in FIELDS and rest.strip():
                values[FIELDS[head]] = rest.strip()
            else:
                problems.append(f"第{number}题看不懂这一行：{line[:30]}")
        missing = [name for name, key in FIELDS.items() if key != "id" and key not in values]
        if missing:
            problems.append(f"第{number}题缺少：{'、'.join(missing)}")
            continue
        questions.append(
            Question(
                id=values.get("id", f"{quiz_id}-{number}"),
                text=values["text"],
                options=tuple(options),
                answer=unicodedata.normalize("NFKC", values["answer"]).strip().upper(),
                explain=values["explain"],
                cite=values["cite"],
            )
        )
    if problems:
        raise ChangeError(problems)
    return tuple(questions)


def with_invite(
    body: str, bank: tuple[Quiz, ...], quiz_id: str, invite: Callable[[str], str]
) -> tuple[str, Quiz]:
    """A push naming a quiz tells residents what to reply: `invite(name)` is the line."""
    quiz = next((q for q in bank if q.id == quiz_id or q.name == quiz_id), None)
    if quiz is None:
        raise ChangeError([f"没有这个答题：{quiz_id}（可选：{'、'.join(q.id for q in bank)}）"])
    if f"“{quiz.name}”" not in body:
        body = f"{body}\n\n{invite(quiz.name)}"
    return body, quiz


class QuizLayer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def version(self) -> int:
        return reviewed.approved_version(self.engine, quiz_changes)

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
            return inserted_id(
                conn.execute(
                    insert(quiz_changes).values(
                        quiz_id=quiz.id,
                        action=action,
                        payload=json.dumps(quiz_to_dict(quiz), ensure_ascii=False),
                        state="pending",
                        author=author,
                        created_at=utcnow(),
                    )
                )
            )

    def review(self, change_id: int, reviewer: str, approve: bool, comment: str = "") -> QuizChange:
        change = self.get(change_id)
        reviewed.review(self.engine, quiz_changes, change, change_id, reviewer, approve, comment)
        return self.get(change_id)

    def get(self, change_id: int) -> QuizChange:
        return _change(reviewed.fetch(self.engine, quiz_changes, change_id))

    def list(self, state: str | None = None) -> list[QuizChange]:
        return [_change(row) for row in reviewed.listed(self.engine, quiz_changes, state)]


class LiveQuizzes(QuizStore):
    """What handlers reach as `ctx.services.quizzes`: the banks as approved, and attempts.
    Every worker sees an approval on its next quiz message (one small query)."""

    def __init__(
        self, engine: Engine, base: tuple[Quiz, ...], timezone: str = "Asia/Shanghai"
    ) -> None:
        super().__init__(engine)
        self.zone = ZoneInfo(timezone)
        self.days = campaign_days()
        self.layer = QuizLayer(engine)
        self.base = base
        self._version = -1
        self._bank: tuple[Quiz, ...] = base

    def bank(self) -> tuple[Quiz, ...]:
        version = self.layer.version()
        if version != self._version:
            self._bank, self._version = self.layer.apply(self.base), version
        return in_season_first(self._bank, datetime.now(self.zone).date(), self.days)


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
