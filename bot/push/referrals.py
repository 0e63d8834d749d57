"""The scheduler's referral job: escalate tickets nobody contacted in time, then send what
waits in the tickets' outbox through the channels the village (or the 司法所) uses."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.push.channels import WeComRobot
from bot.push.wechat_api import ApiError, WeChatApi
from bot.settings import Settings
from bot.store import ticket_outbox
from bot.store.storage import utcnow
from bot.store.tables import residents
from bot.store.ticket_types import REASONS, Ticket
from bot.store.tickets import TicketBook

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=48)  # WeChat takes customer-service messages only this long


def run(book: TicketBook, api: WeChatApi | None, robot: WeComRobot) -> dict[str, int]:
    """One pass: returns how many tickets were escalated and notices sent or failed."""
    escalated = book.escalate_overdue()
    counts = {"escalated": len(escalated), "sent": 0, "failed": 0}
    for notice in ticket_outbox.pending(book.engine):
        ok, detail, final = _send(book, api, robot, notice)
        ticket_outbox.finish(book.engine, notice["id"], ok, detail, final)
        counts["sent" if ok else "failed"] += 1
        if not ok:
            log.warning("ticket %s notice %s: %s", notice["ticket_id"], notice["kind"], detail)
    return counts


def message(settings: Settings, ticket: Ticket, kind: str) -> tuple[str, str]:
    """(markdown for a group robot, plain text for WeChat) of one notice."""
    township = settings.township
    link = f"{settings.referral.console_url.rstrip('/')}/admin/tickets/{ticket.id}"
    if kind == "contacted":
        text = (
            f"【{township.account_name}】您的求助（工单 {ticket.id}）已有人联系处理。"
            f"如还没接到电话，可以找{township.sifasuo_name}"
            + (f"（{township.sifasuo_phone}）" if township.sifasuo_phone else "")
            + "，或拨打 12348。"
        )
        return text, text
    heading = "工单超时转司法所" if kind == "escalated" else "新的转介工单"
    where = ticket.village or "未填村"
    hours = settings.referral.sla_hours
    lines = [
        f"村：{where}",
        f"原因：{REASONS.get(ticket.reason, ticket.reason)}",
        f"问题：{ticket.question[:120] or '（无）'}",
    ]
    markdown = (
        f"## {heading} #{ticket.id}\n"
        + "\n".join(f"> {line}" for line in lines)
        + f"\n请在 {hours} 小时内联系居民。[打开工单]({link})\n"
        + f"也可以在公众号里回复“接单 {ticket.id}”。"
    )
    text = (
        f"{heading} #{ticket.id}\n"
        + "\n".join(lines)
        + f"\n处理：回复“接单 {ticket.id}”，或打开 {link}"
    )
    return markdown, text


def _send(
    book: TicketBook, api: WeChatApi | None, robot: WeComRobot, notice: dict[str, Any]
) -> tuple[bool, str, bool]:
    settings = book.settings
    ticket = book.get(notice["ticket_id"])
    markdown, text = message(settings, ticket, notice["kind"])
    channel, recipient = notice["channel"], notice["recipient"]
    if channel == "dryrun":
        log.info("dry run: ticket %s %s to %s", ticket.id, notice["kind"], recipient)
        return True, "只记录，未发送（dry run）", False
    if channel == "wecom":
        outcome = robot.post(recipient.removeprefix("robot:"), markdown)
        return outcome.ok, outcome.detail, outcome.fatal
    if api is None or not settings.secrets.appsecret:
        return True, "未配置公众号 AppSecret：只记录，未发送", False
    if not _within_window(book.engine, recipient):
        return False, "对方 48 小时内没有和公众号互动，微信不允许发客服消息", True
    try:
        api.post(
            "message/custom/send",
            {"touser": recipient, "msgtype": "text", "text": {"content": text}},
        )
    except ApiError as exc:
        return False, str(exc), not exc.retryable
    except requests.RequestException as exc:
        return False, f"连接微信失败：{type(exc).__name__}", False
    return True, "", False


def _within_window(engine: Engine, openid: str) -> bool:
    with engine.connect() as conn:
        seen = conn.execute(
            select(residents.c.last_seen).where(residents.c.openid == openid)
        ).scalar()
    return seen is not None and utcnow() - seen <= WINDOW
