"""The console through Flask's test client: login, roles, CSRF, every page and its escaping."""

from __future__ import annotations

import dataclasses
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from bot.store.demo import seed_demo
from bot.web.app import create_app

from ..conftest import make_settings
from ..consolekit import PASSWORD, Auth, add_people, csrf_token
from ..wechat import WeChat


def test_every_console_route_requires_login(app, client) -> None:  # type: ignore[no-untyped-def]
    rules = [
        r
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/admin") and r.endpoint != "auth.login"
    ]
    assert len(rules) >= 8
    for rule in rules:
        url = re.sub(
            r"<(?:int:)?(\w+)>", lambda m: "1" if "int:" in m.group(0) else "submit", rule.rule
        )
        if "GET" in rule.methods:
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf_token(client)})
        if rule.endpoint == "auth.logout":
            continue
        assert response.status_code == 302, (rule.rule, response.status_code)
        assert "/admin/login" in response.headers["Location"]


def test_login_logout_and_cookie_flags(auth: Auth, client) -> None:  # type: ignore[no-untyped-def]
    response = auth.login("staff1")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert client.get("/admin/").status_code == 302


def test_wrong_password_and_rate_limit(auth: Auth) -> None:
    for _ in range(5):
        assert auth.login("staff1", "wrong-password").status_code == 401
    blocked = auth.login("staff1")
    assert blocked.status_code == 429
    assert "过多" in blocked.get_data(as_text=True)


def test_one_persons_typos_lock_only_their_account(auth: Auth, store, client) -> None:  # type: ignore[no-untyped-def]
    """Behind a proxy every address looks the same: the lock counts per username."""
    for _ in range(5):
        assert auth.login("rev1", "wrong-password").status_code == 401
        assert auth.login("nobody-here", "guess-1234").status_code == 401
    assert auth.login("rev1").status_code == 429
    assert auth.login("root").status_code == 302  # the right password still works for others
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    from bot.store.users import unlock

    unlock(store.engine, "rev1")  # what `pufa user unlock rev1` does
    assert auth.login("rev1").status_code == 302


def test_many_names_from_one_real_address_are_limited(db_url: str, matcher) -> None:  # type: ignore[no-untyped-def]
    """With server.trusted_proxies set, the address is the client's, not the proxy's."""
    settings = make_settings(db_url)
    settings = dataclasses.replace(
        settings, server=dataclasses.replace(settings.server, trusted_proxies=1)
    )
    app = create_app(settings, matcher=matcher)
    add_people(app.extensions["pufa"].store.engine)
    auth = Auth(app.test_client())
    guesser = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for n in range(20):
        assert auth.login(f"guess{n}", "wrong-password", **guesser).status_code == 401
    assert auth.login("staff1", **guesser).status_code == 429
    assert auth.login("staff1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
    app.extensions["pufa"].store.dispose()


def test_forms_without_csrf_are_refused(auth: Auth, client) -> None:  # type: ignore[no-untyped-def]
    assert (
        client.post("/admin/login", data={"username": "staff1", "password": PASSWORD}).status_code
        == 400
    )
    auth.login("staff1")
    response = client.post(
        "/admin/pushes/new", data={"title": "t", "body": "b", "run_at": "2099-01-01T09:00"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("boss", "/admin/pushes/new", 403),
        ("boss", "/admin/hit-test", 403),
        ("boss", "/admin/stats/", 200),
        ("staff1", "/admin/hit-test", 200),
        ("rev1", "/admin/unanswered", 200),
        ("root", "/admin/pushes/new", 200),
    ],
)
def test_pages_by_role(auth: Auth, client, user: str, path: str, status: int) -> None:  # type: ignore[no-untyped-def]
    auth.login(user)
    assert client.get(path).status_code == status


PUSH_FORM = {
    "title": "宪法宣传周",
    "body": "宪法是根本大法。",
    "audience": "village:苍岭村",
    "channel": "dryrun",
    "run_at": "2099-12-04T09:00",
}


def new_push(client, **fields: str):  # type: ignore[no-untyped-def]
    """Post the console's new-push form as the logged-in user."""
    token = csrf_token(client, "/admin/pushes/new")
    return client.post(
        "/admin/pushes/new", data={**PUSH_FORM, **fields, "csrf_token": token}
    ), token


def test_push_workflow_in_the_console(auth: Auth, client) -> None:  # type: ignore[no-untyped-def]
    auth.login("staff1")
    created, token = new_push(client)
    assert created.status_code == 302
    detail = created.headers["Location"]
    draft = client.get(detail).get_data(as_text=True)
    assert 'value="submit"' in draft
    assert 'value="send_now"' not in draft  # only what the state allows
    assert "None" not in draft
    assert "苍岭村的居民" in draft
    client.post(f"{detail}/submit", data={"csrf_token": token})
    submitted = client.get(detail).get_data(as_text=True)
    assert 'value="submit"' not in submitted
    assert 'value="approve"' not in submitted  # staff1 is no reviewer
    refused = client.post(f"{detail}/approve", data={"csrf_token": token}, follow_redirects=True)
    assert "权限" in refused.get_data(as_text=True)
    client.post("/admin/logout", data={"csrf_token": token})
    auth.login("rev1")
    token = csrf_token(client, detail)
    page = client.post(
        f"{detail}/approve", data={"csrf_token": token, "comment": "合法"}, follow_redirects=True
    )
    assert "已审核" in page.get_data(as_text=True)
    assert "合法" in page.get_data(as_text=True)
    assert 'value="approve"' not in page.get_data(as_text=True)  # nothing left to review


def test_bad_push_form_shows_the_reason(auth: Auth, client) -> None:  # type: ignore[no-untyped-def]
    auth.login("staff1")
    response, _ = new_push(client, run_at="2000-01-01T09:00")
    assert response.status_code == 400
    assert "已经过去" in response.get_data(as_text=True)


def test_hit_test_shows_reply_candidates_and_terms(auth: Auth, client) -> None:  # type: ignore[no-untyped-def]
    auth.login("staff1")
    html = client.get("/admin/hit-test", query_string={"q": "离婚冷静期是多久"}).get_data(
        as_text=True
    )
    assert "hunyin-cooling-off" in html
    assert "冷静期" in html
    assert "民法典" in html


def test_unanswered_queue_groups_and_escapes(auth: Auth, client, wechat: WeChat) -> None:  # type: ignore[no-untyped-def]
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>今天天气怎么样"
    wechat.text("o-xss", hostile)
    wechat.text("o-xss2", "今天天气怎么样呢")
    wechat.text("o-phone", "我电话13812345678，今天天气怎么样啊")
    auth.login("staff1")
    html = client.get("/admin/unanswered").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "13812345678" not in html
    assert "o-xss" not in html  # residents by pseudonym only
    assert re.search(r"<td>3</td><td>3</td>", html)


def test_statistics_page_and_export(auth: Auth, client, store, kb) -> None:  # type: ignore[no-untyped-def]
    seed_demo(store.engine, kb, ["苍岭村", "岭口村"], days=20, people=30)
    auth.login("boss")
    plain = client.get("/admin/stats/").get_data(as_text=True)
    assert "未计入：演示数据" in plain  # made-up rows are left out unless asked for
    html = client.get("/admin/stats/?demo=1").get_data(as_text=True)
    assert "随机编造" in html
    assert len(re.findall(r'<rect class="bar"[^>]* width="(?!0\.0")', html)) > 10
    assert "（含演示数据，不能用于汇报）" in html
    xlsx = client.get("/admin/stats/export.xlsx?demo=1")
    assert xlsx.status_code == 200
    book = load_workbook(BytesIO(xlsx.data))
    assert book["概况"]["B3"].value > 0


def test_preview_without_a_scheduler_token_says_what_is_missing(auth: Auth, client) -> None:  # type: ignore[no-untyped-def]
    auth.login("staff1")
    created, token = new_push(client, audience="all", channel="wechat")
    page = client.post(
        f"{created.headers['Location']}/preview",
        data={"csrf_token": token, "openid": "o-me"},
        follow_redirects=True,
    )
    assert "调度进程" in page.get_data(as_text=True)


def test_push_deliveries_show_pseudonyms_not_openids(auth: Auth, client, store) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert

    from bot.store.privacy import pseudonym
    from bot.store.storage import utcnow
    from bot.store.tables import deliveries

    auth.login("staff1")
    created, _ = new_push(client, audience="all")
    with store.engine.begin() as conn:
        conn.execute(
            insert(deliveries).values(
                push_id=1,
                occurrence="once",
                channel="dryrun",
                recipient="oSecretOpenId123",
                state="sent",
                attempts=1,
                created_at=utcnow(),
            )
        )
    html = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "oSecretOpenId123" not in html
    assert pseudonym("oSecretOpenId123") in html


def test_knowledge_base_list_pages_and_phone_sized_charts(auth: Auth, client, kb) -> None:  # type: ignore[no-untyped-def]
    auth.login("staff1")
    first = client.get("/admin/kb/").get_data(as_text=True)
    assert f"共 {len(kb.entries)} 条" in first
    assert first.count("/admin/kb/edit?id=") == 50
    last_page = -(-len(kb.entries) // 50)
    last = client.get(f"/admin/kb/?page={last_page}").get_data(as_text=True)
    assert last.count("/admin/kb/edit?id=") == len(kb.entries) - 50 * (last_page - 1)
    stats = client.get("/admin/stats/").get_data(as_text=True)
    assert "<svg" in stats
    assert not re.search(r'<svg[^>]* width="\d+"', stats)  # scales to the screen
