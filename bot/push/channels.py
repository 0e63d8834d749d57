"""Where a push goes: each channel plans its deliveries and sends one of them.

A delivery is a recipient (one resident) or a batch (a tag, a list of OpenIDs, a group
robot). `resend_in_flight` says whether a delivery that a crash left half-sent may be
sent again: true where the other side drops duplicates (WeChat's clientmsgid) or nothing
leaves the building (dry run).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import requests
from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from bot.push.content import render_text
from bot.push.wechat_api import ApiError, WeChatApi
from bot.push.workflow import Push
from bot.settings import Settings
from bot.store.storage import utcnow
from bot.store.tables import deliveries, residents, village_tags

log = logging.getLogger(__name__)
FATAL_CODES = {45009, 48001}


@dataclass(frozen=True)
class Planned:
    recipient: str
    members: list[str] | None = None


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str
    fatal: bool = False  # stop the whole push: quota or permission


class Channel(Protocol):
    name: str
    resend_in_flight: bool

    def plan(self, push: Push) -> list[Planned]: ...
    def send(self, push: Push, occurrence: str, delivery: dict[str, Any]) -> Outcome: ...


def audience_openids(engine: Engine, audience: str, active_since: Any = None) -> list[str]:
    kind, _, value = audience.partition(":")
    query = (
        select(residents.c.openid)
        .where(residents.c.subscribed.is_(True))
        .order_by(residents.c.openid)
    )
    if kind == "village":
        query = query.where(residents.c.village == value)
    if active_since is not None:
        query = query.where(residents.c.last_seen >= active_since)
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def client_msg_id(push: Push, occurrence: str, recipient: str) -> str:
    digest = hashlib.sha1(f"{occurrence}|{recipient}".encode()).hexdigest()[:16]
    return f"pufa-{push.id}-{digest}"


class DryRun:
    name = "dryrun"
    resend_in_flight = True

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def plan(self, push: Push) -> list[Planned]:
        return [Planned(openid) for openid in audience_openids(self.engine, push.content.audience)]

    def send(self, push: Push, occurrence: str, delivery: dict[str, Any]) -> Outcome:
        log.info("dry run: push %s to %s: %s", push.id, delivery["recipient"], push.content.title)
        return Outcome(
            True, json.dumps({"would_send": render_text(push.content)}, ensure_ascii=False)
        )


class WeChatMass:
    """Mass send: by tag on a subscription account, by OpenID batches on a service account."""

    name = "wechat"
    resend_in_flight = True

    def __init__(self, engine: Engine, settings: Settings, api: WeChatApi) -> None:
        self.engine, self.settings, self.api = engine, settings, api

    def plan(self, push: Push) -> list[Planned]:
        kind, _, village = push.content.audience.partition(":")
        if self.settings.wechat.account_type == "subscription":
            return [Planned("all" if kind == "all" else f"tag:{village}")]
        openids = audience_openids(self.engine, push.content.audience)
        size = max(2, self.settings.push.mass_batch_size)
        batches = [openids[i : i + size] for i in range(0, len(openids), size)]
        if len(batches) > 1 and len(batches[-1]) < 2:  # the API needs at least two OpenIDs
            batches[-2] += batches.pop()
        return [Planned(f"batch:{n:05d}", batch) for n, batch in enumerate(batches, 1)]

    def quota_problem(self, push: Push) -> str | None:
        """Our own count of mass sends, checked before WeChat would refuse with 45009."""
        now = utcnow()
        if self.settings.wechat.account_type == "subscription":
            since, limit, what = now - timedelta(days=1), 1, "订阅号每天只能群发 1 次"
        else:
            since, limit, what = now - timedelta(days=30), 4, "服务号每位居民每月最多收到 4 次群发"
        with self.engine.connect() as conn:
            used = conn.execute(
                select(func.count(func.distinct(deliveries.c.push_id))).where(
                    and_(
                        deliveries.c.channel == self.name,
                        deliveries.c.state == "sent",
                        deliveries.c.sent_at >= since,
                        deliveries.c.push_id != push.id,
                    )
                )
            ).scalar_one()
        return f"群发次数已用完：{what}" if used >= limit else None

    def send(self, push: Push, occurrence: str, delivery: dict[str, Any]) -> Outcome:
        text = {
            "msgtype": "text",
            "text": {"content": render_text(push.content)},
            "clientmsgid": client_msg_id(push, occurrence, delivery["recipient"]),
        }
        recipient = delivery["recipient"]
        try:
            if recipient.startswith("batch:"):
                result = self.api.post(
                    "message/mass/send", {"touser": json.loads(delivery["members"]), **text}
                )
            else:
                tag = None if recipient == "all" else self._tag_id(recipient.removeprefix("tag:"))
                target = {"is_to_all": True} if tag is None else {"is_to_all": False, "tag_id": tag}
                result = self.api.post(
                    "message/mass/sendall", {"filter": target, "send_ignore_reprint": 0, **text}
                )
        except ApiError as exc:
            if (
                exc.errcode == 45065
            ):  # WeChat already has this clientmsgid: it went out before a crash
                return Outcome(True, "已发送（微信按 clientmsgid 去重）")
            return Outcome(False, str(exc), fatal=exc.errcode in FATAL_CODES)
        return Outcome(True, json.dumps({"msg_id": result.get("msg_id")}))

    def _tag_id(self, village: str) -> int:
        with self.engine.connect() as conn:
            tag = conn.execute(
                select(village_tags.c.tag_id).where(village_tags.c.village == village)
            ).scalar()
        if tag is None:
            raise ApiError(None, f"{village} 还没有对应的微信标签，等调度进程同步后再发")
        return int(tag)


class CustomerService:
    name = "cs"
    resend_in_flight = False  # WeChat has no idempotency key for these

    def __init__(self, engine: Engine, settings: Settings, api: WeChatApi) -> None:
        self.engine, self.settings, self.api = engine, settings, api

    def plan(self, push: Push) -> list[Planned]:
        since = utcnow() - timedelta(hours=48)
        return [
            Planned(openid)
            for openid in audience_openids(self.engine, push.content.audience, since)
        ]

    def send(self, push: Push, occurrence: str, delivery: dict[str, Any]) -> Outcome:
        openid = delivery["recipient"]
        with self.engine.connect() as conn:
            recent = conn.execute(
                select(func.count()).where(
                    and_(
                        deliveries.c.channel == self.name,
                        deliveries.c.recipient == openid,
                        deliveries.c.state == "sent",
                        deliveries.c.sent_at >= utcnow() - timedelta(hours=48),
                    )
                )
            ).scalar_one()
        if recent >= self.settings.push.cs_per_user_limit:
            return Outcome(False, f"48 小时内已给该居民发过 {recent} 条客服消息，已达上限")
        payload = {
            "touser": openid,
            "msgtype": "text",
            "text": {"content": render_text(push.content)},
        }
        try:
            self.api.post("message/custom/send", payload)
        except ApiError as exc:
            return Outcome(False, str(exc), fatal=exc.errcode in FATAL_CODES)
        return Outcome(True, "")


class WeComRobot:
    name = "wecom"
    resend_in_flight = False

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        self.settings = settings
        self.http = session or requests.Session()
        self.sent: dict[str, deque[float]] = {}

    def plan(self, push: Push) -> list[Planned]:
        return [Planned(f"robot:{push.content.audience.removeprefix('wecom:')}")]

    def send(self, push: Push, occurrence: str, delivery: dict[str, Any]) -> Outcome:
        content = push.content
        body = f"## {content.title}\n{content.body}" + (
            f"\n[阅读全文]({content.link_url})" if content.link_url else ""
        )
        return self.post(delivery["recipient"].removeprefix("robot:"), body)

    def post(self, name: str, markdown: str) -> Outcome:
        """One markdown message to the named group robot, within WeCom's rate limit."""
        robot = next((r for r in self.settings.push.robots if r.name == name), None)
        key = os.environ.get(robot.key_env, "") if robot else ""
        if robot is None or not key:
            return Outcome(False, f"企业微信机器人 {name} 未配置或缺少环境变量中的 key", fatal=True)
        self._throttle(name)
        payload: dict[str, str | dict[str, str]] = {
            "msgtype": "markdown",
            "markdown": {"content": markdown},
        }
        try:
            response = self.http.post(
                robot.url,
                params={"key": key},
                json=payload,
                timeout=self.settings.push.http_timeout,
            )
            result = response.json()
        except (requests.RequestException, ValueError) as exc:
            return Outcome(False, f"连接企业微信失败：{type(exc).__name__}")
        if result.get("errcode"):
            return Outcome(
                False, f"企业微信返回错误 {result.get('errcode')}：{result.get('errmsg')}"
            )
        return Outcome(True, "")

    def _throttle(self, name: str) -> None:
        """At most `wecom_per_minute` messages a minute per robot, as WeCom allows."""
        window = self.sent.setdefault(name, deque())
        now = time.monotonic()
        while window and now - window[0] > 60:
            window.popleft()
        if len(window) >= self.settings.push.wecom_per_minute:
            time.sleep(60 - (now - window[0]))
        window.append(time.monotonic())
