"""The README's console and push sections, pasted as written into a shell on whatever day the
suite runs, against a live server; then the result is checked in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from bot.settings import DEFAULT_CONFIG, load_settings
from bot.web.app import create_app

from .test_simulator import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "readme-pass-1"
SECTIONS = ("## 工作人员与领导后台", "## 普法推送（工作人员）")


def readme_block(heading: str) -> str:
    """The first ```bash block under a README heading, exactly as a reader would copy it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    match = re.search(r"```bash\n(.*?)```", section, re.S)
    assert match, f"no bash block under {heading}"
    return match.group(1)


@pytest.fixture
def deployment(tmp_path: Path, matcher: Any) -> Iterator[tuple[Path, str]]:
    """A folder laid out like the repository root, with `.venv/bin/pufa` running this code
    on its own database, and `pufa serve`'s app live on 127.0.0.1."""
    config = tmp_path / "pufa.toml"
    config.write_text(
        DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
            'url = "sqlite:///pufa.db"', f'url = "sqlite:///{tmp_path / "pufa.db"}"'
        ),
        encoding="utf-8",
    )
    pufa = tmp_path / ".venv" / "bin" / "pufa"
    pufa.parent.mkdir(parents=True)
    # The reader types a password at each prompt; the script answers for them.
    pufa.write_text(
        "#!/usr/bin/env bash\n"
        'if [ "$1" = user ] && [ "$2" = add ]; then set -- "$@" --password ' + PASSWORD + "; fi\n"
        f'exec "{sys.executable}" -m bot.cli.main --config "{config}" "$@"\n',
        encoding="utf-8",
    )
    pufa.chmod(0o755)
    app = create_app(load_settings(config), matcher=matcher)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    app.extensions["pufa"].store.dispose()


def run_block(folder: Path, heading: str) -> str:
    script = "set -euo pipefail\n" + readme_block(heading)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PUFA_CONFIG": ""}
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_readme_console_and_push_sections_work_as_written(
    deployment: tuple[Path, str],
) -> None:
    folder, base = deployment
    console = run_block(folder, SECTIONS[0])
    assert "已创建 admin" in console
    assert "已创建 li" in console
    assert "演示咨询" in console
    pushes = run_block(folder, SECTIONS[1])
    assert "已创建 wang" in pushes
    assert "宪法宣传周" in pushes
    assert "现在是“待审核”" in pushes
    assert "现在是“已审核”" in pushes
    assert "审核通过  待审核→已审核  内容合法" in pushes
    assert "防诈骗提醒" in pushes
    assert "苍岭村的居民" in pushes

    if not shutil.which("chromium"):
        pytest.skip("Debian chromium not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page()
        page.goto(f"{base}/admin/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}/admin/")
        page.goto(f"{base}/admin/pushes/")
        page.click("text=防诈骗提醒")
        detail = page.content()
        assert "已审核" in detail
        assert "苍岭村的居民" in detail
        assert page.locator("button[value=approve]").count() == 0  # reviewed already
        assert page.locator("button[value=send_now]").count() == 1
        page.goto(f"{base}/admin/stats/")
        assert "未计入" in page.locator("#left-out").inner_text()  # the demo rows
        browser.close()
