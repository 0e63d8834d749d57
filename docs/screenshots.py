"""Regenerate the README screenshots: python docs/screenshots.py (needs Debian chromium)."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import create_app  # noqa: E402
from bot.settings import load_settings  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def main() -> None:
    settings = load_settings(environ={})
    database = dataclasses.replace(settings.database, url=f"sqlite:///{tempfile.mkdtemp()}/shot.db")
    app = create_app(dataclasses.replace(settings, database=database))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 720, "height": 1100})
        page.goto(f"http://127.0.0.1:{server.server_port}/simulator")
        for text in ("你好", "邻居把我家宅基地占了怎么办"):
            count = page.locator(".bot .bubble").count()
            page.fill("#text", text)
            page.click("#send")
            page.locator(".bot .bubble").nth(count).wait_for()
        page.screenshot(path=str(ROOT / "docs" / "simulator.png"), full_page=True)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
