"""Demonstration rows for trying the console: clearly marked, and refused in production."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine

from bot.store import demo_engagement
from bot.store.stats import DEMO_PREFIX
from bot.store.tables import feedback, questions, residents
from knowledge.kb import KnowledgeBase

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_TEXTS = ["（演示数据）居民咨询", "（演示数据）问到", "（演示数据）想了解"]


def clear_demo(engine: Engine) -> None:
    with engine.begin() as conn:
        demo_engagement.clear(conn)
        conn.execute(delete(feedback).where(feedback.c.openid.like(f"{DEMO_PREFIX}%")))
        conn.execute(delete(questions).where(questions.c.openid.like(f"{DEMO_PREFIX}%")))
        conn.execute(delete(residents).where(residents.c.openid.like(f"{DEMO_PREFIX}%")))


def seed_demo(
    engine: Engine,
    kb: KnowledgeBase,
    villages: list[str],
    days: int = 365,
    people: int = 300,
    seed: int = 2023,
    now: datetime | None = None,
) -> int:
    """Residents with OpenIDs starting "demo-" asking questions over the past `days` days."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    clear_demo(engine)
    topics = sorted({e.topic for e in kb.entries})
    weights = {t: rng.uniform(0.3, 3.0) for t in topics}
    by_topic = {t: [e for e in kb.entries if e.topic == t] for t in topics}
    openids = [f"{DEMO_PREFIX}{n:04d}" for n in range(people)]
    home = {o: rng.choice(villages) if rng.random() < 0.85 else None for o in openids}
    first = {o: now - timedelta(days=rng.uniform(0, days)) for o in openids}
    question_rows, vote_rows = [], []
    for openid in openids:
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 5))):
            asked = first[openid] + timedelta(days=rng.uniform(0, (now - first[openid]).days or 1))
            local_hour = rng.choice((7, 8, 9, 11, 12, 13, 19, 20, 20, 21, 21, 22))
            asked = asked.astimezone(SHANGHAI).replace(hour=local_hour).astimezone(UTC)
            if asked > now:
                asked = now - timedelta(minutes=rng.randint(1, 600))
            topic = rng.choices(topics, [weights[t] for t in topics])[0]
            entry = rng.choice(by_topic[topic])
            outcome = rng.choices(("answered", "choices", "fallback"), (0.72, 0.18, 0.10))[0]
            question_rows.append(
                {
                    "asked_at": asked,
                    "openid": openid,
                    "village": home[openid],
                    "channel": "demo",
                    "text": f"{rng.choice(DEMO_TEXTS)}：{entry.title}",
                    "outcome": outcome,
                    "entry_id": None if outcome == "fallback" else entry.id,
                    "score": round(rng.uniform(0.3, 0.9), 3),
                    "candidates": "[]",
                }
            )
            if outcome != "fallback" and rng.random() < 0.3:
                vote_rows.append(
                    {
                        "given_at": asked + timedelta(minutes=2),
                        "openid": openid,
                        "entry_id": entry.id,
                        "helpful": rng.random() < 0.8,
                    }
                )
    with engine.begin() as conn:
        conn.execute(
            insert(residents),
            [
                {
                    "openid": o,
                    "village": home[o],
                    "subscribed": True,
                    "first_seen": first[o],
                    "last_seen": now,
                }
                for o in openids
            ],
        )
        conn.execute(insert(questions), question_rows)
        if vote_rows:
            conn.execute(insert(feedback), vote_rows)
        demo_engagement.seed(conn, rng, first, home, now)
    return len(question_rows)
