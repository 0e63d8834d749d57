"""Shared set-up for the push tests: settings pointed at the stand-in, users, residents."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from bot.push.content import Content
from bot.push.workflow import PushBook
from bot.settings import Robot, Settings
from bot.store.storage import Store, utcnow
from bot.store.users import add_user

from .conftest import make_settings
from .wechat import APPID

AUTHOR, REVIEWER, LEADER = "wang", "li", "zhou"


def push_settings(
    db_url: str,
    base_url: str = "http://127.0.0.1:9/",
    account: str = "subscription",
    **push: object,
) -> Settings:
    settings = make_settings(db_url)
    secrets = dataclasses.replace(settings.secrets, appid=APPID, appsecret="app-secret")
    wechat = dataclasses.replace(
        settings.wechat, api_base_url=f"{base_url.rstrip('/')}/cgi-bin/", account_type=account
    )
    robots = (
        Robot("网格员群", "PUFA_TEST_WECOM_KEY", f"{base_url.rstrip('/')}/cgi-bin/webhook/send"),
    )
    options = {"retry_backoff": 0.01, "http_timeout": 1.0, "robots": robots, **push}
    return dataclasses.replace(
        settings, secrets=secrets, wechat=wechat, push=dataclasses.replace(settings.push, **options)
    )


def seed_people(store: Store, residents: dict[str, str | None]) -> None:
    add_user(store.engine, AUTHOR, "password-1", "staff", "王干事")
    add_user(store.engine, REVIEWER, "password-2", "reviewer", "李所长")
    add_user(store.engine, LEADER, "password-3", "leader", "周镇长")
    for openid, village in residents.items():
        store.touch_resident(openid, subscribed=True)
        if village:
            store.set_village(openid, village)


def soon(minutes: int = 30):  # type: ignore[no-untyped-def]
    return utcnow() + timedelta(minutes=minutes)


def approved_push(book: PushBook, content: Content, now: datetime | None = None) -> int:
    """A push written by AUTHOR and passed by REVIEWER, ready for the scheduler."""
    push_id = book.create(content, AUTHOR, now=now)
    book.submit(push_id, AUTHOR)
    book.approve(push_id, REVIEWER, now=now)
    return push_id
