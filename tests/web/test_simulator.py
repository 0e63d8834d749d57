"""The simulator page in a real headless Chromium, against a live server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from bot.web.app import create_app

from ..conftest import make_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(tmp_path, matcher) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = create_app(
        make_settings(f"sqlite:///{tmp_path / 'sim.db'}", "safe", simulator=True), matcher=matcher
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    app.extensions["pufa"].store.dispose()


def post_json(
    url: str, payload: dict[str, str], headers: dict[str, str]
) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, {}


def test_simulator_send_goes_through_the_signed_webhook(live_server: str) -> None:
    status, data = post_json(
        f"{live_server}/simulator/send",
        {"openid": "sim-t", "kind": "text", "text": "离婚冷静期是多久"},
        {"X-Pufa-Simulator": "1"},
    )
    assert status == 200
    assert "冷静期" in data["reply"]
    assert "民法典" in data["reply"]


def test_simulator_refuses_requests_without_its_header(live_server: str) -> None:
    status, _ = post_json(f"{live_server}/simulator/send", {"text": "你好"}, {})
    assert status == 403


def test_simulator_is_off_in_production_settings(tmp_path, matcher) -> None:  # type: ignore[no-untyped-def]
    app = create_app(
        make_settings(f"sqlite:///{tmp_path / 'p.db'}", "safe", simulator=False), matcher=matcher
    )
    assert app.test_client().get("/simulator").status_code == 404
    app.extensions["pufa"].store.dispose()


@pytest.mark.skipif(
    not shutil.which("chromium") and not shutil.which("/usr/bin/chromium"),
    reason="Debian chromium not installed",
)
def test_resident_chats_in_a_real_browser(live_server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page()
        page.goto(f"{live_server}/simulator")
        page.fill("#text", "邻居占了我家宅基地咋办")
        page.click("#send")
        answer = page.locator(".bot .bubble").first
        answer.wait_for(timeout=15000)
        assert "宅基地" in answer.inner_text()
        assert "条" in answer.inner_text()
        page.fill("#text", "<img src=x onerror=alert(1)>你好")
        page.click("#send")
        page.locator(".bot .bubble").nth(1).wait_for(timeout=15000)
        mine = page.locator(".me .bubble").nth(1).inner_text()
        assert mine == "<img src=x onerror=alert(1)>你好"
        assert page.locator(".me img").count() == 0
        browser.close()
