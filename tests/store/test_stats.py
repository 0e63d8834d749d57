"""Leaders' figures on a real database: buckets in local time, rates, reach, Excel."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from bot.store.export import workbook
from bot.store.stats import compute, report_paragraph
from bot.store.storage import Store
from bot.store.tables import deliveries, feedback, pushes, questions, residents
from knowledge.kb import KnowledgeBase


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def store(db_url: str, kb: KnowledgeBase) -> Iterator[Store]:
    store = Store(db_url)
    store.create_schema()
    entry = kb.entry("hunyin-cooling-off")
    rows = [
        # 2025-12-31 16:30 UTC is 00:30 on 1 January in Asia/Shanghai
        ("o-old", "2025-12-31T16:30:00", "苍岭村", "answered", entry.id),
        ("o-old", "2026-01-05T02:00:00", "苍岭村", "choices", "jiedai-no-iou"),
        ("o-new", "2026-02-10T12:00:00", "岭口村", "fallback", None),
        ("o-new", "2026-02-10T12:30:00", "岭口村", "chat", None),
        ("o-new", "2027-01-01T00:00:00", "岭口村", "answered", entry.id),
    ]
    with store.engine.begin() as conn:
        conn.execute(
            insert(residents),
            [
                {
                    "openid": "o-old",
                    "village": "苍岭村",
                    "subscribed": True,
                    "first_seen": at("2025-06-01T00:00:00"),
                    "last_seen": at("2026-01-05T02:00:00"),
                },
                {
                    "openid": "o-new",
                    "village": "岭口村",
                    "subscribed": True,
                    "first_seen": at("2026-02-10T11:00:00"),
                    "last_seen": at("2026-02-10T12:30:00"),
                },
            ],
        )
        conn.execute(
            insert(questions),
            [
                {
                    "openid": o,
                    "asked_at": at(t),
                    "village": v,
                    "outcome": out,
                    "entry_id": e,
                    "channel": "text",
                    "text": "问题",
                    "candidates": "[]",
                }
                for o, t, v, out, e in rows
            ],
        )
        conn.execute(
            insert(feedback),
            [
                {"given_at": at("2026-01-05T02:05:00"), "openid": "o-old", "helpful": True},
                {"given_at": at("2026-02-10T12:05:00"), "openid": "o-new", "helpful": False},
                {"given_at": at("2026-02-10T12:06:00"), "openid": "o-new", "helpful": True},
            ],
        )
        push_id = conn.execute(
            insert(pushes).values(
                title="宪法日",
                body="b",
                audience="all",
                channel="wechat",
                state="sent",
                author="a",
                campaign="xianfa-week-4@2026",
                created_at=at("2026-01-01T00:00:00"),
                updated_at=at("2026-01-01T00:00:00"),
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(deliveries),
            [
                {
                    "push_id": push_id,
                    "occurrence": "once",
                    "channel": "wechat",
                    "recipient": "batch:00001",
                    "members": json.dumps(["a", "b", "c"]),
                    "state": "sent",
                    "attempts": 1,
                    "created_at": at("2026-03-01T01:00:00"),
                },
                {
                    "push_id": push_id,
                    "occurrence": "once",
                    "channel": "wechat",
                    "recipient": "batch:00002",
                    "members": json.dumps(["d", "e"]),
                    "state": "failed",
                    "attempts": 1,
                    "created_at": at("2026-03-01T01:00:00"),
                },
            ],
        )
    yield store
    store.dispose()


def test_figures_in_local_time(store: Store, kb: KnowledgeBase) -> None:
    figures = compute(store.engine, kb, date(2026, 1, 1), date(2026, 12, 31))
    assert figures.questions == 3  # the chat line and the 2027 question are out
    assert figures.by_day == {"2026-01-01": 1, "2026-01-05": 1, "2026-02-10": 1}
    assert figures.by_month == {"2026-01": 2, "2026-02": 1}
    assert figures.by_hour[0] == 1  # 00:30 local
    assert figures.by_topic["婚姻与离婚"] == 1
    assert figures.by_topic["借贷与担保"] == 1
    assert figures.by_topic["未匹配（转人工）"] == 1
    assert figures.topic_village[("婚姻与离婚", "苍岭村")] == 1
    assert figures.rate("fallback") == pytest.approx(1 / 3)
    assert (figures.new_residents, figures.returning_residents) == (1, 1)
    assert (figures.helpful, figures.unhelpful) == (2, 1)
    assert figures.pushes == [
        {
            "id": 1,
            "title": "宪法日",
            "campaign": "xianfa-week-4@2026",
            "channel": "wechat",
            "sent": 1,
            "failed": 1,
            "reached": 3,
        }
    ]


def test_dry_runs_and_demo_residents_never_reach_the_report(
    store: Store, kb: KnowledgeBase
) -> None:
    with store.engine.begin() as conn:
        dry = conn.execute(
            insert(pushes).values(
                title="试一下",
                body="b",
                audience="all",
                channel="dryrun",
                state="sent",
                author="a",
                created_at=at("2026-01-01T00:00:00"),
                updated_at=at("2026-01-01T00:00:00"),
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(deliveries).values(
                push_id=dry,
                occurrence="once",
                channel="dryrun",
                recipient="o-x",
                state="sent",
                attempts=1,
                created_at=at("2026-03-02T01:00:00"),
            )
        )
        conn.execute(
            insert(questions).values(
                openid="demo-0001",
                asked_at=at("2026-03-03T01:00:00"),
                village="苍岭村",
                outcome="answered",
                entry_id="hunyin-cooling-off",
                channel="text",
                text="问题",
                candidates="[]",
            )
        )
    figures = compute(store.engine, kb, date(2026, 1, 1), date(2026, 12, 31))
    assert (figures.questions, figures.pushes_sent, figures.reach) == (3, 1, 3)
    assert (figures.left_out_demo, figures.left_out_dryrun) == (1, 1)
    assert "推送1次，覆盖群众3人次" in report_paragraph(figures, "苍岭镇")
    with_demo = compute(store.engine, kb, date(2026, 1, 1), date(2026, 12, 31), include_demo=True)
    assert with_demo.questions == 4
    assert report_paragraph(with_demo, "苍岭镇").startswith("（含演示数据，不能用于汇报）")


def test_village_filter(store: Store, kb: KnowledgeBase) -> None:
    figures = compute(store.engine, kb, date(2026, 1, 1), date(2026, 12, 31), village="岭口村")
    assert figures.questions == 1
    assert (figures.helpful, figures.unhelpful) == (1, 1)


def test_report_paragraph_and_workbook(store: Store, kb: KnowledgeBase) -> None:
    figures = compute(store.engine, kb, date(2026, 1, 1), date(2026, 12, 31))
    paragraph = report_paragraph(figures, "苍岭镇")
    assert paragraph.startswith("2026年1月1日至2026年12月31日，苍岭镇通过公众号开展法治宣传推送1次")
    assert "解答群众法律咨询3人次（2人）" in paragraph
    book = load_workbook(BytesIO(workbook(figures, "苍岭镇")))
    assert {"概况", "按日", "按月", "按话题", "按村", "话题×村", "时段", "推送"} <= set(
        book.sheetnames
    )
    summary = {row[0].value: row[1].value for row in book["概况"].iter_rows()}
    assert summary["咨询人次"] == 3
    assert summary["报告段落"] == paragraph
    assert [tuple(c.value for c in row) for row in book["推送"].iter_rows(min_row=2)] == [
        (1, "宪法日", "xianfa-week-4@2026", "wechat", 1, 1, 3)
    ]


def test_retention_removes_old_texts_but_keeps_counts(store: Store, kb: KnowledgeBase) -> None:
    from datetime import timedelta

    from bot.store.retention import REMOVED, purge_old_texts

    before = compute(store.engine, kb, date(2026, 1, 1), date(2026, 12, 31))
    assert purge_old_texts(store.engine, 0) == 0
    cutoff = datetime.now(UTC) - timedelta(days=30)
    with store.engine.connect() as conn:
        old = [
            r.id
            for r in conn.execute(questions.select())
            if r.asked_at.replace(tzinfo=UTC) < cutoff
        ]
    assert purge_old_texts(store.engine, 30) == len(old) > 0
    with store.engine.connect() as conn:
        texts = {r.id: r.text for r in conn.execute(questions.select())}
    assert all(texts[i] == REMOVED for i in old)
    assert all(text != REMOVED for i, text in texts.items() if i not in old)
    after = compute(store.engine, kb, date(2026, 1, 1), date(2026, 12, 31))
    assert (after.questions, after.by_topic, after.by_village) == (
        before.questions,
        before.by_topic,
        before.by_village,
    )
