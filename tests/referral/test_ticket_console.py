"""Tickets in the console, the 台账 in the figures, phone retention and the CLI for helpers."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.cli.main import main
from bot.store.retention import purge_ticket_phones
from bot.store.stats import compute, report_paragraph
from bot.store.storage import Store, utcnow
from bot.store.tables import tickets
from bot.store.users import add_user, get_user

from ..conftest import cli_config
from ..consolekit import PASSWORD, Auth, csrf_token
from ..wechat import WeChat


def _helpers(store: Store) -> None:
    add_user(store.engine, "tian", PASSWORD, "helper", "田大姐", village="苍岭村")
    add_user(store.engine, "xiang", PASSWORD, "helper", "向大姐", village="岭口村")


def _ticket(wechat: WeChat, openid: str, village: str = "苍岭村") -> None:
    wechat.text(openid, f"我是{village}的")
    wechat.text(openid, "找人工")
    wechat.text(openid, "13912345678")


def test_helper_sees_and_works_only_their_village(auth: Auth, client, store, wechat) -> None:  # type: ignore[no-untyped-def]
    _helpers(store)
    _ticket(wechat, "o-a")
    _ticket(wechat, "o-b", village="岭口村")
    auth.login("tian")
    assert client.get("/admin/").headers["Location"].endswith("/admin/tickets/")
    listing = client.get("/admin/tickets/").get_data(as_text=True)
    assert "#1 苍岭村" in listing
    assert "/admin/tickets/2" not in listing
    assert client.get("/admin/tickets/2").status_code == 403
    assert client.get("/admin/kb/").status_code == 403
    page = client.get("/admin/tickets/1").get_data(as_text=True)
    assert "13912345678" in page  # the helper of the village sees the number
    assert client.post("/admin/tickets/1/accept").status_code == 400  # no CSRF token
    token = csrf_token(client, "/admin/tickets/1")
    done = client.post("/admin/tickets/1/accept", data={"csrf_token": token})
    assert done.status_code == 302
    assert "已接单" in client.get("/admin/tickets/1").get_data(as_text=True)
    with store.engine.connect() as conn:
        assert conn.execute(select(tickets.c.assignee).where(tickets.c.id == 1)).scalar() == "tian"


def test_staff_see_every_ticket_and_overdue_ones_in_red(auth: Auth, client, store, wechat) -> None:  # type: ignore[no-untyped-def]
    _helpers(store)
    _ticket(wechat, "o-a")
    with store.engine.begin() as conn:
        conn.execute(update(tickets).values(due_at=utcnow() - timedelta(hours=1)))
    auth.login("staff1")
    listing = client.get("/admin/tickets/").get_data(as_text=True)
    assert "ticket card late" in listing
    assert "超时" in listing
    assert "13912345678" in client.get("/admin/tickets/1").get_data(as_text=True)
    auth.login("boss")  # a leader reads the 台账, not the tickets
    assert client.get("/admin/tickets/").status_code == 403


def test_bind_page_gives_a_code_that_binds(auth: Auth, client, store, wechat) -> None:  # type: ignore[no-untyped-def]
    _helpers(store)
    auth.login("tian")
    token = csrf_token(client, "/admin/tickets/bind")
    page = client.post("/admin/tickets/bind", data={"csrf_token": token}).get_data(as_text=True)
    code = page.split("绑定 ")[1][:6]
    assert "绑定成功" in wechat.text("o-tian", f"绑定 {code}")
    assert get_user(store.engine, "tian").openid == "o-tian"
    assert "绑定码不对" in wechat.text("o-other", f"绑定 {code}")  # one use only


def test_ledger_in_figures_report_and_workbook(store, wechat, kb) -> None:  # type: ignore[no-untyped-def]
    from bot.store.export import workbook
    from bot.store.users import get_user as user_of

    _helpers(store)
    for n in range(3):
        _ticket(wechat, f"o-{n}")
    _ticket(wechat, "demo-0001")  # made up: never in the report
    book = wechat.client.application.extensions["pufa"].services.referrals
    book.act(1, user_of(store.engine, "tian"), "contacted")
    book.act(1, user_of(store.engine, "tian"), "resolved")
    book.escalate_overdue(utcnow() + timedelta(days=2))
    today = date.today()
    figures = compute(store.engine, kb, today - timedelta(days=1), today + timedelta(days=1))
    total = figures.tickets.total
    assert (total.opened, total.contacted_in_time, total.resolved, total.escalated) == (3, 1, 1, 2)
    assert figures.tickets.left_out_demo == 1
    assert (
        "登记转介工单3件，按时联系群众1件（33%），已办结1件，超时转司法所2件"
        in report_paragraph(figures, "苍岭镇")
    )
    sheet = load_workbook(BytesIO(workbook(figures, "苍岭镇")))["转介台账"]
    assert [c.value for c in sheet[2]] == ["苍岭村", 3, 1, 1, 2, 2]


def test_phones_are_forgotten_after_the_ticket_is_resolved(store, wechat) -> None:  # type: ignore[no-untyped-def]
    _helpers(store)
    _ticket(wechat, "o-a")
    book = wechat.client.application.extensions["pufa"].services.referrals
    book.act(1, get_user(store.engine, "tian"), "resolved")
    assert purge_ticket_phones(store.engine, 30) == 0
    with store.engine.begin() as conn:
        conn.execute(update(tickets).values(resolved_at=utcnow() - timedelta(days=31)))
    assert purge_ticket_phones(store.engine, 30) == 1
    assert not book.get(1).has_phone


def test_cli_adds_a_helper_and_prints_a_bind_code(tmp_path: Path) -> None:
    runner = CliRunner()
    config = cli_config(tmp_path, f"sqlite:///{tmp_path / 'pufa.db'}")
    assert runner.invoke(main, [*config, "init"]).exit_code == 0
    base = [*config, "user", "add", "tian", "--role", "helper", "--password", "password-1"]
    refused = runner.invoke(main, base)
    assert "要写明是哪个村" in refused.output
    wrong = runner.invoke(main, [*base, "--village", "火星村"])
    assert "没有“火星村”" in wrong.output
    made = runner.invoke(main, [*base, "--village", "苍岭村"])
    assert "法律明白人，苍岭村" in made.output, made.output
    code = runner.invoke(main, [*config, "user", "bind-code", "tian"])
    assert code.exit_code == 0
    assert "绑定 " in code.output
    listed = runner.invoke(main, [*config, "user", "list"]).output
    assert "苍岭村" in listed
