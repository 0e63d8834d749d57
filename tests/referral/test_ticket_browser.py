"""The helper's ticket pages in Debian's headless Chromium, on a phone-sized 390×844 screen."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from werkzeug.serving import make_server

from bot.store.storage import utcnow
from bot.store.tables import tickets
from bot.store.users import add_user
from bot.web.app import create_app

from ..conftest import make_settings
from ..web.test_simulator import CHROMIUM, CHROMIUM_ARGS
from ..wechat import WeChat

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not shutil.which("chromium"), reason="Debian chromium not installed"
)
PASSWORD = "browser-pass-1"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(tmp_path: Path, matcher: Any) -> Iterator[str]:
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'tickets.db'}"), matcher=matcher)
    engine = app.extensions["pufa"].store.engine
    add_user(engine, "tian", PASSWORD, "helper", "田大姐", village="苍岭村")
    wechat = WeChat(app.test_client())
    for openid, story in (
        ("o-late", "邻居把我家的路挖断了，吵了好几回，想请人来调解一下，我不会写字"),
        ("o-new", "找人工"),
    ):
        wechat.text(openid, "我是苍岭村的")
        wechat.text(openid, story)
        if story != "找人工":
            wechat.text(openid, "找人工")  # the ticket carries the story told before
        wechat.text(openid, "13712345678")
    with engine.begin() as conn:  # the first one is past its deadline
        conn.execute(
            update(tickets).where(tickets.c.id == 1).values(due_at=utcnow() - timedelta(hours=2))
        )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    app.extensions["pufa"].store.dispose()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
        yield context.new_page()
        chromium.close()


def fits_the_screen(page: Any) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px phone"


def test_helper_works_a_ticket_on_a_phone(site: str, page: Any, tmp_path: Path) -> None:
    page.goto(f"{site}/admin/login")
    page.fill("input[name=username]", "tian")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/tickets/")
    fits_the_screen(page)
    late = page.locator("a.ticket.late")
    assert late.count() == 1
    assert "#1" in late.inner_text()
    assert "超时" in late.inner_text()
    font = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('a.ticket')).fontSize)"
    )
    assert font >= 14

    late.click()
    page.wait_for_url(f"{site}/admin/tickets/1")
    fits_the_screen(page)
    assert page.inner_text("#phone") == "13712345678"
    assert "邻居把我家的路挖断了" in page.inner_text("#summary")
    accept = page.get_by_role("button", name="接单")
    box = accept.bounding_box()
    assert box is not None
    assert box["height"] >= 40  # a thumb can hit it
    page.screenshot(path=str(tmp_path / "ticket.png"), full_page=True)
    accept.click()
    page.wait_for_load_state()
    assert page.inner_text("#state") == "已接单"
    page.get_by_role("button", name="已联系").click()
    page.wait_for_load_state()
    assert page.inner_text("#state") == "已联系"
    assert page.get_by_role("button", name="接单").count() == 0  # no step the state forbids
    assert "告诉居民已联系" in page.content()

    # The form carries its CSRF token; the same post without it is refused.
    status = page.evaluate(
        """async () => (await fetch('/admin/tickets/2/accept', {method: 'POST'})).status"""
    )
    assert status == 400
