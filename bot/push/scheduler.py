"""The scheduler process (`pufa scheduler`): exactly one per deployment.

The database's pushes table is the truth; every few seconds this process picks up newly
approved pushes and gives each a job with a stable id (push:<id>) in APScheduler's
persistent SQLAlchemy job store. It also owns the WeChat access token and the village
tag queue. Never start it inside web workers: a job store cannot be shared.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import and_, select

from bot.push.content import cron_trigger
from bot.push.deliver import deliver
from bot.push.wechat_api import ApiError
from bot.push.workflow import PushBook
from bot.settings import Settings
from bot.store.storage import Store, utcnow
from bot.store.tables import deliveries
from handlers.context import Context, Services

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What this process's jobs need. Jobs in a persistent store are referenced by name and
    cannot carry live objects, so they find the context here; set once by `start`."""

    settings: Settings
    services: Services
    scheduler: BaseScheduler

    @property
    def book(self) -> PushBook:
        return self.services.extensions["pushes"]

    def context(self) -> Context:
        return Context(self.services, openid="scheduler")


RUNTIME: Runtime | None = None


def decide(run_at: datetime, now: datetime, grace_seconds: int) -> str:
    """A one-off push is sent when due, caught up within the grace, or marked missed."""
    if now < run_at:
        return "wait"
    return "run" if now - run_at <= timedelta(seconds=grace_seconds) else "missed"


def occurrence_for(push_cron: str | None, now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M") if push_cron else "once"


def run_push_job(push_id: int) -> None:
    runtime = _runtime()
    push = runtime.book.get(push_id)
    occurrence = _open_occurrence(runtime, push_id) or occurrence_for(push.content.cron, utcnow())
    deliver(runtime.context(), push_id, occurrence)


def sync_job() -> None:
    """Schedule approved pushes, drop cancelled ones, resume sends a crash interrupted."""
    runtime = _runtime()
    book, scheduler, push_settings = runtime.book, runtime.scheduler, runtime.settings.push
    now = utcnow()
    for push in book.list({"approved"}):
        options: dict[str, Any] = {
            "id": f"push:{push.id}",
            "replace_existing": True,
            "args": [push.id],
            "misfire_grace_time": push_settings.misfire_grace_seconds,
            "coalesce": push_settings.coalesce,
        }
        if push.content.cron:
            trigger: Any = cron_trigger(push.content.cron, push_settings.timezone)
        else:
            assert push.content.run_at is not None
            verdict = decide(push.content.run_at, now, push_settings.misfire_grace_seconds)
            if verdict == "missed":
                book.mark(
                    push.id,
                    "missed",
                    error=f"调度进程停机，错过了发送时间 {push.content.run_at:%Y-%m-%d %H:%M} UTC",
                )
                continue
            trigger = DateTrigger(max(push.content.run_at, now))
        scheduler.add_job(run_push_job, trigger, **options)
        book.mark(push.id, "scheduled")
    for push in book.list({"queued"}):  # sent now: replaces a job still set for later
        job = scheduler.get_job(f"push:{push.id}")
        if job is None or job.next_run_time is None or job.next_run_time > now:
            _run_now(scheduler, push.id, now)
    for push in book.list({"cancelled", "missed", "draft", "submitted"}):
        if scheduler.get_job(f"push:{push.id}"):
            scheduler.remove_job(f"push:{push.id}")
    for push in book.list({"sending"}):
        if not scheduler.get_job(f"push:{push.id}"):
            log.info("resuming push %s after an interruption", push.id)
            _run_now(scheduler, push.id, now)
    for push in book.list({"scheduled"}):
        if not push.content.cron and not scheduler.get_job(f"push:{push.id}"):
            book.mark(
                push.id, "approved", actor="scheduler"
            )  # lost its job: schedule again next round


def _run_now(scheduler: Any, push_id: int, now: datetime) -> None:
    scheduler.add_job(
        run_push_job, DateTrigger(now), id=f"push:{push_id}", args=[push_id], replace_existing=True
    )


def token_job() -> None:
    runtime = _runtime()
    api = runtime.services.extensions.get("wechat_api")
    if api is None or not runtime.settings.secrets.appsecret:
        return
    try:
        api.ensure_token()
    except (ApiError, requests.RequestException) as exc:
        log.warning("could not refresh the WeChat access token: %s", exc)


def tags_job() -> None:
    from bot.push.tags import process_tag_queue

    runtime = _runtime()
    api = runtime.services.extensions.get("wechat_api")
    if api is not None and runtime.settings.secrets.appsecret:
        process_tag_queue(runtime.book.engine, api)


def retention_job() -> None:
    from bot.store.retention import purge_old_texts, purge_ticket_phones

    runtime = _runtime()
    removed = purge_old_texts(runtime.book.engine, runtime.settings.privacy.retention_days)
    if removed:
        log.info("removed the text of %s questions past the retention period", removed)
    phones = purge_ticket_phones(runtime.book.engine, runtime.settings.referral.phone_days)
    if phones:
        log.info("forgot %s phone numbers of resolved tickets", phones)


def journal_job() -> None:
    """Messages the web tier journalled while the database was down, moved in once it is back."""
    from bot.store.journal import Journal

    runtime = _runtime()
    store = runtime.services.store
    if not isinstance(store, Store):
        raise RuntimeError(f"the journal replays into a database Store, not {type(store).__name__}")
    Journal(runtime.settings.server.journal).replay(store)


def referral_job() -> None:
    """Escalate overdue tickets and send the notices waiting in the tickets' outbox."""
    from bot.push import referrals

    runtime = _runtime()
    book = runtime.services.referrals
    if book is None:
        return
    extensions = runtime.services.extensions
    counts = referrals.run(
        book,  # type: ignore[arg-type]
        extensions.get("wechat_api"),
        extensions["channels"]["wecom"],
    )
    if any(counts.values()):
        log.info("referrals: %s", counts)


def on_missed(event: JobExecutionEvent) -> None:
    if event.job_id.startswith("push:") and RUNTIME is not None:
        push_id = int(event.job_id.split(":")[1])
        push = RUNTIME.book.get(push_id)
        if not push.content.cron:
            RUNTIME.book.mark(push_id, "missed", error="超过补发时限，未发送")


def configure(scheduler: BaseScheduler, settings: Settings, services: Services) -> Runtime:
    global RUNTIME
    scheduler.configure(
        jobstores={
            "default": SQLAlchemyJobStore(
                engine=services.extensions["pushes"].engine, tablename="apscheduler_jobs"
            )
        },
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={
            "coalesce": settings.push.coalesce,
            "misfire_grace_time": settings.push.misfire_grace_seconds,
            "max_instances": 1,
        },
        timezone=settings.push.timezone,
    )
    scheduler.add_listener(on_missed, EVENT_JOB_MISSED)
    RUNTIME = Runtime(settings, services, scheduler)
    return RUNTIME


def add_housekeeping(scheduler: BaseScheduler, settings: Settings) -> None:
    every = settings.push.poll_seconds
    now = utcnow()
    # (job, id, interval, first run now?)
    table: list[tuple[Any, str, dict[str, int], bool]] = [
        (sync_job, "pufa:sync", {"seconds": every}, True),
        (token_job, "pufa:token", {"minutes": 5}, True),
        (retention_job, "pufa:retention", {"hours": 24}, True),
        (tags_job, "pufa:tags", {"seconds": max(every, 30)}, False),
        (journal_job, "pufa:journal", {"seconds": 30}, True),
        (referral_job, "pufa:referrals", {"seconds": settings.referral.poll_seconds}, True),
    ]
    for job, job_id, interval, at_once in table:
        extra: dict[str, Any] = {"next_run_time": now} if at_once else {}
        if job is sync_job:
            extra["misfire_grace_time"] = None  # the sync must never be skipped
        scheduler.add_job(
            job, "interval", **interval, id=job_id, replace_existing=True, coalesce=True, **extra
        )


def _open_occurrence(runtime: Runtime, push_id: int) -> str | None:
    with runtime.book.engine.connect() as conn:
        return conn.execute(
            select(deliveries.c.occurrence)
            .distinct()
            .where(
                and_(
                    deliveries.c.push_id == push_id, deliveries.c.state.in_(("pending", "sending"))
                )
            )
        ).scalar()


def _runtime() -> Runtime:
    if RUNTIME is None:
        raise RuntimeError(
            "the scheduler runtime is not configured; start it with `pufa scheduler`"
        )
    return RUNTIME
