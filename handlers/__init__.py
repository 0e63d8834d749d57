"""Message and event handlers: small functions registered per app, taking (message, ctx)."""

from __future__ import annotations

import logging
from typing import Any

from . import events, media, referral, text
from .context import Context, Services
from .registry import Registry
from .reply import Reply, split_pages

log = logging.getLogger(__name__)


def build_registry() -> Registry:
    registry = Registry(
        # No per-resident lookups here: the failure may be the database itself.
        fallback=media.fallback,
        on_error=lambda ctx: Reply(ctx.services.texts.get("error"), paginate=False),
    )
    for module in (referral, text, media, events):
        module.register(registry)
    return registry


def respond(registry: Registry, message: Any, ctx: Context) -> str:
    """Dispatch, then cut a long reply into pages; the rest waits for "更多"."""
    reply = registry.dispatch(message, ctx)
    body = reply.text
    if reply.paginate and body:
        pages = split_pages(body, ctx.services.reply_max_bytes, ctx.text("more_hint"))
        body = pages[0]
        if len(pages) > 1 or "pages" in ctx.state:
            ctx.state["pages"] = pages[1:]
    try:
        ctx.save_state()
    except Exception:  # state is a convenience; never lose the reply over it
        log.exception("could not save conversation state")
    return body


__all__ = ["Context", "Registry", "Reply", "Services", "build_registry", "respond"]
