"""The push commands of `pufa`: the lifecycle, users for scripts, times, campaigns, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import main
from bot.settings import DEFAULT_CONFIG

from ..pushkit import AUTHOR, REVIEWER


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


def new_push(text: str, at: str) -> list[str]:
    return ["push", "new", "--as", AUTHOR, "--title", "t", "--text", text, "--at", at]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["push", "show", "42"], "没有编号为 42"),
        (
            new_push("x", "2020-01-01 09:00"),
            "已经过去",
        ),
        (
            new_push(" ", "2099-01-01 09:00"),
            "不能为空",
        ),
        (
            new_push("法" * 800, "2099-01-01 09:00"),
            "字节",
        ),
        (
            new_push("x", "明天"),
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
