"""One WeChat delivery in, one reply out: deduplicated by MsgId in the database."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import Connection

from bot.store.journal import Journal
from bot.store.storage import Store
from bot.store.unit import unit
from handlers import Context, Registry, Services, respond

log = logging.getLogger(__name__)

# WeChat gives up after 5 seconds; a retry that finds the first attempt still running
# waits for it a little, within its own 5 seconds.
RETRY_WAIT_SECONDS = 3.5


def dedupe_key(message: Any) -> str:
    """MsgId for messages; events carry no MsgId, so sender + CreateTime + event stands in."""
    msg_id = str(getattr(message, "id", "") or "")
    if msg_id and msg_id != "0":
        return f"msg:{msg_id}"
    event = getattr(message, "event", "") or message.type
    return f"evt:{message.source}:{message.time}:{event}"


def message_content(message: Any) -> str | None:
    for name in ("content", "recognition", "key", "url", "label"):
        value = getattr(message, name, None)
        if value:
            return str(value)
    return None


def handle(
    services: Services, registry: Registry, store: Store, message: Any, limit: int = 0
) -> str:
    """The reply to one delivery; `limit` is the most messages per resident per minute."""
    with store.engine.connect() as held:  # one connection for the whole delivery
        return _handle(services, registry, store, message, limit, held)


def _handle(
    services: Services, registry: Registry, store: Store, message: Any, limit: int, held: Connection
) -> str:
    key = dedupe_key(message)
    claim = store.claim_inbound(key, message.source, _kind(message), message_content(message), held)
    if not claim.claimed:
        log.info("retry of %s", key)
        return (
            claim.reply
            if claim.reply is not None
            else store.wait_reply(key, RETRY_WAIT_SECONDS) or ""
        )
    assert claim.inbound_id is not None
    with unit(store.engine, held):  # the rest is written in one transaction, after the matching
        visitor = store.visitor(message.source, 60)
        if limit and not _kind(message).startswith("event") and visitor.recent > limit:
            reply = services.texts.get("slow_down")  # no matching work for a flood
            store.finish_inbound(claim.inbound_id, reply)
            return reply
        ctx = Context(
            services,
            message.source,
            claim.inbound_id,
            _state=visitor.state,
            _resident={"village": visitor.village},
        )
        reply = respond(registry, message, ctx)
        if _kind(message) != "event:unsubscribe":  # last: SQLite's write lock starts here
            store.touch_resident(message.source)
        store.finish_inbound(claim.inbound_id, reply)
    return reply


def journal(journal: Journal, message: Any) -> None:
    """Keep a message the database could not take; a failure here is logged, not raised."""
    try:
        journal.write(dedupe_key(message), message.source, _kind(message), message_content(message))
    except Exception:
        log.exception("could not write %s to the journal either", dedupe_key(message))


def _kind(message: Any) -> str:
    if message.type == "event":
        return f"event:{str(getattr(message, 'event', '')).lower()}"
    return str(message.type)
