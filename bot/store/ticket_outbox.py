"""The tickets' outbox: who is told of a ticket, and the notices waiting to be sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection, Engine

from bot.settings import Settings
from bot.store.storage import utcnow
from bot.store.tables import ticket_notices, users
from bot.store.unit import begin, connect

MAX_ATTEMPTS = 5


def recipients(
    conn: Connection, settings: Settings, desk: str, village: str | None
) -> list[tuple[str, str]]:
    """(channel, recipient) for the village's helpers or the 司法所, as configured."""
    if desk == "village" and village:
        config = next((v for v in settings.township.villages if v.name == village), None)
        channel = config.referral_channel if config else "dryrun"
        robot = config.referral_robot if config else ""
        people = _bound(conn, {"helper"}, village)
    else:
        channel, robot = settings.referral.sifasuo_channel, settings.referral.sifasuo_robot
        people = _bound(conn, {"staff", "admin"})
        village = "司法所"
    if channel == "wecom":
        return [("wecom", f"robot:{robot}")]
    if channel == "cs" and people:
        return [("cs", openid) for openid in people]
    return [("dryrun", f"desk:{village}")]


def _bound(conn: Connection, roles: set[str], village: str | None = None) -> list[str]:
    """OpenIDs bound to active users with one of `roles` (and of `village`, if given)."""
    query = select(users.c.openid, users.c.roles).where(
        and_(users.c.openid.is_not(None), users.c.active.is_(True))
    )
    if village:
        query = query.where(users.c.village == village)
    return [openid for openid, held in conn.execute(query) if roles & set(held.split(","))]


def add_notice(
    conn: Connection, ticket_id: int, kind: str, channel: str, recipient: str, now: datetime
) -> None:
    """Once per (ticket, kind, recipient): a second escalation tells nobody twice."""
    exists = conn.execute(
        select(ticket_notices.c.id).where(
            and_(
                ticket_notices.c.ticket_id == ticket_id,
                ticket_notices.c.kind == kind,
                ticket_notices.c.recipient == recipient,
            )
        )
    ).first()
    if exists is None:
        conn.execute(
            insert(ticket_notices).values(
                ticket_id=ticket_id,
                kind=kind,
                channel=channel,
                recipient=recipient,
                state="pending",
                attempts=0,
                created_at=now,
            )
        )


def pending(engine: Engine, limit: int = 100) -> list[dict[str, Any]]:
    with connect(engine) as conn:
        rows = conn.execute(
            select(ticket_notices)
            .where(ticket_notices.c.state == "pending")
            .order_by(ticket_notices.c.id)
            .limit(limit)
        ).mappings()
        return [dict(row) for row in rows]


def finish(engine: Engine, notice_id: int, ok: bool, detail: str, final: bool = False) -> None:
    """Sent, or one more failed attempt; after MAX_ATTEMPTS (or a final refusal) it stops."""
    with begin(engine) as conn:
        attempts = conn.execute(
            select(ticket_notices.c.attempts).where(ticket_notices.c.id == notice_id)
        ).scalar_one()
        attempts += 1
        state = "sent" if ok else "failed" if final or attempts >= MAX_ATTEMPTS else "pending"
        conn.execute(
            update(ticket_notices)
            .where(ticket_notices.c.id == notice_id)
            .values(
                state=state,
                attempts=attempts,
                detail=detail[:500] or None,
                sent_at=utcnow() if ok else None,
            )
        )


def notices_of(engine: Engine, ticket_id: int) -> list[dict[str, Any]]:
    with connect(engine) as conn:
        rows = conn.execute(
            select(ticket_notices)
            .where(ticket_notices.c.ticket_id == ticket_id)
            .order_by(ticket_notices.c.id)
        ).mappings()
        return [dict(row) for row in rows]
