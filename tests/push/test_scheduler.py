"""The scheduler process: catch-up and missed pushes on a frozen clock, a live run, a kill -9."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.push import scheduler as scheduler_module
from bot.push.content import Content
from bot.push.process import build
from bot.push.scheduler import decide, sync_job
from bot.push.workflow import PushBook
from bot.services import build_services
from bot.settings import DEFAULT_CONFIG
from bot.store.storage import Store, utcnow

from ..pushkit import AUTHOR, REVIEWER, approved_push, push_settings, seed_people
from ..standin import StandIn, serve
from ..wechat import APPID, TOKEN

NOON = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai on 宪法日


@pytest.mark.parametrize(
    ("now", "verdict"),
    [
        (NOON - timedelta(seconds=1), "wait"),
        (NOON, "run"),
        (NOON + timedelta(minutes=59), "run"),
        (NOON + timedelta(minutes=61), "missed"),
    ],
)
def test_decide_on_a_frozen_clock(now: datetime, verdict: str) -> None:
    assert decide(NOON, now, grace_seconds=3600) == verdict


@pytest.fixture
def runtime(db_url: str, matcher: Any) -> Iterator[Any]:
    settings = push_settings(db_url, misfire_grace_seconds=3600, poll_seconds=1)
    settings = dataclasses.replace(
        settings, secrets=dataclasses.replace(settings.secrets, appsecret="")
    )
    store = Store(db_url)
    store.create_schema()
    seed_people(store, {"o-a": "苍岭村", "o-b": "苍岭村", "o-c": "岭口村"})
    built = build(
        settings, background=True, services=build_services(settings, store, matcher=matcher)
    )
    yield built
    if built.scheduler.running:
        built.scheduler.shutdown(wait=True)
    built.services.extensions["wechat_api"].close()
    built.book.engine.dispose()
    store.dispose()
    scheduler_module.RUNTIME = None


def approved(book: PushBook, run_at: datetime, **extra: Any) -> int:
    return approved_push(
        book,
        Content("宪法日", "今天是国家宪法日。", "village:苍岭村", "dryrun", run_at=run_at, **extra),
        now=run_at - timedelta(days=1),
    )


def test_sync_on_a_frozen_clock(runtime: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    book = runtime.book
    future = approved(book, NOON + timedelta(hours=2))
    late = approved(book, NOON - timedelta(minutes=30))
    too_late = approved(book, NOON - timedelta(hours=3))
    monkeypatch.setattr(scheduler_module, "utcnow", lambda: NOON)
    sync_job()
    assert book.get(future).state == "scheduled"
    assert runtime.scheduler.get_job(f"push:{future}").trigger.run_date == NOON + timedelta(hours=2)
    assert book.get(late).state == "scheduled"
    assert runtime.scheduler.get_job(f"push:{late}").trigger.run_date == NOON  # caught up now
    assert book.get(too_late).state == "missed"
    assert "错过" in (book.get(too_late).last_error or "")
    assert runtime.scheduler.get_job(f"push:{too_late}") is None
    book.cancel(future, AUTHOR)
    sync_job()
    assert runtime.scheduler.get_job(f"push:{future}") is None


def test_recurring_push_gets_a_cron_job_with_a_stable_id(runtime: Any) -> None:
    book = runtime.book
    push_id = approved(book, NOON, cron=None)
    book.edit(
        push_id,
        Content("每周一提醒", "防诈骗", "all", "dryrun", cron="0 9 * * 1"),
        AUTHOR,
        now=NOON - timedelta(days=1),
    )
    book.approve(push_id, REVIEWER, now=NOON - timedelta(days=1))
    sync_job()
    job = runtime.scheduler.get_job(f"push:{push_id}")
    assert job is not None
    fire = job.trigger.get_next_fire_time(None, NOON)
    assert fire.strftime("%A %H:%M") == "Monday 09:00"
    assert fire.utcoffset() == timedelta(hours=8)


def test_live_scheduler_sends_a_dry_run_push_at_its_time(runtime: Any) -> None:
    book = runtime.book
    push_id = approved_push(
        book,
        Content(
            "宪法日",
            "今天是国家宪法日。",
            "village:苍岭村",
            "dryrun",
            run_at=utcnow() + timedelta(seconds=2),
        ),
    )
    runtime.scheduler.start()
    deadline = time.monotonic() + 20
    while book.get(push_id).state != "sent" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert book.get(push_id).state == "sent"
    assert sorted(d["recipient"] for d in book.deliveries(push_id)) == ["o-a", "o-b"]


def test_send_now_is_one_audited_step(runtime: Any) -> None:
    """A push set for tomorrow, sent now: approved → queued → sending → sent, no back and forth."""
    book = runtime.book
    push_id = approved(book, utcnow() + timedelta(days=1))
    sync_job()
    assert book.get(push_id).state == "scheduled"
    assert book.send_now(push_id, AUTHOR).state == "queued"
    runtime.scheduler.start()
    sync_job()
    deadline = time.monotonic() + 60
    while book.get(push_id).state != "sent" and time.monotonic() < deadline:
        time.sleep(0.2)
    steps = [(row["action"], row["to_state"]) for row in book.audit(push_id)]
    assert steps[-4:] == [
        ("scheduled", "scheduled"),
        ("send-now", "queued"),
        ("sending", "sending"),
        ("sent", "sent"),
    ]


def _config(tmp_path: Path, db: Path, base_url: str) -> Path:
    text = DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
        'url = "sqlite:///pufa.db"', f'url = "sqlite:///{db}"'
    )
    text = text.replace(
        '[wechat]\nencryption_mode = "safe"',
        f'[wechat]\nencryption_mode = "safe"\naccount_type = "service"\napi_base_url = "{base_url}/cgi-bin/"',
    )
    text += "\n[push]\npoll_seconds = 1\nmass_batch_size = 5\nretry_backoff = 0.01\nhttp_timeout = 2.0\n"
    path = tmp_path / "scheduler.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _start(config: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PUFA_CONFIG": str(config),
        "PUFA_WECHAT_TOKEN": TOKEN,
        "PUFA_WECHAT_APPID": APPID,
        "PUFA_WECHAT_SECRET": "app-secret",
        "PUFA_SECRET_KEY": "k",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_kill_minus_nine_mid_send_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    fake = StandIn(delay=0.15)
    server, url = serve(fake)
    db = tmp_path / "kill.db"
    store = Store(f"sqlite:///{db}")
    store.create_schema()
    people = {f"o-kill-{n:03d}": "苍岭村" for n in range(100)}
    seed_people(store, people)
    book = PushBook(store.engine, push_settings(f"sqlite:///{db}", url, account="service"))
    push_id = approved_push(
        book,
        Content(
            "禁毒日",
            "珍爱生命，远离毒品。",
            "village:苍岭村",
            "wechat",
            run_at=utcnow() + timedelta(seconds=3),
        ),
    )
    config = _config(tmp_path, db, url)
    first = _start(config)
    try:
        deadline = time.monotonic() + 60
        while len(fake.accepted) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        killed_after = len(fake.accepted)
        assert 0 < killed_after < 20, "the kill must land mid-send"
        second = _start(config)
        try:
            deadline = time.monotonic() + 90
            while (
                book.get(push_id).state not in ("sent", "failed", "partly_failed")
                and time.monotonic() < deadline
            ):
                time.sleep(0.2)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(20)
    finally:
        if first.poll() is None:
            first.kill()
        server.shutdown()
        server.server_close()
    received = Counter(openid for body in fake.accepted for openid in body["touser"])
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    lost = len(set(people) - set(received))
    resent = sum(1 for r in fake.requests if r.answer and r.answer.get("errcode") == 45065)
    print(
        f"\nkill test: recipients={len(people)} batches={len(fake.accepted)} "
        f"killed after {killed_after} batches, resent and dropped by clientmsgid={resent}, "
        f"duplicates={duplicates}, lost={lost}"
    )
    assert book.get(push_id).state == "sent"
    assert duplicates == 0
    assert lost == 0
    assert all(d["state"] == "sent" for d in book.deliveries(push_id))
    store.dispose()
