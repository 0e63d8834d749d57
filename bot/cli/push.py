"""`pufa push …`, `pufa campaigns` and `pufa scheduler`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import click

from bot.cli.common import open_store, settings_of
from bot.push.content import (
    ACTION_NAMES,
    CHANNELS,
    STATES,
    Content,
    audience_label,
    recipient_label,
)
from bot.push.workflow import Push, PushBook
from bot.settings import Settings
from bot.store.storage import Store, utcnow


def _settings() -> Settings:
    return settings_of()


def _store() -> Store:
    return open_store()


def _book() -> PushBook:
    return PushBook(_store().engine, _settings())


_RELATIVE_DAYS = {"今天": 0, "明天": 1, "后天": 2}
_OFFSET = re.compile(r"^\+(\d+)\s*([mhd])$")


def _parse_time(text: str, timezone: str, now: datetime | None = None) -> datetime:
    """'2026-12-04 09:00', '明天 09:00' or '+30m' / '+2h' / '+1d', in the push time zone."""
    zone = ZoneInfo(timezone)
    local_now = (now or utcnow()).astimezone(zone)
    text = text.strip()
    offset = _OFFSET.match(text)
    if offset:
        amount, unit = int(offset.group(1)), offset.group(2)
        delta = {
            "m": timedelta(minutes=amount),
            "h": timedelta(hours=amount),
            "d": timedelta(days=amount),
        }
        return (local_now + delta[unit]).astimezone(UTC)
    day, _, clock = text.partition(" ")
    if day in _RELATIVE_DAYS and clock:
        try:
            hour, minute = (int(x) for x in clock.strip().split(":"))
            date = local_now.date() + timedelta(days=_RELATIVE_DAYS[day])
            return datetime(date.year, date.month, date.day, hour, minute, tzinfo=zone).astimezone(
                UTC
            )
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            continue
    raise click.BadParameter(
        f"时间格式应为 2026-12-04 09:00、明天 09:00 或 +30m / +2h（{timezone}），收到：{text}"
    )


def _local(value: datetime | None) -> str:
    return (
        value.astimezone(ZoneInfo(_settings().push.timezone)).strftime("%Y-%m-%d %H:%M")
        if value
        else "—"
    )


# -- pushes -----------------------------------------------------------------------------
@click.group("push")
def push() -> None:
    """普法推送：new / list / show / submit / approve / reject / cancel / send-now。"""


def _line(item: Push) -> str:
    when = item.content.cron and f"cron {item.content.cron}" or _local(item.content.run_at)
    return (
        f"#{item.id}\t{STATES[item.state]}\t{when}\t{CHANNELS[item.content.channel]}\t"
        f"{audience_label(item.content.audience)}\t"
        f"{item.content.title}"
    )


@push.command("list")
@click.option(
    "--state", "states", multiple=True, type=click.Choice(sorted(STATES)), help="只看某些状态"
)
def push_list(states: tuple[str, ...]) -> None:
    """列出推送。"""
    for item in _book().list(set(states) or None):
        click.echo(_line(item))


@push.command("new")
@click.option("--as", "actor", required=True, help="操作人账号")
@click.option("--title", required=True)
@click.option("--text", "body", required=True, help="推送正文")
@click.option("--link", "link_url", default=None, help="文章链接（可选）")
@click.option(
    "--audience", default="all", show_default=True, help="all | village:<村名> | wecom:<机器人名称>"
)
@click.option("--channel", default="dryrun", show_default=True, type=click.Choice(sorted(CHANNELS)))
@click.option(
    "--at", "at", default=None, help="发送时间：2026-12-04 09:00、明天 09:00 或 +2h（推送时区）"
)
@click.option("--cron", default=None, help="周期规则：分 时 日 月 星期，如 '0 9 * * 1'")
@click.option("--quiz", default=None, help="附上普法答题（题库编号或名称，如 宪法答题）")
@click.option("-q", "--quiet", is_flag=True, help="只打印新推送的编号（脚本里用）")
def push_new(
    actor: str,
    title: str,
    body: str,
    link_url: str | None,
    audience: str,
    channel: str,
    at: str | None,
    cron: str | None,
    quiz: str | None,
    quiet: bool,
) -> None:
    """新建推送草稿。"""
    settings = _settings()
    run_at = _parse_time(at, settings.push.timezone) if at else None
    quiz_id = None
    if quiz:
        from bot.kb.quiz_layer import LiveQuizzes, with_invite
        from handlers.texts import Texts
        from knowledge.quizzes import load_quizzes

        bank = LiveQuizzes(_store().engine, load_quizzes()).bank()
        texts = Texts.load(settings.township)
        body, found = with_invite(
            body, bank, quiz, lambda name: texts.get("quiz_invite", name=name)
        )
        quiz_id = found.id
    content = Content(
        title, body, audience, channel, run_at=run_at, cron=cron, link_url=link_url, quiz=quiz_id
    )
    push_id = _book().create(content, actor)
    if quiet:
        click.echo(push_id)
        return
    click.echo(f"已创建推送 #{push_id}（草稿）。下一步：pufa push submit {push_id} --as {actor}")


@push.command("show")
@click.argument("push_id", type=int)
def push_show(push_id: int) -> None:
    """查看推送、审计记录和投递情况。"""
    book = _book()
    item = book.get(push_id)
    click.echo(_line(item))
    click.echo(f"作者 {item.author}  审核 {item.reviewer or '—'}  {item.last_error or ''}".rstrip())
    click.echo(f"---\n{item.content.body}\n---")
    for row in book.audit(push_id):
        note = f"  {row['comment']}" if row["comment"] else ""
        moved = STATES.get(row["to_state"], row["to_state"])
        if row["from_state"] and row["from_state"] != row["to_state"]:
            moved = f"{STATES.get(row['from_state'], row['from_state'])}→{moved}"
        action = ACTION_NAMES.get(row["action"], row["action"])
        click.echo(f"{_local(row['at'])}  {row['actor']}  {action}  {moved}{note}")
    rows = book.deliveries(push_id)
    if rows:
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["state"]] = counts.get(row["state"], 0) + 1
        click.echo("投递：" + "，".join(f"{k} {v}" for k, v in sorted(counts.items())))
        for row in rows[:50]:
            click.echo(
                f"  {row['occurrence']}  {recipient_label(row['recipient'])}  {row['state']}  "
                f"{row['detail'] or ''}".rstrip()
            )


def _simple(name: str, method: str, help_text: str, needs_comment: bool = False) -> click.Command:
    @click.command(name, help=help_text)
    @click.argument("push_id", type=int)
    @click.option("--as", "actor", required=True, help="操作人账号")
    @click.option("--comment", default="", required=needs_comment, help="意见或原因")
    def command(push_id: int, actor: str, comment: str) -> None:
        book = _book()
        action = getattr(book, method)
        result = (
            action(push_id, actor, comment)
            if method in ("approve", "reject", "cancel")
            else action(push_id, actor)
        )
        click.echo(f"推送 #{push_id} 现在是“{STATES[result.state]}”")

    return command


push.add_command(_simple("submit", "submit", "提交审核。"))
push.add_command(_simple("approve", "approve", "审核通过（须是另一位有审核权限的人）。"))
push.add_command(_simple("reject", "reject", "退回修改（须写明原因）。", needs_comment=True))
push.add_command(_simple("cancel", "cancel", "取消推送。"))
push.add_command(_simple("send-now", "send_now", "已审核的推送立即发送（由调度进程发出）。"))


@push.command("preview")
@click.argument("push_id", type=int)
@click.option("--as", "actor", required=True, help="操作人账号")
@click.option("--to", "openid", required=True, help="接收预览的工作人员本人的 OpenID")
def push_preview(push_id: int, actor: str, openid: str) -> None:
    """审核前把推送预览发到工作人员自己的微信上（使用调度进程取得的 access_token）。"""
    from bot.push.content import render_text
    from bot.push.wechat_api import WeChatApi

    book = _book()
    item = book.get(push_id)
    api = WeChatApi(_settings(), book.engine, owner=False)
    try:
        payload = {
            "touser": openid,
            "msgtype": "text",
            "text": {"content": render_text(item.content)},
        }
        api.post("message/mass/preview", payload)
    finally:
        api.close()
    book.record_preview(push_id, actor, openid)
    click.echo(f"已把推送 #{push_id} 的预览发给 {openid}")


@click.command("campaigns")
@click.option("--year", type=int, default=None, help="年份，默认今年")
@click.option(
    "--load",
    "load_as",
    default=None,
    metavar="USER",
    help="把今年余下的日程建成推送草稿，以该账号为作者",
)
@click.option("--channel", default="dryrun", show_default=True, type=click.Choice(sorted(CHANNELS)))
@click.option("--audience", default="all", show_default=True)
def campaigns(year: int | None, load_as: str | None, channel: str, audience: str) -> None:
    """普法日历：宪法宣传周、民法典宣传月、国际禁毒日……"""
    from bot.push.campaigns import load_calendar, load_into_drafts

    settings = _settings()
    year = year or datetime.now(ZoneInfo(settings.push.timezone)).year
    for item in load_calendar():
        click.echo(
            f"{item.at(year, settings.push.timezone):%Y-%m-%d %H:%M}\t{item.name}\t{item.title}"
        )
    if load_as:
        created = load_into_drafts(_book(), year, load_as, channel, audience, utcnow())
        click.echo(
            f"已建 {len(created)} 条推送草稿：{', '.join(f'#{i}' for i in created) or '（今年余下的都已建过）'}"
        )


@click.command("scheduler")
def scheduler_command() -> None:
    """启动调度进程（每个部署只启动一个）：按时发送推送、刷新 access_token、同步村标签。"""
    from bot.push.process import run

    run(_settings())
