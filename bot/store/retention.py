"""Deleting residents' words after the retention period while keeping the counts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, update
from sqlalchemy.engine import Engine

from bot.store.storage import utcnow
from bot.store.tables import inbound, questions, tickets

REMOVED = "（已超过保留期限，原文已删除）"


def purge_old_texts(engine: Engine, days: int) -> int:
    """Blank question texts (and raw message contents) older than `days`; returns how many."""
    if days <= 0:
        return 0
    cutoff = utcnow() - timedelta(days=days)
    with engine.begin() as conn:
        changed = conn.execute(
            update(questions)
            .where(and_(questions.c.asked_at < cutoff, questions.c.text != REMOVED))
            .values(text=REMOVED)
        ).rowcount
        conn.execute(
            update(inbound)
            .where(and_(inbound.c.received_at < cutoff, inbound.c.content.is_not(None)))
            .values(content=None, reply=None)
        )
        conn.execute(
            update(tickets)
            .where(and_(tickets.c.opened_at < cutoff, tickets.c.question != REMOVED))
            .values(question=REMOVED, bot_reply=None, phone=None)
        )
    return int(changed or 0)


def purge_ticket_phones(engine: Engine, days: int) -> int:
    """Forget the phone numbers residents left, `days` after their ticket was resolved."""
    cutoff = utcnow() - timedelta(days=days)
    with engine.begin() as conn:
        changed = conn.execute(
            update(tickets)
            .where(
                and_(
                    tickets.c.state == "resolved",
                    tickets.c.resolved_at < cutoff,
                    tickets.c.phone.is_not(None),
                )
            )
            .values(phone=None)
        ).rowcount
    return int(changed or 0)
