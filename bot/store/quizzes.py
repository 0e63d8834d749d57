"""普法答题 in the database: attempts and answers, best scores, and the figures leaders read."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Engine

from bot.store.quiz_tables import quiz_answers, quiz_attempts
from bot.store.storage import inserted_id, utcnow
from bot.store.unit import begin, connect

DEMO_PREFIX = "demo-"


class QuizStore:
    """The attempts side of handlers.context.Quizzes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start_attempt(
        self, openid: str, village: str | None, quiz_id: str, campaign: str | None, total: int
    ) -> int:
        with begin(self.engine) as conn:
            return inserted_id(
                conn.execute(
                    insert(quiz_attempts).values(
                        openid=openid,
                        village=village,
                        quiz_id=quiz_id,
                        campaign=campaign,
                        started_at=utcnow(),
                        score=0,
                        total=total,
                    )
                )
            )

    def record_answer(
        self, attempt_id: int, quiz_id: str, question_id: str, choice: str, correct: bool
    ) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                insert(quiz_answers).values(
                    attempt_id=attempt_id,
                    quiz_id=quiz_id,
                    question_id=question_id,
                    choice=choice,
                    correct=correct,
                    answered_at=utcnow(),
                )
            )
            if correct:
                conn.execute(
                    update(quiz_attempts)
                    .where(quiz_attempts.c.id == attempt_id)
                    .values(score=quiz_attempts.c.score + 1)
                )

    def finish_attempt(self, attempt_id: int) -> int:
        """Close the attempt; its score."""
        with begin(self.engine) as conn:
            conn.execute(
                update(quiz_attempts)
                .where(quiz_attempts.c.id == attempt_id)
                .values(finished_at=utcnow())
            )
            return int(
                conn.execute(
                    select(quiz_attempts.c.score).where(quiz_attempts.c.id == attempt_id)
                ).scalar_one()
            )

    def best_scores(self, openid: str) -> dict[str, int]:
        """The resident's best finished score per quiz."""
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(quiz_attempts.c.quiz_id, func.max(quiz_attempts.c.score))
                .where(
                    and_(quiz_attempts.c.openid == openid, quiz_attempts.c.finished_at.is_not(None))
                )
                .group_by(quiz_attempts.c.quiz_id)
            ).all()
        return {str(quiz_id): int(best) for quiz_id, best in rows}


@dataclass
class Group:
    participants: int = 0
    attempts: int = 0
    average: float = 0.0  # points, out of `total`
    total: int = 0


@dataclass
class QuizFigures:
    by_quiz: dict[str, Group] = field(default_factory=dict)
    by_village: dict[str, Group] = field(default_factory=dict)
    by_campaign: dict[str, Group] = field(default_factory=dict)
    hardest: list[dict[str, Any]] = field(default_factory=list)
    participants: int = 0
    demo_rows: int = 0  # made-up attempts counted (only when asked for)
    left_out_demo: int = 0

    @property
    def attempts(self) -> int:
        return sum(g.attempts for g in self.by_quiz.values())

    @property
    def average_share(self) -> float | None:
        """Share of questions right over every finished attempt."""
        points = sum(g.average * g.attempts for g in self.by_quiz.values())
        asked = sum(g.total * g.attempts for g in self.by_quiz.values())
        return points / asked if asked else None


def _groups(rows: Sequence[Any], key: Callable[[Any], str]) -> dict[str, Group]:
    people: dict[str, set[str]] = defaultdict(set)
    scores: dict[str, list[int]] = defaultdict(list)
    totals: dict[str, int] = {}
    for row in rows:
        name = key(row)
        people[name].add(row.openid)
        scores[name].append(row.score)
        totals[name] = max(totals.get(name, 0), row.total)
    return {
        name: Group(
            len(people[name]),
            len(scores[name]),
            sum(scores[name]) / len(scores[name]),
            totals[name],
        )
        for name in sorted(scores, key=lambda n: (-len(people[n]), n))
    }


def quiz_figures(
    engine: Engine,
    low: datetime,
    high: datetime,
    village: str | None = None,
    include_demo: bool = False,
    titles: dict[str, str] | None = None,
    questions: dict[tuple[str, str], str] | None = None,
) -> QuizFigures:
    """Finished attempts in [low, high): participants and average score by quiz, village and
    campaign; the questions with the lowest share right."""
    titles, questions = titles or {}, questions or {}
    attempts = select(quiz_attempts).where(
        and_(
            quiz_attempts.c.finished_at >= low,
            quiz_attempts.c.finished_at < high,
        )
    )
    answers = (
        select(quiz_answers.c.quiz_id, quiz_answers.c.question_id, quiz_answers.c.correct)
        .add_columns(quiz_attempts.c.openid)
        .join(quiz_attempts, quiz_attempts.c.id == quiz_answers.c.attempt_id)
        .where(and_(quiz_answers.c.answered_at >= low, quiz_answers.c.answered_at < high))
    )
    if village:
        attempts = attempts.where(quiz_attempts.c.village == village)
        answers = answers.where(quiz_attempts.c.village == village)
    with connect(engine) as conn:
        rows = conn.execute(attempts).all()
        answer_rows = conn.execute(answers).all()
    figures = QuizFigures()
    if not include_demo:
        real = [r for r in rows if not r.openid.startswith(DEMO_PREFIX)]
        figures.left_out_demo = len(rows) - len(real)
        rows = real
        answer_rows = [r for r in answer_rows if not r.openid.startswith(DEMO_PREFIX)]
    figures.demo_rows = sum(r.openid.startswith(DEMO_PREFIX) for r in rows)
    figures.participants = len({r.openid for r in rows})
    figures.by_quiz = _groups(rows, lambda r: titles.get(r.quiz_id, r.quiz_id))
    figures.by_village = _groups(rows, lambda r: r.village or "未填村")
    figures.by_campaign = _groups(rows, lambda r: r.campaign or "平时")
    asked: Counter[tuple[str, str]] = Counter()
    right: Counter[tuple[str, str]] = Counter()
    for row in answer_rows:
        asked[(row.quiz_id, row.question_id)] += 1
        right[(row.quiz_id, row.question_id)] += bool(row.correct)
    ranked = sorted(asked, key=lambda k: (right[k] / asked[k], -asked[k], k))
    figures.hardest = [
        {
            "quiz": titles.get(quiz_id, quiz_id),
            "question": questions.get((quiz_id, question_id), question_id),
            "answered": asked[(quiz_id, question_id)],
            "right": right[(quiz_id, question_id)],
            "share": right[(quiz_id, question_id)] / asked[(quiz_id, question_id)],
        }
        for quiz_id, question_id in ranked[:10]
    ]
    return figures
