"""The push workflow: review by a second person, audit, edits, and the CLI's clear errors."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import main
from bot.push.content import Content, PushError
from bot.push.workflow import PushBook
from bot.settings import DEFAULT_CONFIG
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


# -- the command line ---------------------------------------------------------------------------
@pytest.fixture
def cli(tmp_path: Path) -> tuple[CliRunner, list[str]]:
    config = tmp_path / "pufa.toml"
    demo = DEFAULT_CONFIG.read_text(encoding="utf-8")
    config.write_text(
        demo.replace('url = "sqlite:///pufa.db"', f'url = "sqlite:///{tmp_path / "p.db"}"'),
        encoding="utf-8",
    )
    runner = CliRunner()
    base = ["--config", str(config)]
    assert runner.invoke(main, [*base, "init"]).exit_code == 0
    for name, role in ((AUTHOR, "staff"), (REVIEWER, "reviewer")):
        result = runner.invoke(
            main, [*base, "user", "add", name, "--role", role, "--password", "password-x"]
        )
        assert result.exit_code == 0, result.output
    return runner, base


def test_cli_users_for_scripts(cli: tuple[CliRunner, list[str]]) -> None:
    """An existing name is refused before any password prompt; a script passes the password
    on stdin; a locked account is unlocked from the command line."""
    runner, base = cli
    again = runner.invoke(main, [*base, "user", "add", REVIEWER, "--role", "reviewer"], input="")
    assert again.exit_code != 0
    assert again.output.startswith(f"错误：用户 {REVIEWER} 已存在")  # no password prompt first
    piped = runner.invoke(
        main,
        [*base, "user", "add", "zhao", "--role", "leader", "--password-stdin"],
        input="password-zhao\n",
    )
    assert piped.exit_code == 0, piped.output
    assert "已创建 zhao" in piped.output
    unlocked = runner.invoke(main, [*base, "user", "unlock", "zhao"])
    assert unlocked.exit_code == 0, unlocked.output
    assert "已解除 zhao 的登录锁定" in unlocked.output
    missing = runner.invoke(main, [*base, "user", "unlock", "nobody"])
    assert missing.exit_code == 1
    assert missing.output.startswith("错误：")


def test_cli_push_lifecycle(cli: tuple[CliRunner, list[str]]) -> None:
    runner, base = cli
    at = "明天 09:00"  # works whenever the test (or the README's example) runs
    new = runner.invoke(
        main,
        [
            *base,
            "push",
            "new",
            "--as",
            AUTHOR,
            "--title",
            "禁毒日",
            "--text",
            "远离毒品",
            "--audience",
            "village:苍岭村",
            "--at",
            at,
        ],
    )
    assert new.exit_code == 0, new.output
    assert "#1" in new.output
    assert runner.invoke(main, [*base, "push", "submit", "1", "--as", AUTHOR]).exit_code == 0
    own = runner.invoke(main, [*base, "push", "approve", "1", "--as", AUTHOR])
    assert own.exit_code == 1
    assert "权限" in own.output
    ok = runner.invoke(main, [*base, "push", "approve", "1", "--as", REVIEWER, "--comment", "同意"])
    assert "已审核" in ok.output
    shown = runner.invoke(main, [*base, "push", "show", "1"])
    assert "审核通过  待审核→已审核  同意" in shown.output
    assert "None" not in shown.output
    assert "09:00" in shown.output.splitlines()[0]
    assert "远离毒品" in shown.output
    listed = runner.invoke(main, [*base, "push", "list", "--state", "approved"])
    assert "禁毒日" in listed.output
    assert "苍岭村的居民" in listed.output
    quiet = runner.invoke(
        main,
        [*base, "push", "new", "--as", AUTHOR, "--title", "t", "--text", "x", "--at", "+2h", "-q"],
    )
    assert quiet.output.strip() == "2"


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("明天 09:00", "2026-12-05 09:00"),
        ("后天 8:30", "2026-12-06 08:30"),
        ("+30m", "2026-12-04 23:50"),
        ("+2d", "2026-12-06 23:20"),
        ("2027-01-01 09:00", "2027-01-01 09:00"),
    ],
)
def test_push_times_relative_to_now(text: str, local: str) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.cli.push import _parse_time

    now = datetime(2026, 12, 4, 15, 20, tzinfo=UTC)  # 23:20 in Shanghai
    parsed = _parse_time(text, "Asia/Shanghai", now)
    assert parsed.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M") == local


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["push", "show", "42"], "没有编号为 42"),
        (
            [
                "push",
                "new",
                "--as",
                AUTHOR,
                "--title",
                "t",
                "--text",
                "x",
                "--at",
                "2020-01-01 09:00",
            ],
            "已经过去",
        ),
        (
            [
                "push",
                "new",
                "--as",
                AUTHOR,
                "--title",
                "t",
                "--text",
                " ",
                "--at",
                "2099-01-01 09:00",
            ],
            "不能为空",
        ),
        (
            [
                "push",
                "new",
                "--as",
                AUTHOR,
                "--title",
                "t",
                "--text",
                "法" * 800,
                "--at",
                "2099-01-01 09:00",
            ],
            "字节",
        ),
        (
            ["push", "new", "--as", AUTHOR, "--title", "t", "--text", "x", "--at", "明天"],
            "时间格式",
        ),
        (["push", "approve", "7", "--as", REVIEWER], "没有编号为 7"),
        (["user", "add", "x", "--role", "boss", "--password", "password-x"], "角色"),
    ],
)
def test_cli_errors_are_clear(
    cli: tuple[CliRunner, list[str]], args: list[str], message: str
) -> None:
    runner, base = cli
    result = runner.invoke(main, [*base, *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_campaign_calendar_shows_constitution_week(cli: tuple[CliRunner, list[str]]) -> None:
    runner, base = cli
    result = runner.invoke(main, [*base, "campaigns", "--year", "2027"])
    week = [line for line in result.output.splitlines() if "宪法宣传周" in line]
    assert len(week) == 7
    assert any(line.startswith("2027-12-04 08:30") for line in week)
    loaded = runner.invoke(main, [*base, "campaigns", "--year", "2099", "--load", AUTHOR])
    assert "已建 18 条推送草稿" in loaded.output
    again = runner.invoke(main, [*base, "campaigns", "--year", "2099", "--load", AUTHOR])
    assert "已建 0 条" in again.output


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
