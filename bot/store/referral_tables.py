"""Referral tickets (转介工单): a resident handed on to the village 法律明白人 or the 司法所."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint

from bot.store.columns import UTCDateTime, metadata

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the number residents see
    Column("openid", String(64), nullable=False, index=True),
    Column("village", String(64), index=True),
    Column("reason", String(16), nullable=False),  # request | crisis | fallbacks | unhelpful
    Column("question", Text),  # masked, like every stored text
    Column("bot_reply", Text),  # what the bot had answered, shortened
    Column("phone", Text),  # encrypted at rest; shown only to the assignee and the 司法所
    Column("state", String(16), nullable=False, index=True),  # open|accepted|contacted|resolved
    Column("desk", String(16), nullable=False),  # village (its 法律明白人) | sifasuo
    Column("assignee", String(64)),  # who took it (接单), a username
    Column("opened_at", UTCDateTime(), nullable=False, index=True),
    Column("due_at", UTCDateTime(), nullable=False),  # contact promised by then
    Column("accepted_at", UTCDateTime()),
    Column("contacted_at", UTCDateTime()),
    Column("resolved_at", UTCDateTime()),
    Column("escalated_at", UTCDateTime()),
    Column("updated_at", UTCDateTime(), nullable=False),
)

ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(24), nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16)),
    Column("comment", Text),
)

# The outbox the scheduler process drains: one row per (ticket, what happened, recipient),
# so a restart or a second run never notifies twice.
ticket_notices = Table(
    "ticket_notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # opened | escalated | contacted
    Column("channel", String(16), nullable=False),  # wecom | cs | dryrun
    Column("recipient", String(120), nullable=False),  # robot:<name> or an OpenID
    Column("state", String(16), nullable=False, index=True),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("detail", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime()),
    UniqueConstraint("ticket_id", "kind", "recipient", name="uq_ticket_notice"),
)
