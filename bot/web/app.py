"""The app factory: builds every service once, at start-up, and keeps it on the app."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask

from bot.kb.layer import KnowledgeLayer
from bot.kb.live import LiveKnowledge
from bot.services import build_services
from bot.settings import Settings, load_settings, require_web_secrets
from bot.store.journal import Journal
from bot.store.storage import Store
from bot.web.gate import Gate
from handlers import Registry, Services, build_registry
from knowledge.kb import KnowledgeBase
from knowledge.matcher import Matcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pufa:
    """Per-app state, kept in app.extensions['pufa']."""

    settings: Settings
    services: Services
    registry: Registry
    store: Store
    gate: Gate
    journal: Journal


def _replay(journal: Journal, store: Store) -> None:
    try:
        journal.replay(store)
    except Exception:  # the web tier starts anyway; the scheduler retries
        log.exception("could not replay the message journal")


def create_app(
    settings: Settings | None = None,
    *,
    kb: KnowledgeBase | None = None,
    matcher: Matcher | None = None,
) -> Flask:
    """Build the app; `kb` or a ready `matcher` may be passed in (tests share one)."""
    settings = settings or load_settings()
    require_web_secrets(settings)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secrets.secret_key,
        MAX_CONTENT_LENGTH=settings.server.max_upload_bytes,  # the webhook sets its own
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=8 * 3600,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    for name in settings.secrets.generated:
        log.warning("%s 未设置，已为本地试用临时生成（重启后失效）", name)
    store = Store(settings.database.url)
    store.create_schema()
    services = build_services(settings, store, kb, matcher)
    if matcher is None:  # a worker's own: the long tail's index before the first resident
        services.matcher.articles.warm()
    journal = Journal(settings.server.journal)
    _replay(journal, store)
    app.extensions["pufa"] = Pufa(
        settings, services, build_registry(), store, Gate(settings), journal
    )
    live = LiveKnowledge(
        services,
        KnowledgeLayer(store.engine),
        settings.matching.engine(),
        base=kb,
        cache_dir=settings.matching.cache_path(),
    )
    app.extensions["pufa_live"] = live
    app.before_request(live.refresh_if_changed)

    from flask_wtf.csrf import CSRFProtect

    from bot.web import admin, errors, health, webhook

    csrf = CSRFProtect(app)
    app.extensions["pufa_csrf"] = csrf
    app.register_blueprint(webhook.bp)
    app.register_blueprint(health.bp)
    csrf.exempt(webhook.bp)  # signed by WeChat instead
    admin.init_app(app)
    errors.init_app(app)
    if settings.server.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.server.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    app.jinja_env.globals["township_name"] = settings.township.name
    if settings.server.simulator:
        from bot.web import simulator

        app.register_blueprint(simulator.bp)
        csrf.exempt(
            simulator.bp
        )  # needs a custom header instead, which cross-site pages cannot send
    return app
