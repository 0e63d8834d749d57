"""What a push says, to whom, through which channel and when, and the checks on it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from urllib.parse import urlparse

from apscheduler.triggers.cron import CronTrigger

from bot.settings import Settings
from bot.store.privacy import pseudonym
from knowledge.errors import PufaError

CHANNELS = {
    "dryrun": "试运行（只记录不发送）",
    "wechat": "公众号群发",
    "cs": "客服消息（48小时内活跃居民）",
    "wecom": "企业微信群机器人",
}
STATES = {
    "draft": "草稿",
    "submitted": "待审核",
    "approved": "已审核",
    "scheduled": "已排期",
    "queued": "待立即发送",
    "sending": "发送中",
    "sent": "已发送",
    "partly_failed": "部分失败",
    "failed": "发送失败",
    "cancelled": "已取消",
    "missed": "已错过",
}
# Audit actions as staff read them; the scheduler's own marks are named by the state reached.
ACTION_NAMES = {
    "create": "新建",
    "edit": "修改",
    "submit": "提交审核",
    "approve": "审核通过",
    "reject": "退回",
    "cancel": "取消",
    "send-now": "立即发送",
    "preview": "发预览",
    **{state: f"调度：{label}" for state, label in STATES.items()},
}
TEXT_LIMIT = {"dryrun": 2048, "wechat": 2048, "cs": 2048, "wecom": 4096}


class PushError(PufaError):
    """A push request the workflow refuses, with the reason in Chinese for staff."""


@dataclass(frozen=True)
class Content:
    title: str
    body: str
    audience: str  # all | village:<name> | wecom:<robot>
    channel: str
    run_at: datetime | None = None
    cron: str | None = None
    link_url: str | None = None
    quiz: str | None = None  # the 普法答题 quiz the push invites residents to

    def digest(self) -> str:
        """What a reviewer approves: any change to it needs a new review."""
        data = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(self).items()}
        if data["quiz"] is None:  # pushes approved before quizzes keep their digest
            del data["quiz"]
        return hashlib.sha256(
            json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()


def validate(content: Content, settings: Settings, now: datetime) -> None:
    if not content.title.strip():
        raise PushError("标题不能为空")
    if len(content.title) > 60:
        raise PushError("标题不能超过 60 个字")
    if not content.body.strip():
        raise PushError("推送内容不能为空")
    if content.channel not in CHANNELS:
        raise PushError(f"渠道只能是 {', '.join(CHANNELS)}")
    size = len(render_text(content).encode("utf-8"))
    if size > TEXT_LIMIT[content.channel]:
        raise PushError(
            f"内容 {size} 字节，超过该渠道上限 {TEXT_LIMIT[content.channel]} 字节，请删减"
        )
    if content.link_url and urlparse(content.link_url).scheme not in ("http", "https"):
        raise PushError("文章链接必须以 http:// 或 https:// 开头")
    kind, _, value = content.audience.partition(":")
    villages = {v.name for v in settings.township.villages}
    robots = {r.name for r in settings.push.robots}
    if kind == "village" and value not in villages:
        raise PushError(f"没有这个村：{value}。可选：{'、'.join(sorted(villages))}")
    if kind == "wecom" and (value not in robots or content.channel != "wecom"):
        raise PushError(
            f"企业微信群只能用 wecom 渠道，且须是已配置的机器人：{'、'.join(sorted(robots)) or '（未配置）'}"
        )
    if kind not in ("all", "village", "wecom") or (kind == "all" and value):
        raise PushError("推送对象只能是 all、village:<村名> 或 wecom:<机器人名称>")
    if content.channel == "wecom" and kind != "wecom":
        raise PushError("企业微信渠道的推送对象须是 wecom:<机器人名称>")
    if (content.run_at is None) == (content.cron is None):
        raise PushError("请给出发送时间（一次性）或周期规则（cron），二者选一")
    if content.run_at is not None and content.run_at <= now:
        raise PushError("发送时间已经过去，请选一个将来的时间")
    if content.cron is not None:
        try:
            cron_trigger(content.cron, settings.push.timezone)
        except ValueError as exc:
            raise PushError(
                f"周期规则不对：{exc}（格式：分 时 日 月 星期，例如 0 9 * * 1）"
            ) from None


def render_text(content: Content) -> str:
    text = f"【{content.title}】\n{content.body.strip()}"
    return text + (f"\n{content.link_url}" if content.link_url else "")


_DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A crontab line read the way crontab reads it.

    APScheduler 3 counts weekdays from Monday = 0, so a plain `from_crontab("0 9 * * 1")`
    would fire on Tuesdays; weekday numbers are turned into names first.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError("需要 5 段：分 时 日 月 星期")
    minute, hour, day, month, weekday = fields
    if "/" in weekday:
        raise ValueError("星期一栏不支持 /，请写成 1-5 或 1,3,5 这样的形式")

    def name(token: str) -> str:
        if not token.isdigit() or int(token) > 7:
            raise ValueError(f"星期只能是 0-7（0 和 7 都是星期日），收到 {token}")
        return _DAY_NAMES[int(token)]

    if weekday != "*":
        weekday = ",".join(
            "-".join(name(t) for t in part.split("-")) for part in weekday.split(",")
        )
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone=timezone
    )


def audience_label(audience: str) -> str:
    """'village:苍岭村' -> '苍岭村的居民', as staff and leaders read it."""
    kind, _, name = audience.partition(":")
    if audience == "all":
        return "全体居民"
    if kind == "village":
        return f"{name}的居民"
    if kind == "wecom":
        return f"企业微信群“{name}”"
    return audience


def recipient_label(recipient: str) -> str:
    """Residents by pseudonym, never the full OpenID; batches, tags and robots by name."""
    if recipient == "all" or recipient.split(":", 1)[0] in ("batch", "tag", "robot"):
        return recipient
    return pseudonym(recipient)
