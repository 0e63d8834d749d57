"""Referral tickets: opened for a resident, taken and closed by the village 法律明白人 or the
司法所, escalated when nobody made contact in time. Every step is audited, and every
notification waits in an outbox (ticket_notices) for the scheduler process to send."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection, Engine

from bot.settings import Settings
from bot.store.privacy import mask_personal_numbers
from bot.store.sealed import Sealer
from bot.store.storage import inserted_id, utcnow
from bot.store.tables import questions, ticket_events, tickets
from bot.store.ticket_outbox import add_notice, recipients
from bot.store.ticket_types import (
    ACTION_NAMES,
    REASONS,
    STEPS,
    Ticket,
    TicketError,
    ticket_from_row,
)
from bot.store.unit import begin, connect
from bot.store.users import User, bind_openid, user_by_openid, village_helpers

SYSTEM = "系统"


class TicketBook:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.sealer = Sealer(settings.secrets.secret_key)

    # -- residents ----------------------------------------------------------------------------
    def open(
        self, openid: str, village: str | None, reason: str, question: str, bot_reply: str = ""
    ) -> tuple[Ticket, bool]:
        """The resident's ticket and whether it is new: one unresolved ticket per resident."""
        now = utcnow()
        masked = mask_personal_numbers(question)[:500]
        desk = "village" if village and village_helpers(self.engine, village) else "sifasuo"
        with begin(self.engine) as conn:
            current = conn.execute(
                select(tickets.c.id).where(
                    and_(tickets.c.openid == openid, tickets.c.state != "resolved")
                )
            ).scalar()
            if current is not None:
                _event(conn, current, SYSTEM, "again", None, None, masked, now)
                return self._get(conn, current), False
            ticket_id = inserted_id(
                conn.execute(
                    insert(tickets).values(
                        openid=openid,
                        village=village or None,
                        reason=reason,
                        question=masked,
                        bot_reply=mask_personal_numbers(bot_reply)[:300],
                        state="open",
                        desk=desk,
                        opened_at=now,
                        due_at=now + timedelta(hours=self.settings.referral.sla_hours),
                        escalated_at=now if desk == "sifasuo" else None,
                        updated_at=now,
                    )
                )
            )
            _event(conn, ticket_id, SYSTEM, "open", None, "open", REASONS.get(reason, reason), now)
            self._notify_desk(conn, ticket_id, "opened", desk, village, now)
            return self._get(conn, ticket_id), True

    def question_text(self, question_id: int) -> str:
        with connect(self.engine) as conn:
            return str(
                conn.execute(select(questions.c.text).where(questions.c.id == question_id)).scalar()
                or ""
            )

    @property
    def sla_hours(self) -> int:
        return self.settings.referral.sla_hours

    @property
    def takes_phones(self) -> bool:
        return self.sealer.ready

    def leave_phone(self, ticket_id: int, phone: str) -> None:
        with begin(self.engine) as conn:
            conn.execute(
                update(tickets)
                .where(tickets.c.id == ticket_id)
                .values(phone=self.sealer.seal(phone), updated_at=utcnow())
            )
            _event(conn, ticket_id, SYSTEM, "phone", None, None, None, utcnow())

    # -- helpers and the 司法所 -----------------------------------------------------------------
    def bind(self, code: str, openid: str) -> User | None:
        return bind_openid(self.engine, code, openid)

    def worker(self, openid: str) -> User | None:
        """The staff account bound to this WeChat user, if any."""
        return user_by_openid(self.engine, openid)

    def staff_on_duty(self, now: datetime | None = None) -> bool:
        """The account's own customer service is switched on and it is office hours now."""
        wechat = self.settings.wechat
        if not wechat.customer_service:
            return False
        local = (now or utcnow()).astimezone(ZoneInfo(self.settings.push.timezone))
        clock = local.strftime("%H:%M")
        return local.weekday() < 5 and any(
            start <= clock < end
            for start, end in (span.split("-") for span in wechat.customer_service_hours)
        )

    def get(self, ticket_id: int) -> Ticket:
        with connect(self.engine) as conn:
            return self._get(conn, ticket_id)

    def phone(self, ticket_id: int, user: User) -> str | None:
        """The resident's number, only for whoever the ticket is with now."""
        ticket = self.get(ticket_id)
        if not self.may_see_phone(ticket, user):
            return None
        with connect(self.engine) as conn:
            sealed = conn.execute(select(tickets.c.phone).where(tickets.c.id == ticket_id)).scalar()
        return self.sealer.open(sealed)

    def may_act(self, ticket: Ticket, user: User) -> bool:
        if user.can("staff"):
            return True
        return user.active and "helper" in user.roles and user.village == ticket.village

    def may_see_phone(self, ticket: Ticket, user: User) -> bool:
        if user.can("staff"):
            return True
        if not self.may_act(ticket, user) or ticket.desk != "village":
            return False
        return not ticket.assignee or ticket.assignee == user.username

    def act(self, ticket_id: int, user: User, action: str, comment: str = "") -> Ticket:
        if action not in STEPS:
            raise TicketError(f"没有这个操作：{action}")
        ticket = self.get(ticket_id)
        if not self.may_act(ticket, user):
            raise TicketError(f"工单 {ticket_id} 不归您处理（{ticket.village or '未填村'}）")
        allowed, to_state = STEPS[action]
        if ticket.state not in allowed:
            raise TicketError(
                f"工单 {ticket_id} 现在是“{ticket.state_name}”，不能“{ACTION_NAMES[action]}”"
            )
        if action == "to_sifasuo" and ticket.desk == "sifasuo":
            raise TicketError(f"工单 {ticket_id} 已经在司法所")
        now = utcnow()
        values: dict[str, Any] = {"updated_at": now}
        if action == "accept":
            values["assignee"] = user.username
        if action == "contacted":
            values["contacted_at"] = now
        if action == "resolved":
            values["resolved_at"] = now
        if action == "to_sifasuo":
            values |= {"desk": "sifasuo", "escalated_at": now, "assignee": None, "state": "open"}
            to_state = "open"
        if to_state:
            values["state"] = to_state
        with begin(self.engine) as conn:
            conn.execute(update(tickets).where(tickets.c.id == ticket_id).values(**values))
            _event(conn, ticket_id, user.username, action, ticket.state, to_state, comment, now)
            if action == "contacted":
                add_notice(conn, ticket_id, "contacted", "cs", ticket.openid, now)
            if action == "to_sifasuo":
                self._notify_desk(conn, ticket_id, "escalated", "sifasuo", None, now)
            return self._get(conn, ticket_id)

    def escalate_overdue(self, now: datetime | None = None) -> list[int]:
        """Village tickets nobody contacted in time go to the 司法所, which is told."""
        now = now or utcnow()
        with begin(self.engine) as conn:
            late = list(
                conn.execute(
                    select(tickets.c.id, tickets.c.state).where(
                        and_(
                            tickets.c.desk == "village",
                            tickets.c.state.in_(("open", "accepted")),
                            tickets.c.due_at < now,
                        )
                    )
                )
            )
            for ticket_id, state in late:
                conn.execute(
                    update(tickets)
                    .where(tickets.c.id == ticket_id)
                    .values(desk="sifasuo", escalated_at=now, updated_at=now)
                )
                _event(conn, ticket_id, SYSTEM, "escalate", state, state, None, now)
                self._notify_desk(conn, ticket_id, "escalated", "sifasuo", None, now)
        return [ticket_id for ticket_id, _ in late]

    def listing(self, user: User, state: str | None = None, limit: int = 200) -> list[Ticket]:
        query = select(tickets).order_by(tickets.c.id.desc()).limit(limit)
        if state == "active":
            query = query.where(tickets.c.state != "resolved")
        elif state:
            query = query.where(tickets.c.state == state)
        if not user.can("staff"):
            query = query.where(tickets.c.village == (user.village or "\0"))
        with connect(self.engine) as conn:
            return [ticket_from_row(row) for row in conn.execute(query).mappings()]

    def events(self, ticket_id: int) -> list[dict[str, Any]]:
        with connect(self.engine) as conn:
            rows = conn.execute(
                select(ticket_events)
                .where(ticket_events.c.ticket_id == ticket_id)
                .order_by(ticket_events.c.id)
            ).mappings()
            return [dict(row) for row in rows]

    # -- internals ----------------------------------------------------------------------------
    def _get(self, conn: Connection, ticket_id: int) -> Ticket:
        row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).mappings().first()
        if row is None:
            raise TicketError(f"没有工单 {ticket_id}")
        return ticket_from_row(row)

    def _notify_desk(
        self,
        conn: Connection,
        ticket_id: int,
        kind: str,
        desk: str,
        village: str | None,
        now: datetime,
    ) -> None:
        for channel, recipient in recipients(conn, self.settings, desk, village):
            add_notice(conn, ticket_id, kind, channel, recipient, now)


def _event(
    conn: Connection,
    ticket_id: int,
    actor: str,
    action: str,
    from_state: str | None,
    to_state: str | None,
    comment: str | None,
    now: datetime,
) -> None:
    conn.execute(
        insert(ticket_events).values(
            ticket_id=ticket_id,
            at=now,
            actor=actor,
            action=action,
            from_state=from_state,
            to_state=to_state,
            comment=comment or None,
        )
    )
