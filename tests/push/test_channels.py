"""Each channel against the local stand-in for the WeChat and WeCom APIs."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.push.content import Content
from bot.push.deliver import deliver
from bot.push.process import scheduler_services
from bot.push.tags import process_tag_queue
from bot.push.workflow import PushBook
from bot.services import build_services
from bot.store.storage import Store, utcnow
from bot.store.tables import pushes, residents
from handlers.context import Context

from ..pushkit import AUTHOR, approved_push, push_settings, seed_people, soon
from ..standin import StandIn

VILLAGERS = {f"o-cl-{n:02d}": "苍岭村" for n in range(6)} | {
    f"o-lk-{n:02d}": "岭口村" for n in range(3)
}


class Env:
    def __init__(self, db_url: str, url: str, matcher: Any, **options: Any) -> None:
        account = options.pop("account", "subscription")
        self.settings = push_settings(db_url, url, account=account, **options)
        self.store = Store(db_url)
        self.store.create_schema()
        seed_people(self.store, VILLAGERS)
        services = build_services(self.settings, self.store, matcher=matcher)
        self.services = scheduler_services(self.settings, self.store, services)
        self.book: PushBook = self.services.extensions["pushes"]
        self.ctx = Context(self.services, openid="scheduler")

    def approved(self, **changes: Any) -> int:
        content = dataclasses.replace(
            Content(
                "防汛提醒", "雨季到了，注意转移避险。", "village:苍岭村", "wechat", run_at=soon()
            ),
            **changes,
        )
        return approved_push(self.book, content)

    def send(self, push_id: int) -> str:
        return deliver(self.ctx, push_id, "once")


@pytest.fixture
def env(
    db_url: str, standin: tuple[StandIn, str], matcher: Any, request: pytest.FixtureRequest
) -> Iterator[Env]:
    options = getattr(request, "param", {})
    environment = Env(db_url, standin[1], matcher, **options)
    yield environment
    environment.services.extensions["wechat_api"].close()
    environment.services.extensions["channels"]["wecom"].http.close()
    environment.store.dispose()


def test_token_comes_from_stable_token_then_mass_send_by_village_tag(
    env: Env, standin: tuple[StandIn, str]
) -> None:
    fake, _ = standin
    assert process_tag_queue(env.store.engine, env.services.extensions["wechat_api"]) == len(
        VILLAGERS
    )
    assert fake.tag_members[fake.tags["苍岭村"]] == {
        o for o, v in VILLAGERS.items() if v == "苍岭村"
    }
    assert env.send(env.approved()) == "sent"
    token_call = fake.calls("/cgi-bin/stable_token")[0].body
    assert token_call == {
        "grant_type": "client_credential",
        "appid": token_call["appid"],
        "secret": "app-secret",
        "force_refresh": False,
    }
    body = fake.calls("/cgi-bin/message/mass/sendall")[0].body
    assert body["filter"] == {"is_to_all": False, "tag_id": fake.tags["苍岭村"]}
    assert body["msgtype"] == "text"
    assert "转移避险" in body["text"]["content"]
    assert body["clientmsgid"].startswith("pufa-")
    assert len(body["clientmsgid"]) <= 64


def test_moving_village_moves_the_tag(env: Env, standin: tuple[StandIn, str]) -> None:
    fake, _ = standin
    api = env.services.extensions["wechat_api"]
    process_tag_queue(env.store.engine, api)
    env.store.set_village("o-cl-00", "岭口村")
    process_tag_queue(env.store.engine, api)
    assert "o-cl-00" in fake.tag_members[fake.tags["岭口村"]]
    assert "o-cl-00" not in fake.tag_members[fake.tags["苍岭村"]]


def test_all_followers(env: Env, standin: tuple[StandIn, str]) -> None:
    env.send(env.approved(audience="all"))
    assert standin[0].calls("/cgi-bin/message/mass/sendall")[0].body["filter"] == {
        "is_to_all": True
    }


def test_expired_token_refreshes_once_and_retries_once(
    env: Env, standin: tuple[StandIn, str]
) -> None:
    fake, _ = standin
    env.services.extensions["wechat_api"].refresh_token()
    fake.fail("/cgi-bin/message/mass/sendall", 42001)
    assert env.send(env.approved(audience="all")) == "sent"
    assert len(fake.calls("/cgi-bin/stable_token")) == 2
    assert fake.calls("/cgi-bin/stable_token")[1].body["force_refresh"] is True
    assert len(fake.calls("/cgi-bin/message/mass/sendall")) == 2


def test_token_errors_do_not_loop(env: Env, standin: tuple[StandIn, str]) -> None:
    fake, _ = standin
    fake.fail("/cgi-bin/message/mass/sendall", 40001, 40001, 40001)
    assert env.send(env.approved(audience="all")) == "failed"
    assert len(fake.calls("/cgi-bin/message/mass/sendall")) == 2
    assert len(fake.calls("/cgi-bin/stable_token")) == 2


@pytest.mark.parametrize(("code", "message"), [(45009, "上限"), (48001, "权限")])
def test_quota_and_permission_fail_at_once_with_a_clear_message(
    env: Env, standin: tuple[StandIn, str], code: int, message: str
) -> None:
    fake, _ = standin
    fake.fail("/cgi-bin/message/mass/sendall", code)
    push_id = env.approved(audience="all")
    assert env.send(push_id) == "failed"
    assert message in (env.book.get(push_id).last_error or "")
    assert len(fake.calls("/cgi-bin/message/mass/sendall")) == 1


def test_server_errors_and_timeouts_are_retried_with_a_bound(
    env: Env, standin: tuple[StandIn, str]
) -> None:
    fake, _ = standin
    fake.fail("/cgi-bin/message/mass/sendall", 500, "timeout")
    assert env.send(env.approved(audience="all")) == "sent"
    assert len(fake.calls("/cgi-bin/message/mass/sendall")) == 3
    fake.fail("/cgi-bin/message/custom/send", 500, 500, 500, 500, 500)
    env.store.touch_resident("o-cl-01")
    assert env.send(env.approved(audience="village:苍岭村", channel="cs")) in (
        "partly_failed",
        "failed",
    )
    assert (
        len(
            [c for c in fake.calls("/cgi-bin/message/custom/send") if c.body["touser"] == "o-cl-00"]
        )
        == 4
    )


def test_subscription_account_sends_once_a_day(env: Env, standin: tuple[StandIn, str]) -> None:
    assert env.send(env.approved(audience="all")) == "sent"
    second = env.approved(audience="all", title="第二条")
    assert env.send(second) == "failed"
    assert "每天只能群发 1 次" in (env.book.get(second).last_error or "")
    assert len(standin[0].calls("/cgi-bin/message/mass/sendall")) == 1


@pytest.mark.parametrize("env", [{"account": "service", "mass_batch_size": 4}], indirect=True)
def test_service_account_sends_openid_batches(env: Env, standin: tuple[StandIn, str]) -> None:
    assert env.send(env.approved()) == "sent"
    batches = [c.body["touser"] for c in standin[0].calls("/cgi-bin/message/mass/send")]
    assert sorted(sum(batches, [])) == sorted(o for o, v in VILLAGERS.items() if v == "苍岭村")
    assert all(len(b) >= 2 for b in batches)


def test_customer_service_reaches_only_residents_active_in_48_hours(
    env: Env, standin: tuple[StandIn, str]
) -> None:
    with env.store.engine.begin() as conn:
        conn.execute(
            update(residents)
            .where(residents.c.openid == "o-cl-05")
            .values(last_seen=utcnow() - timedelta(hours=49))
        )
    fake, _ = standin
    fake.fail("/cgi-bin/message/custom/send", 45015)
    push_id = env.approved(channel="cs")
    assert env.send(push_id) == "partly_failed"
    sent_to = {c.body["touser"] for c in fake.calls("/cgi-bin/message/custom/send")}
    assert sent_to == {f"o-cl-{n:02d}" for n in range(5)}
    assert all(
        c.body["msgtype"] == "text" and c.body["text"]["content"]
        for c in fake.calls("/cgi-bin/message/custom/send")
    )
    assert "48 小时" in (env.book.get(push_id).last_error or "")


@pytest.mark.parametrize("env", [{"cs_per_user_limit": 1}], indirect=True)
def test_customer_service_respects_per_user_limit(env: Env, standin: tuple[StandIn, str]) -> None:
    assert env.send(env.approved(channel="cs")) == "sent"
    second = env.approved(channel="cs", title="又一条")
    assert env.send(second) == "failed"
    assert "上限" in (env.book.get(second).last_error or "")


def test_wecom_robot_markdown(
    env: Env, standin: tuple[StandIn, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUFA_TEST_WECOM_KEY", "robot-key")
    assert (
        env.send(
            env.approved(
                channel="wecom", audience="wecom:网格员群", link_url="https://example.org/a"
            )
        )
        == "sent"
    )
    call = standin[0].calls("/cgi-bin/webhook/send")[0]
    assert call.query == {"key": "robot-key"}
    assert call.body["msgtype"] == "markdown"
    assert "[阅读全文](https://example.org/a)" in call.body["markdown"]["content"]


def test_wecom_without_key_fails_clearly(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PUFA_TEST_WECOM_KEY", raising=False)
    push_id = env.approved(channel="wecom", audience="wecom:网格员群")
    assert env.send(push_id) == "failed"
    assert "key" in (env.book.get(push_id).last_error or "")


def test_wecom_rate_limit(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    robot = env.services.extensions["channels"]["wecom"]
    slept: list[float] = []
    monkeypatch.setattr("bot.push.channels.time.sleep", slept.append)
    for _ in range(env.settings.push.wecom_per_minute + 1):
        robot._throttle("网格员群")
    assert len(slept) == 1
    assert 0 < slept[0] <= 60


def test_dry_run_records_one_delivery_per_resident_and_never_twice(
    env: Env, standin: tuple[StandIn, str]
) -> None:
    push_id = env.approved(channel="dryrun")
    assert env.send(push_id) == "sent"
    rows = env.book.deliveries(push_id)
    assert sorted(r["recipient"] for r in rows) == sorted(
        o for o, v in VILLAGERS.items() if v == "苍岭村"
    )
    assert "防汛提醒" in json.loads(rows[0]["detail"])["would_send"]
    assert env.send(push_id) == "sent"
    assert len(env.book.deliveries(push_id)) == len(rows)
    assert standin[0].requests == []


def test_content_changed_behind_the_reviewers_back_is_not_sent(env: Env) -> None:
    push_id = env.approved(channel="dryrun")
    with env.store.engine.begin() as conn:
        conn.execute(update(pushes).where(pushes.c.id == push_id).values(body="偷偷改过"))
    assert env.send(push_id) == "failed"
    assert env.book.deliveries(push_id) == []


def test_preview_uses_the_shared_token_and_never_refreshes_it(
    env: Env, standin: tuple[StandIn, str]
) -> None:
    from bot.push.wechat_api import ApiError, WeChatApi

    fake, _ = standin
    push_id = env.book.create(Content("预览", "请审核", "all", "wechat", run_at=soon()), AUTHOR)
    reader = WeChatApi(env.settings, env.store.engine, owner=False)
    with pytest.raises(ApiError, match="调度进程"):
        reader.post(
            "message/mass/preview",
            {"touser": "o-staff", "msgtype": "text", "text": {"content": "x"}},
        )
    assert fake.calls("/cgi-bin/stable_token") == []
    env.services.extensions["wechat_api"].refresh_token()  # the scheduler, the token's owner
    reader.post(
        "message/mass/preview", {"touser": "o-staff", "msgtype": "text", "text": {"content": "x"}}
    )
    reader.close()
    assert len(fake.calls("/cgi-bin/stable_token")) == 1
    assert env.book.record_preview(push_id, AUTHOR, "o-staff").state == "draft"
