"""Sending one run of a push: plan the deliveries once, then send each pending one.

Each delivery row is committed as `sending` before the network call and as `sent` or
`failed` after it, so a process killed at any point resumes exactly where it stopped.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Engine

from bot.push.channels import Channel, WeChatMass
from bot.push.workflow import Push, PushBook
from bot.store.statements import DIALECT_INSERT
from bot.store.storage import utcnow
from bot.store.tables import deliveries
from handlers.context import Context

log = logging.getLogger(__name__)
OPEN = ("pending", "sending")


def deliver(ctx: Context, push_id: int, occurrence: str) -> str:
    """Run (or resume) one occurrence of a push; returns the push's resulting state."""
    book: PushBook = ctx.services.extensions["pushes"]
    channels: dict[str, Channel] = ctx.services.extensions["channels"]
    engine = book.engine
    push = book.get(push_id)
    if push.state not in ("approved", "scheduled", "queued", "sending"):
        log.info("push %s is %s; not sending", push_id, push.state)
        return push.state
    if not push.approved_intact:
        return book.mark(
            push_id, "failed", error="内容在审核后被改动过，未发送，请重新提交审核"
        ).state
    channel = channels[push.content.channel]
    if push.state != "sending":
        push = book.mark(push_id, "sending")
    if not _rows(engine, push_id, occurrence):
        planned = channel.plan(push)
        if not planned:
            return _finish(book, push, occurrence, "没有符合条件的接收人")
        _insert(engine, push, occurrence, channel.name, planned)
    if isinstance(channel, WeChatMass) and not _any_sent(engine, push_id, occurrence):
        problem = channel.quota_problem(push)
        if problem:
            _fail_open(engine, push_id, occurrence, problem)
            return _finish(book, push, occurrence, problem)
    for row in _rows(engine, push_id, occurrence, OPEN):
        if row["state"] == "sending" and not channel.resend_in_flight:
            _set(engine, row["id"], "unknown", "发送中断：可能已经发出，为避免重复没有重发")
            continue
        _set(engine, row["id"], "sending", None, attempt=True)
        outcome = channel.send(push, occurrence, row)
        _set(engine, row["id"], "sent" if outcome.ok else "failed", outcome.detail)
        if outcome.fatal:
            _fail_open(engine, push_id, occurrence, outcome.detail)
            break
    return _finish(book, push, occurrence)


def _finish(book: PushBook, push: Push, occurrence: str, note: str | None = None) -> str:
    states = [row["state"] for row in _rows(book.engine, push.id, occurrence)]
    sent = states.count("sent")
    errors = sorted(
        {row["detail"] for row in _rows(book.engine, push.id, occurrence) if row["state"] != "sent"}
    )
    if sent and sent == len(states):
        result, error = "sent", None
    elif sent:
        result, error = (
            "partly_failed",
            f"{len(states) - sent}/{len(states)} 条未成功：" + "；".join(errors)[:500],
        )
    else:
        result, error = "failed", note or ("；".join(errors)[:500] or "未能发送")
    if push.content.cron:  # a recurring push waits for its next run
        book.mark(push.id, "scheduled", actor="scheduler", error=error)
        return "scheduled"
    return book.mark(push.id, result, error=error).state


def _rows(
    engine: Engine, push_id: int, occurrence: str, states: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    query = select(deliveries).where(
        and_(deliveries.c.push_id == push_id, deliveries.c.occurrence == occurrence)
    )
    if states:
        query = query.where(deliveries.c.state.in_(states))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query.order_by(deliveries.c.id)).mappings()]


def _any_sent(engine: Engine, push_id: int, occurrence: str) -> bool:
    return any(row["state"] == "sent" for row in _rows(engine, push_id, occurrence))


def _insert(engine: Engine, push: Push, occurrence: str, channel: str, planned: list[Any]) -> None:
    insert = DIALECT_INSERT[engine.dialect.name]
    now = utcnow()
    values = [
        {
            "push_id": push.id,
            "occurrence": occurrence,
            "channel": channel,
            "recipient": p.recipient,
            "members": json.dumps(p.members) if p.members is not None else None,
            "state": "pending",
            "attempts": 0,
            "created_at": now,
        }
        for p in planned
    ]
    with engine.begin() as conn:
        conn.execute(insert(deliveries).values(values).on_conflict_do_nothing())


def _set(
    engine: Engine, delivery_id: int, state: str, detail: str | None, attempt: bool = False
) -> None:
    values: dict[str, Any] = {"state": state}
    if detail is not None:
        values["detail"] = detail
    if attempt:
        values["attempts"] = deliveries.c.attempts + 1
    if state == "sent":
        values["sent_at"] = utcnow()
    with engine.begin() as conn:
        conn.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(**values))


def _fail_open(engine: Engine, push_id: int, occurrence: str, detail: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(deliveries)
            .where(
                and_(
                    deliveries.c.push_id == push_id,
                    deliveries.c.occurrence == occurrence,
                    deliveries.c.state == "pending",
                )
            )
            .values(state="failed", detail=detail)
        )
