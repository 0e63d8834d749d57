"""Regenerate the README screenshots: python docs/screenshots.py (needs Debian chromium).

Runs the app on a throw-away database with demonstration data and photographs the
simulator and the main console pages into docs/.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import load_settings  # noqa: E402
from bot.store.demo import seed_demo  # noqa: E402
from bot.store.users import add_user  # noqa: E402
from bot.web.app import create_app  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PASSWORD = "screenshot-pass"


def shoot(page: Page, base: str, path: str, name: str) -> None:
    page.goto(base + path)
    page.screenshot(path=str(ROOT / "docs" / name), full_page=True)


def main() -> None:
    settings = load_settings(environ={})
    database = dataclasses.replace(settings.database, url=f"sqlite:///{tempfile.mkdtemp()}/shot.db")
    app = create_app(dataclasses.replace(settings, database=database))
    engine = app.extensions["pufa"].store.engine
    add_user(engine, "leader", PASSWORD, "admin", "镇长（演示）")
    seed_demo(
        engine,
        app.extensions["pufa"].services.kb,
        [v.name for v in settings.township.villages],
        120,
        200,
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 720, "height": 1100})
        page.goto(f"{base}/simulator")
        for text in ("你好", "邻居把我家宅基地占了怎么办", "1"):  # a menu, then the pick
            count = page.locator(".bot .bubble").count()
            page.fill("#text", text)
            page.click("#send")
            page.locator(".bot .bubble").nth(count).wait_for()
        page.screenshot(path=str(ROOT / "docs" / "simulator.png"), full_page=True)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"{base}/admin/login")
        page.fill("input[name=username]", "leader")
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        shoot(
            page,
            base,
            f"/admin/stats/?from={date.today() - timedelta(days=119)}&to={date.today()}&demo=1",
            "console-stats.png",
        )
        shoot(page, base, "/admin/hit-test?q=老板拖欠工资不给怎么办", "console-hit-test.png")
        shoot(page, base, "/admin/kb/?topic=婚姻与离婚", "console-kb.png")
        shoot(page, base, "/admin/quizzes/", "console-quizzes.png")
        shoot_tickets(browser, base, app)
        browser.close()
    server.shutdown()


def shoot_tickets(browser: Browser, base: str, app: Flask) -> None:
    """A resident asks for a person in the simulator; the village helper opens it on a phone."""
    add_user(app.extensions["pufa"].store.engine, "tian", PASSWORD, "helper", "田大姐", "苍岭村")
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(f"{base}/simulator")
    for text in (
        "我是苍岭村的",
        "隔壁修房子把我家的墙震裂了，找他赔他不认",
        "找人工",
        "13712345678",
    ):
        count = page.locator(".bot .bubble").count()
        page.fill("#text", text)
        page.click("#send")
        page.locator(".bot .bubble").nth(count).wait_for()
    page.screenshot(path=str(ROOT / "docs" / "referral-chat.png"), full_page=True)
    page.goto(f"{base}/admin/login")
    page.fill("input[name=username]", "tian")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/tickets/")
    page.click("a.ticket")
    page.wait_for_load_state()
    page.screenshot(path=str(ROOT / "docs" / "referral-ticket.png"), full_page=True)


if __name__ == "__main__":
    main()
