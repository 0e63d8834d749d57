"""The figures leaders read: what residents asked, by topic, village and time, and push reach.

Rows are read with plain queries and bucketed in the township's time zone in Python, the
same way on SQLite and PostgreSQL (a township's year is a few thousand rows).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.engine import Engine

from bot.store.quizzes import QuizFigures, quiz_figures
from bot.store.tables import deliveries, feedback, pushes, questions, residents
from bot.store.ticket_ledger import Ledger, ledger
from knowledge.kb import KnowledgeBase
from knowledge.quizzes import Quiz, load_quizzes

DEMO_PREFIX = "demo-"
UNMATCHED = "未匹配（转人工）"


@dataclass
class Figures:
    start: date
    end: date  # inclusive
    village: str | None
    questions: int = 0
    residents: int = 0
    new_residents: int = 0
    returning_residents: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    by_day: Counter[str] = field(default_factory=Counter)
    by_week: Counter[str] = field(default_factory=Counter)
    by_month: Counter[str] = field(default_factory=Counter)
    by_topic: Counter[str] = field(default_factory=Counter)
    by_village: Counter[str] = field(default_factory=Counter)
    topic_village: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_hour: Counter[int] = field(default_factory=Counter)
    top_entries: list[tuple[str, int]] = field(default_factory=list)
    helpful: int = 0
    unhelpful: int = 0
    pushes: list[dict[str, Any]] = field(default_factory=list)
    quiz: QuizFigures = field(default_factory=QuizFigures)
    demo_rows: int = 0  # made-up rows counted in these figures (only when asked for)
    left_out_demo: int = 0  # made-up rows left out
    left_out_dryrun: int = 0  # dry-run pushes left out: they reached nobody
    tickets: Ledger = field(default_factory=Ledger)

    @property
    def fit_for_report(self) -> bool:
        return self.demo_rows == 0

    def rate(self, outcome: str) -> float:
        return self.outcomes[outcome] / self.questions if self.questions else 0.0

    @property
    def satisfaction(self) -> float | None:
        total = self.helpful + self.unhelpful
        return self.helpful / total if total else None

    @property
    def pushes_sent(self) -> int:
        return sum(1 for p in self.pushes if p["sent"])

    @property
    def reach(self) -> int:
        return sum(p["reached"] for p in self.pushes)


def _bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time.min, zone).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC),
    )


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.astimezone(zone)


def compute(
    engine: Engine,
    kb: KnowledgeBase,
    start: date,
    end: date,
    timezone: str = "Asia/Shanghai",
    village: str | None = None,
    include_demo: bool = False,
    quizzes: tuple[Quiz, ...] | None = None,
) -> Figures:
    """Figures for the period. Demo residents are left out unless asked for, and dry-run
    pushes always are: neither may reach the yearly report."""
    zone = ZoneInfo(timezone)
    low, high = _bounds(start, end, zone)
    figures = Figures(start, end, village)
    topic_of = {entry.id: entry.topic for entry in kb.entries}
    title_of = {entry.id: entry.title for entry in kb.entries}
    query = select(
        questions.c.asked_at,
        questions.c.openid,
        questions.c.village,
        questions.c.outcome,
        questions.c.entry_id,
    ).where(
        and_(
            questions.c.asked_at >= low, questions.c.asked_at < high, questions.c.outcome != "chat"
        )
    )
    if village:
        query = query.where(questions.c.village == village)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        askers = {row.openid for row in rows}
        first_seen = (
            dict(
                conn.execute(
                    select(residents.c.openid, residents.c.first_seen).where(
                        residents.c.openid.in_(askers)
                    )
                ).all()
            )
            if askers
            else {}
        )
        votes = conn.execute(
            select(feedback.c.helpful, feedback.c.openid).where(
                and_(feedback.c.given_at >= low, feedback.c.given_at < high)
            )
        ).all()
    if not include_demo:
        real = [row for row in rows if not row.openid.startswith(DEMO_PREFIX)]
        figures.left_out_demo = len(rows) - len(real)
        rows = real
        askers = {row.openid for row in rows}
        votes = [vote for vote in votes if not vote.openid.startswith(DEMO_PREFIX)]
    entries: Counter[str] = Counter()
    for row in rows:
        local = _local(row.asked_at, zone)
        topic = topic_of.get(row.entry_id or "", UNMATCHED)
        place = row.village or "未填村"
        figures.questions += 1
        figures.outcomes[row.outcome] += 1
        figures.by_day[local.strftime("%Y-%m-%d")] += 1
        figures.by_week[f"{local.isocalendar().year}-W{local.isocalendar().week:02d}"] += 1
        figures.by_month[local.strftime("%Y-%m")] += 1
        figures.by_topic[topic] += 1
        figures.by_village[place] += 1
        figures.topic_village[(topic, place)] += 1
        figures.by_hour[local.hour] += 1
        if row.entry_id:
            entries[title_of.get(row.entry_id, row.entry_id)] += 1
        figures.demo_rows += row.openid.startswith(DEMO_PREFIX)
    figures.top_entries = entries.most_common(10)
    figures.residents = len(askers)
    figures.new_residents = sum(
        1 for o in askers if o in first_seen and _local(first_seen[o], zone) >= _local(low, zone)
    )
    figures.returning_residents = figures.residents - figures.new_residents
    village_askers = askers if village else None
    for vote in votes:
        if village_askers is None or vote.openid in village_askers:
            figures.helpful += bool(vote.helpful)
            figures.unhelpful += not vote.helpful
    reach = push_reach(engine, low, high)
    figures.pushes = [p for p in reach if p["channel"] != "dryrun"]
    figures.left_out_dryrun = len(reach) - len(figures.pushes)
    bank = load_quizzes() if quizzes is None else quizzes
    figures.quiz = quiz_figures(
        engine,
        low,
        high,
        village,
        include_demo,
        titles={q.id: q.title for q in bank},
        questions={(q.id, item.id): item.text for q in bank for item in q.questions},
    )
    figures.demo_rows += figures.quiz.demo_rows
    figures.left_out_demo += figures.quiz.left_out_demo
    figures.tickets = ledger(engine, low, high, village, include_demo)
    return figures


def push_reach(engine: Engine, low: datetime, high: datetime) -> list[dict[str, Any]]:
    """Each push that went out in the period: deliveries sent and failed, residents reached."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                pushes.c.id,
                pushes.c.title,
                pushes.c.campaign,
                pushes.c.channel,
                deliveries.c.state,
                deliveries.c.members,
                deliveries.c.recipient,
            )
            .join(deliveries, deliveries.c.push_id == pushes.c.id)
            .where(and_(deliveries.c.created_at >= low, deliveries.c.created_at < high))
        ).all()
    by_push: dict[int, dict[str, Any]] = {}
    for row in rows:
        item = by_push.setdefault(
            row.id,
            {
                "id": row.id,
                "title": row.title,
                "campaign": row.campaign or "",
                "channel": row.channel,
                "sent": 0,
                "failed": 0,
                "reached": 0,
            },
        )
        if row.state == "sent":
            item["sent"] += 1
            item["reached"] += len(json.loads(row.members)) if row.members else 1
        elif row.state in ("failed", "unknown"):
            item["failed"] += 1
    return sorted(by_push.values(), key=lambda p: p["id"])


def report_paragraph(figures: Figures, township: str) -> str:
    """A short paragraph in the style of the yearly 法治政府建设 report."""
    span = f"{_chinese_date(figures.start)}至{_chinese_date(figures.end)}"
    if not figures.fit_for_report:
        span = f"（含演示数据，不能用于汇报）{span}"
    parts = [
        f"{span}，{township}通过公众号开展法治宣传推送{figures.pushes_sent}次，覆盖群众{figures.reach}人次",
        f"解答群众法律咨询{figures.questions}人次（{figures.residents}人）",
        f"其中直接解答{figures.rate('answered') + figures.rate('article'):.0%}、"
        f"经选择后解答{figures.rate('choices'):.0%}、转交法律明白人或司法所"
        f"{figures.rate('fallback') + figures.rate('law_text'):.0%}",
    ]
    top = [topic for topic, _ in figures.by_topic.most_common(4) if topic != UNMATCHED][:3]
    if top:
        parts.append(f"群众咨询集中在{'、'.join(top)}等方面")
    if figures.satisfaction is not None:
        parts.append(f"群众评价“有用”占{figures.satisfaction:.0%}")
    quiz = figures.quiz
    if quiz.attempts and quiz.average_share is not None:
        parts.append(
            f"开展普法答题，{quiz.participants}人参与{quiz.attempts}人次，"
            f"平均答对率{quiz.average_share:.0%}"
        )
    tickets = figures.tickets.total
    if tickets.opened:
        parts.append(
            f"登记转介工单{tickets.opened}件，按时联系群众{tickets.contacted_in_time}件"
            f"（{tickets.in_time_rate:.0%}），已办结{tickets.resolved}件，"
            f"超时转司法所{tickets.escalated}件"
        )
    return "，".join(parts) + "。"


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
