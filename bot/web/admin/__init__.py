"""The staff and leaders' console under /admin/: server-rendered Chinese pages."""

from __future__ import annotations

from flask import Flask

from bot.web.admin import (
    auth,
    console,
    kb_pages,
    push_pages,
    quiz_pages,
    stats_pages,
    ticket_pages,
)


def init_app(app: Flask) -> None:
    for module in (auth, console, kb_pages, push_pages, quiz_pages, stats_pages, ticket_pages):
        app.register_blueprint(module.bp)
    app.jinja_env.globals["role_names"] = auth.ROLE_NAMES
