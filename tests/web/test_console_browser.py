"""The console end to end in a real headless Chromium (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from werkzeug.serving import make_server

from bot.store.demo import seed_demo
from bot.store.users import add_user
from bot.web.app import create_app

from ..conftest import make_settings
from ..wechat import WeChat
from .test_simulator import CHROMIUM, CHROMIUM_ARGS

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not shutil.which("chromium"), reason="Debian chromium not installed"
)
PASSWORD = "browser-pass-1"


@pytest.fixture
def site(tmp_path: Path, matcher: Any) -> Iterator[tuple[str, Any]]:
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'console.db'}"), matcher=matcher)
    engine = app.extensions["pufa"].store.engine
    for name, role in (("staff1", "staff"), ("rev1", "reviewer"), ("boss", "leader")):
        add_user(engine, name, PASSWORD, role)
    seed_demo(engine, matcher.kb, ["苍岭村", "岭口村", "南溪村"], days=40, people=60)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(5)
    app.extensions["pufa"].store.dispose()


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def login(page: Any, base: str, user: str) -> None:
    page.goto(f"{base}/admin/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def logout(page: Any) -> None:
    page.click("nav button[type=submit]")


def test_log_in_edit_approve_and_see_the_new_answer(site: tuple[str, Any], browser: Any) -> None:
    base, _ = site
    page = browser.new_page()
    login(page, base, "staff1")
    assert "近 30 天" in page.content()
    page.goto(f"{base}/admin/kb/edit?id=hunyin-cooling-off")
    answer = page.locator("textarea[name=answer]")
    answer.fill(answer.input_value() + "本镇提示：拿不准的先到司法所问一问。")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/kb/reviews")
    logout(page)
    login(page, base, "rev1")
    page.goto(f"{base}/admin/kb/reviews")
    page.click(".change button.primary")
    page.wait_for_selector("text=已生效")
    page.goto(f"{base}/admin/hit-test?q=离婚冷静期是多久")
    assert "本镇提示：拿不准的先到司法所问一问" in page.inner_text("#reply")


def test_create_and_approve_a_push(site: tuple[str, Any], browser: Any) -> None:
    base, _ = site
    page = browser.new_page()
    login(page, base, "staff1")
    page.goto(f"{base}/admin/pushes/new")
    page.fill("input[name=title]", "宪法宣传周：宪法是根本大法")
    page.fill("textarea[name=body]", "12月4日是国家宪法日。")
    page.select_option("select[name=audience]", "village:苍岭村")
    page.fill("input[name=run_at]", "2099-12-04T09:00")
    page.click("input[type=submit]")
    page.click("button[value=submit]")
    page.wait_for_selector("#state:has-text('待审核')")
    logout(page)
    login(page, base, "rev1")
    page.goto(f"{base}/admin/pushes/")
    page.click("text=宪法宣传周：宪法是根本大法")
    page.fill("input[name=comment]", "内容合法")
    page.click("button[value=approve]")
    page.wait_for_selector("#state:has-text('已审核')")
    assert "内容合法" in page.content()


def test_statistics_charts_render_and_excel_downloads(
    site: tuple[str, Any], browser: Any, tmp_path: Path
) -> None:
    base, _ = site
    page = browser.new_page(accept_downloads=True)
    login(page, base, "boss")
    page.goto(f"{base}/admin/stats/?demo=1")  # the site's figures are all demo rows
    bars = page.locator("figure.chart svg rect.bar")
    assert bars.count() > 20
    widths = [float(bars.nth(i).get_attribute("width") or 0) for i in range(bars.count())]
    heights = [float(bars.nth(i).get_attribute("height") or 0) for i in range(bars.count())]
    assert max(widths) > 50
    assert max(heights) > 50
    box = page.locator("figure.chart svg").first.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert int(page.inner_text("#total")) > 0
    with page.expect_download() as download_info:
        page.click("#export")
    path = tmp_path / "figures.xlsx"
    download_info.value.save_as(path)
    book = load_workbook(path)
    assert book["概况"]["B3"].value == int(page.inner_text("#total"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    phone = page.locator("figure.chart svg").first.bounding_box()
    assert phone is not None
    assert phone["width"] <= 390  # no sideways scrolling on a phone


def test_resident_script_shows_as_text_in_the_queue(site: tuple[str, Any], browser: Any) -> None:
    base, app = site
    hostile = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">今天天气怎么样'
    WeChat(app.test_client()).text("o-hostile", hostile)
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, base, "staff1")
    page.goto(f"{base}/admin/unanswered")
    cell = page.locator("td.question").filter(has_text="今天天气怎么样").first
    assert "<script>window.pwned=1</script>" in cell.inner_text()
    assert page.evaluate("window.pwned") is None
    assert page.locator("#unanswered img").count() == 0
    assert dialogs == []
