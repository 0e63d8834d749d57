"""The push workflow: review by a second person, audit, edits, campaign drafts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.push.content import Content, PushError
from bot.push.workflow import PushBook
from bot.store.storage import Store, utcnow

from ..pushkit import AUTHOR, LEADER, REVIEWER, push_settings, seed_people, soon


@pytest.fixture
def book(db_url: str) -> Iterator[PushBook]:
    store = Store(db_url)
    store.create_schema()
    seed_people(store, {"o-1": "苍岭村", "o-2": "岭口村"})
    yield PushBook(store.engine, push_settings(db_url))
    store.dispose()


def content(**changes: object) -> Content:
    base = Content("宪法日", "12月4日是国家宪法日。", "village:苍岭村", "dryrun", run_at=soon())
    return dataclasses.replace(base, **changes)


def test_review_by_a_second_person(book: PushBook) -> None:
    push_id = book.create(content(), AUTHOR)
    book.submit(push_id, AUTHOR)
    approved = book.approve(push_id, REVIEWER, "内容合法")
    assert approved.state == "approved"
    assert approved.reviewer == REVIEWER
    assert approved.approved_intact
    actions = [(row["actor"], row["action"], row["to_state"]) for row in book.audit(push_id)]
    assert actions == [
        (AUTHOR, "create", "draft"),
        (AUTHOR, "submit", "submitted"),
        (REVIEWER, "approve", "approved"),
    ]
    assert "12月4日" in book.audit(push_id)[-1]["snapshot"]


def test_author_cannot_approve_own_push(book: PushBook) -> None:
    from bot.store.users import add_user

    add_user(book.engine, "both", "password-9", "staff,reviewer")
    push_id = book.create(content(), "both")
    book.submit(push_id, "both")
    with pytest.raises(PushError, match="不能审核自己"):
        book.approve(push_id, "both")


@pytest.mark.parametrize("who", [AUTHOR, LEADER])
def test_only_reviewers_approve(book: PushBook, who: str) -> None:
    push_id = book.create(content(), AUTHOR)
    book.submit(push_id, AUTHOR)
    with pytest.raises(PushError, match="权限"):
        book.approve(push_id, who if who != AUTHOR else LEADER)


def test_editing_approved_content_sends_it_back_to_review(book: PushBook) -> None:
    push_id = book.create(content(), AUTHOR)
    book.submit(push_id, AUTHOR)
    book.approve(push_id, REVIEWER)
    edited = book.edit(push_id, content(body="改过的内容"), AUTHOR)
    assert edited.state == "submitted"
    assert edited.reviewer is None
    assert not edited.approved_intact
    with pytest.raises(PushError, match="待审核"):
        book.send_now(push_id, AUTHOR)


def test_only_allowed_steps_are_offered(book: PushBook) -> None:
    from bot.push.workflow import allowed_steps
    from bot.store.users import add_user, get_user

    add_user(book.engine, "both", "password-9", "staff,reviewer")
    author, reviewer, both = (get_user(book.engine, n) for n in (AUTHOR, REVIEWER, "both"))
    push_id = book.create(content(), "both")
    assert allowed_steps(book.get(push_id), both) == ["submit", "cancel"]
    assert allowed_steps(book.get(push_id), reviewer) == []
    book.submit(push_id, "both")
    assert allowed_steps(book.get(push_id), both) == ["cancel"]  # not their own review
    assert allowed_steps(book.get(push_id), reviewer) == ["approve", "reject"]
    book.approve(push_id, REVIEWER)
    assert allowed_steps(book.get(push_id), author) == ["send_now", "cancel"]
    assert allowed_steps(book.get(push_id), reviewer) == []
    book.mark(push_id, "sent")
    assert allowed_steps(book.get(push_id), both) == []


def test_reject_needs_a_reason_and_returns_to_draft(book: PushBook) -> None:
    push_id = book.create(content(), AUTHOR)
    book.submit(push_id, AUTHOR)
    with pytest.raises(PushError, match="原因"):
        book.reject(push_id, REVIEWER, " ")
    assert book.reject(push_id, REVIEWER, "引用条文不准确").state == "draft"


def test_cancel_and_state_rules(book: PushBook) -> None:
    push_id = book.create(content(), AUTHOR)
    with pytest.raises(PushError, match="草稿"):
        book.approve(push_id, REVIEWER)
    assert book.cancel(push_id, AUTHOR).state == "cancelled"
    with pytest.raises(PushError):
        book.submit(push_id, AUTHOR)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"body": "   "}, "不能为空"),
        ({"title": ""}, "标题不能为空"),
        ({"body": "法" * 1000}, "字节"),
        ({"run_at": utcnow() - timedelta(minutes=1)}, "已经过去"),
        ({"run_at": None}, "二者选一"),
        ({"run_at": None, "cron": "61 9 * * *"}, "周期规则"),
        ({"audience": "village:火星村"}, "没有这个村"),
        ({"audience": "wecom:网格员群"}, "企业微信"),
        ({"channel": "fax"}, "渠道"),
        ({"link_url": "javascript:alert(1)"}, "http"),
    ],
)
def test_bad_content_is_refused(book: PushBook, changes: dict[str, object], message: str) -> None:
    with pytest.raises(PushError, match=message):
        book.create(content(**changes), AUTHOR)


def test_unknown_push_and_user(book: PushBook) -> None:
    with pytest.raises(PushError, match="没有编号为 999"):
        book.get(999)
    from bot.store.users import UserError

    with pytest.raises(UserError, match="没有用户"):
        book.create(content(), "nobody")


def test_campaign_drafts_fire_at_their_local_time(book: PushBook) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.push.campaigns import load_calendar, load_into_drafts
    from bot.push.scheduler import decide

    zone = ZoneInfo("Asia/Shanghai")
    now = datetime(2099, 1, 1, tzinfo=UTC)
    created = load_into_drafts(book, 2099, AUTHOR, "dryrun", "all", now)
    assert created
    items = {f"{item.id}@2099": item for item in load_calendar()}
    for push_id in created:
        push = book.get(push_id)
        item = items[push.campaign]
        run_at = push.content.run_at
        assert run_at is not None
        assert run_at.utcoffset() == timedelta(0)
        local = run_at.astimezone(zone)
        assert (local.month, local.day, local.hour, local.minute) == (
            item.month,
            item.day,
            item.hour,
            item.minute,
        ), push.campaign
        assert decide(run_at, local - timedelta(minutes=1), 3600) == "wait"
        assert decide(run_at, local, 3600) == "run"
