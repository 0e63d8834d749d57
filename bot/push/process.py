"""Building and running the one scheduler process."""

from __future__ import annotations

import contextlib
import logging
import signal
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.push.channels import CustomerService, DryRun, WeChatMass, WeComRobot
from bot.push.scheduler import Runtime, add_housekeeping, configure
from bot.push.wechat_api import WeChatApi
from bot.push.workflow import PushBook
from bot.services import build_services
from bot.settings import Settings
from bot.store.storage import Store
from handlers.context import Services

log = logging.getLogger(__name__)


def scheduler_services(
    settings: Settings, store: Store, services: Services | None = None
) -> Services:
    """The services every job's context carries: the push book, the channels, the WeChat API."""
    services = services or build_services(settings, store)
    api = WeChatApi(settings, store.engine)
    extensions: dict[str, Any] = {
        "pushes": PushBook(store.engine, settings),
        "wechat_api": api,
        "channels": {
            "dryrun": DryRun(store.engine),
            "wechat": WeChatMass(store.engine, settings, api),
            "cs": CustomerService(store.engine, settings, api),
            "wecom": WeComRobot(settings),
        },
    }
    services.extensions.update(extensions)
    return services


def build(
    settings: Settings, background: bool = False, services: Services | None = None
) -> Runtime:
    store = Store(settings.database.url)
    store.create_schema()
    scheduler: BaseScheduler = BackgroundScheduler() if background else BlockingScheduler()
    runtime = configure(scheduler, settings, scheduler_services(settings, store, services))
    add_housekeeping(scheduler, settings)
    return runtime


def run(settings: Settings) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    runtime = build(settings)

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal %s: stopping the scheduler", signum)
        runtime.scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("pufa scheduler started (poll every %ss)", settings.push.poll_seconds)
    with contextlib.suppress(KeyboardInterrupt):
        runtime.scheduler.start()
