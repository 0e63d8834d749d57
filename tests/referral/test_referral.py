"""Referral tickets end to end: the resident's chat, the helper's chat, the scheduler's
notices through the WeChat and WeCom stand-in, and escalation on a frozen clock."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.push import referrals
from bot.push.channels import WeComRobot
from bot.push.wechat_api import WeChatApi
from bot.settings import Robot, Settings
from bot.store.storage import utcnow
from bot.store.tables import ticket_events, tickets
from bot.store.users import add_user, new_bind_code
from bot.web.app import create_app

from ..pushkit import push_settings
from ..standin import StandIn
from ..wechat import WeChat, message_xml

VILLAGE = "苍岭村"


def referral_settings(db_url: str, base: str) -> Settings:
    settings = push_settings(db_url, base)
    robots = (
        Robot("苍岭村群", "PUFA_TEST_WECOM_KEY", f"{base}/cgi-bin/webhook/send"),
        Robot("司法所群", "PUFA_TEST_WECOM_KEY", f"{base}/cgi-bin/webhook/send"),
    )
    villages = tuple(
        dataclasses.replace(v, referral_channel="wecom", referral_robot="苍岭村群")
        if v.name == VILLAGE
        else v
        for v in settings.township.villages
    )
    return dataclasses.replace(
        settings,
        township=dataclasses.replace(settings.township, villages=villages),
        push=dataclasses.replace(settings.push, robots=robots),
        referral=dataclasses.replace(
            settings.referral, sifasuo_channel="wecom", sifasuo_robot="司法所群"
        ),
    )


class Site:
    def __init__(self, db_url: str, base: str, matcher: Any) -> None:
        self.settings = referral_settings(db_url, base)
        self.app = create_app(self.settings, matcher=matcher)
        pufa = self.app.extensions["pufa"]
        self.store, self.book = pufa.store, pufa.services.referrals
        self.wechat = WeChat(self.app.test_client())
        self.api = WeChatApi(self.settings, self.store.engine)
        self.robot = WeComRobot(self.settings)

    def deliver(self) -> dict[str, int]:
        """One run of the scheduler's referral job."""
        return referrals.run(self.book, self.api, self.robot)

    def helper(self, username: str, openid: str, village: str = VILLAGE) -> None:
        add_user(self.store.engine, username, "password-1", "helper", "田大姐", village=village)
        code = new_bind_code(self.store.engine, username)
        assert "绑定成功" in self.wechat.text(openid, f"绑定 {code}")


@pytest.fixture
def site(
    db_url: str, standin: tuple[StandIn, str], matcher: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Site]:
    monkeypatch.setenv("PUFA_TEST_WECOM_KEY", "robot-key")
    built = Site(db_url, standin[1], matcher)
    yield built
    built.api.close()
    built.robot.http.close()
    built.store.dispose()


def robot_texts(fake: StandIn) -> list[str]:
    return [r.body["markdown"]["content"] for r in fake.calls("/cgi-bin/webhook/send")]


def test_ask_for_a_person_then_contacted_then_escalation(
    site: Site, standin: tuple[StandIn, str]
) -> None:
    fake, _ = standin
    site.helper("tian", "o-helper")
    assert VILLAGE in site.wechat.text("o-resident", "我是苍岭村的")
    opened = site.wechat.text("o-resident", "找人工")
    assert "工单号 1" in opened
    assert "本村法律明白人" in opened

    assert site.deliver()["sent"] == 1
    (card,) = robot_texts(fake)
    assert "新的转介工单 #1" in card
    assert VILLAGE in card
    assert "/admin/tickets/1" in card

    assert "已联系" in site.wechat.text("o-helper", "已联系 1")
    assert site.deliver()["sent"] == 1
    (follow_up,) = fake.calls("/cgi-bin/message/custom/send")
    assert follow_up.body["touser"] == "o-resident"
    assert "工单 1" in follow_up.body["text"]["content"]
    assert site.deliver() == {"escalated": 0, "sent": 0, "failed": 0}  # nothing twice

    # A second ticket nobody picks up goes to the 司法所 at the deadline, and only then.
    site.wechat.text("o-neighbour", "我是苍岭村的")
    assert "工单号 2" in site.wechat.text("o-neighbour", "找法律明白人")
    site.deliver()
    hours = site.settings.referral.sla_hours
    assert site.book.escalate_overdue(utcnow() + timedelta(hours=hours - 1)) == []
    assert site.book.escalate_overdue(utcnow() + timedelta(hours=hours, minutes=1)) == [2]
    assert site.deliver()["sent"] == 1
    assert "工单超时转司法所 #2" in robot_texts(fake)[-1]
    assert site.book.get(2).desk == "sifasuo"
    with site.store.engine.connect() as conn:
        actions = conn.execute(
            select(ticket_events.c.action).where(ticket_events.c.ticket_id == 2)
        ).scalars()
        assert list(actions) == ["open", "escalate"]


def test_village_is_asked_for_and_a_phone_is_kept_sealed(site: Site) -> None:
    site.helper("tian", "o-helper")
    asked = site.wechat.text("o-new", "转人工")
    assert "您是哪个村的" in asked
    assert "工单号 1" in site.wechat.text("o-new", "苍岭")
    assert site.store.resident("o-new")["village"] == VILLAGE
    assert site.book.get(1).question == "转人工"  # nothing asked before: the request itself
    kept = site.wechat.text("o-new", "我的电话 138 1234 5678")
    assert "138****5678" in kept
    with site.store.engine.connect() as conn:
        sealed = conn.execute(select(tickets.c.phone)).scalar_one()
    assert "13812345678" not in sealed
    helper = site.book.worker("o-helper")
    assert site.book.phone(1, helper) == "13812345678"
    other = add_user(site.store.engine, "peng", "password-1", "helper", village="岭口村")
    assert site.book.phone(1, other) is None
    with site.store.engine.connect() as conn:
        inbound = conn.exec_driver_sql("SELECT content FROM inbound").all()
    assert not any("13812345678" in (row[0] or "") for row in inbound)


def test_two_fallbacks_in_a_row_and_unhelpful_answers_open_tickets(site: Site) -> None:
    site.wechat.text("o-lost", "我是苍岭村的")
    first = site.wechat.text("o-lost", "手机充不进电")
    assert "工单" not in first
    assert "工单号 1" in site.wechat.text("o-lost", "帮我查下快递到哪了")

    site.wechat.text("o-unhappy", "我是苍岭村的")
    site.wechat.text("o-unhappy", "离婚冷静期是多久")
    offer = site.wechat.text("o-unhappy", "没用")
    assert "要不要请本村法律明白人联系您" in offer
    assert "工单号 2" in site.wechat.text("o-unhappy", "要")
    assert "冷静期" in site.book.get(2).question
    assert site.book.get(1).bot_reply == "没有答上来"
    assert site.book.get(2).bot_reply.startswith("回答了“")


def test_crisis_opens_a_ticket_after_the_emergency_line(site: Site) -> None:
    reply = site.wechat.text("o-danger", "我男人喝了酒就打我 打得好凶")
    assert reply.index("110") < reply.index("工单号")
    ticket = site.book.get(1)
    assert (ticket.reason, ticket.desk) == ("crisis", "sifasuo")  # village unknown: no questions


def test_helper_commands_are_checked(site: Site) -> None:
    assert "还没有绑定" in site.wechat.text("o-stranger", "接单 1")
    assert "绑定码不对" in site.wechat.text("o-stranger", "绑定 000000")
    site.helper("tian", "o-helper")
    site.helper("xiang", "o-other", village="岭口村")
    site.wechat.text("o-resident", "我是苍岭村的")
    site.wechat.text("o-resident", "找人工")
    assert "不归您处理" in site.wechat.text("o-other", "接单 1")
    assert "已接单" in site.wechat.text("o-helper", "接单 1")
    assert "不能" in site.wechat.text("o-helper", "接单 1")
    assert "#1" in site.wechat.text("o-helper", "工单")
    assert "已解决" in site.wechat.text("o-helper", "已解决 1")
    assert "没有工单 9" in site.wechat.text("o-helper", "已解决 9")


def test_customer_service_in_office_hours_transfers(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(type(site.book), "staff_on_duty", lambda self, now=None: True)
    response = site.wechat.post_xml(message_xml("o-cs", "text", Content="人工客服"))
    assert site.wechat.reply_of(response)["MsgType"] == "transfer_customer_service"
    monkeypatch.setattr(type(site.book), "staff_on_duty", lambda self, now=None: False)
    assert "哪个村" in site.wechat.text("o-cs", "人工客服")


def test_office_hours_follow_the_setting(site: Site) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    book = site.book
    on = dataclasses.replace(site.settings.wechat, customer_service=True)
    book.settings = dataclasses.replace(site.settings, wechat=on)
    shanghai = ZoneInfo("Asia/Shanghai")
    assert book.staff_on_duty(datetime(2026, 12, 4, 10, 0, tzinfo=shanghai))  # a Friday
    assert not book.staff_on_duty(datetime(2026, 12, 4, 12, 30, tzinfo=shanghai))
    assert not book.staff_on_duty(datetime(2026, 12, 5, 10, 0, tzinfo=shanghai))  # Saturday


def test_the_scheduler_process_runs_the_referral_job(
    site: Site, standin: tuple[StandIn, str]
) -> None:
    from bot.push import scheduler
    from bot.push.process import build

    fake, _ = standin
    site.helper("tian", "o-helper")
    site.wechat.text("o-resident", "我是苍岭村的")
    site.wechat.text("o-resident", "找人工")
    runtime = build(site.settings, background=True, services=site.app.extensions["pufa"].services)
    try:
        assert runtime.scheduler.get_job("pufa:referrals") is not None
        scheduler.referral_job()
        scheduler.referral_job()  # a second pass sends nothing again
    finally:
        runtime.services.extensions["wechat_api"].close()
        runtime.book.engine.dispose()
    assert len(robot_texts(fake)) == 1
