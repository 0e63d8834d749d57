"""A resident who floods the account is asked to slow down, with no matching work, in every
worker (the count is in the database)."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.storage import Store
from bot.store.tables import questions
from bot.web.app import create_app

from ..conftest import make_settings
from ..wechat import WeChat


def test_the_message_past_the_limit_gets_slow_down_and_no_answer(
    wechat: WeChat, store: Store, app
) -> None:
    limit = app.extensions["pufa"].settings.wechat.max_messages_per_minute
    assert limit == 20
    replies = [wechat.text("o-flood", f"离婚冷静期多久{i}") for i in range(limit + 2)]
    assert all("冷静期" in r for r in replies[:limit])
    assert all("发得有点快" in r for r in replies[limit:])
    with store.engine.connect() as conn:
        logged = conn.execute(select(questions.c.id).where(questions.c.openid == "o-flood")).all()
    assert len(logged) == limit  # the slowed-down messages did no matching work
    assert "冷静期" in wechat.text("o-other", "离婚冷静期多久")  # others are not affected


def test_a_second_worker_counts_the_same_messages(db_url: str, matcher, app) -> None:
    first = WeChat(app.test_client())
    for i in range(20):
        first.text("o-two", f"借钱不还怎么办{i}")
    second_app = create_app(make_settings(db_url), matcher=matcher)  # another worker, same DB
    second = WeChat(second_app.test_client())
    assert "发得有点快" in second.text("o-two", "借钱不还怎么办")
    second_app.extensions["pufa"].store.dispose()
