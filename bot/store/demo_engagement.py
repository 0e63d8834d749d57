"""Made-up referral tickets and quiz attempts for the demonstration residents, so the 台账 and
the 普法答题 figures can be tried too. Like every demo row, they never reach the report."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from bot.store.quiz_tables import quiz_answers, quiz_attempts
from bot.store.referral_tables import ticket_events, ticket_notices, tickets
from bot.store.storage import inserted_id
from bot.store.ticket_ledger import DEMO_PREFIX
from knowledge.quizzes import Quiz, load_quizzes

REASONS = ("request", "request", "fallbacks", "unhelpful", "crisis")


def clear(conn: Connection) -> None:
    demo_tickets = select(tickets.c.id).where(tickets.c.openid.like(f"{DEMO_PREFIX}%"))
    demo_attempts = select(quiz_attempts.c.id).where(quiz_attempts.c.openid.like(f"{DEMO_PREFIX}%"))
    conn.execute(delete(ticket_events).where(ticket_events.c.ticket_id.in_(demo_tickets)))
    conn.execute(delete(ticket_notices).where(ticket_notices.c.ticket_id.in_(demo_tickets)))
    conn.execute(delete(tickets).where(tickets.c.openid.like(f"{DEMO_PREFIX}%")))
    conn.execute(delete(quiz_answers).where(quiz_answers.c.attempt_id.in_(demo_attempts)))
    conn.execute(delete(quiz_attempts).where(quiz_attempts.c.openid.like(f"{DEMO_PREFIX}%")))


def seed(
    conn: Connection,
    rng: random.Random,
    first: dict[str, datetime],
    home: dict[str, str | None],
    now: datetime,
) -> None:
    bank = load_quizzes()
    for openid, since in first.items():
        if rng.random() < 0.08:
            _ticket(conn, rng, openid, home[openid], since + (now - since) * rng.random(), now)
        if rng.random() < 0.25:
            quiz = rng.choice(bank)
            _attempt(conn, rng, openid, home[openid], since + (now - since) * rng.random(), quiz)


def _ticket(
    conn: Connection,
    rng: random.Random,
    openid: str,
    village: str | None,
    opened: datetime,
    now: datetime,
) -> None:
    due = opened + timedelta(hours=24)
    contacted = (
        opened + timedelta(hours=rng.choice((2, 5, 9, 20, 30))) if rng.random() < 0.8 else None
    )
    contacted = contacted if contacted is None or contacted < now else None
    late = contacted is None and due < now or bool(contacted and contacted > due)
    resolved = contacted + timedelta(days=rng.uniform(0.5, 6)) if contacted else None
    resolved = resolved if resolved is not None and resolved < now else None
    state = "resolved" if resolved else "contacted" if contacted else "open"
    conn.execute(
        insert(tickets).values(
            openid=openid,
            village=village,
            reason=rng.choice(REASONS),
            question="（演示数据）居民求助",
            state=state,
            desk="sifasuo" if late or village is None else "village",
            opened_at=opened,
            due_at=due,
            contacted_at=contacted,
            resolved_at=resolved,
            escalated_at=due if late else None,
            updated_at=resolved or contacted or opened,
        )
    )


def _attempt(
    conn: Connection,
    rng: random.Random,
    openid: str,
    village: str | None,
    started: datetime,
    quiz: Quiz,
) -> None:
    drawn = rng.sample(quiz.questions, min(5, len(quiz.questions)))
    right = [rng.random() < 0.7 for _ in drawn]
    attempt = inserted_id(
        conn.execute(
            insert(quiz_attempts).values(
                openid=openid,
                village=village,
                quiz_id=quiz.id,
                campaign=quiz.campaign,
                started_at=started,
                finished_at=started + timedelta(minutes=3),
                score=sum(right),
                total=len(drawn),
            )
        )
    )
    for question, correct in zip(drawn, right, strict=True):
        conn.execute(
            insert(quiz_answers).values(
                attempt_id=attempt,
                quiz_id=quiz.id,
                question_id=question.id,
                choice=question.answer if correct else "X",
                correct=correct,
                answered_at=started + timedelta(minutes=1),
            )
        )
