"""Every table pufa keeps (SQLAlchemy Core); referral tickets and quizzes have their own modules."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from bot.store.columns import UTCDateTime, metadata

residents = Table(
    "residents",
    metadata,
    Column("openid", String(64), primary_key=True),
    Column("village", String(64)),
    Column("subscribed", Boolean, nullable=False, default=True),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False),
    Column("unsubscribed_at", UTCDateTime()),
)

# One row per WeChat delivery; the unique key makes retries (same MsgId) land once,
# across every worker process.
inbound = Table(
    "inbound",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(160), nullable=False, unique=True),
    Column("openid", String(64), nullable=False, index=True),
    Column("msg_type", String(32), nullable=False),
    Column("content", Text),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("reply", Text),
    Column("replied_at", UTCDateTime()),
    # The per-resident rate limit counts a resident's recent deliveries (revision 0002).
    Index("ix_inbound_openid_received_at", "openid", "received_at"),
)

questions = Table(
    "questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asked_at", UTCDateTime(), nullable=False, index=True),
    Column("openid", String(64), nullable=False, index=True),
    Column("village", String(64)),
    Column("channel", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("entry_id", String(120)),
    Column("score", Float),
    Column("candidates", Text),
    Column("inbound_id", Integer, ForeignKey("inbound.id")),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("given_at", UTCDateTime(), nullable=False),
    Column("openid", String(64), nullable=False),
    Column("question_id", Integer, ForeignKey("questions.id")),
    Column("entry_id", String(120)),
    Column("helpful", Boolean, nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("openid", String(64), primary_key=True),
    Column("state", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(64), nullable=False),
    Column("roles", String(128), nullable=False),  # comma-separated: admin,staff,reviewer,...
    Column("password_hash", String(256), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime(), nullable=False),
    # A village's 法律明白人 (role helper) is tied to one village and, once they send
    # "绑定 <code>" to the account, to their own WeChat OpenID (revision 0003).
    Column("village", String(64)),
    Column("openid", String(64)),
    Column("bind_code", String(16)),
    Column("bind_code_expires", UTCDateTime()),
    UniqueConstraint("openid", name="uq_users_openid"),
)

pushes = Table(
    "pushes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(120), nullable=False),
    Column("body", Text, nullable=False),
    Column("link_url", String(500)),
    Column("audience", String(120), nullable=False),  # all | village:<name> | wecom:<robot>
    Column("channel", String(32), nullable=False),  # dryrun | wechat | cs | wecom
    Column("run_at", UTCDateTime()),  # one-off pushes
    Column("cron", String(120)),  # recurring pushes, crontab in the push time zone
    Column("campaign", String(64)),
    Column("state", String(24), nullable=False, index=True),
    Column("author", String(64), nullable=False),
    Column("reviewer", String(64)),
    Column("approved_hash", String(64)),
    Column("quiz_id", String(64)),  # the 普法答题 quiz the push invites residents to
    Column("last_error", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

push_audit = Table(
    "push_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("push_id", Integer, ForeignKey("pushes.id"), nullable=False, index=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_state", String(24)),
    Column("to_state", String(24)),
    Column("snapshot", Text),  # the content as it stood (JSON), so approvals are on record
    Column("comment", Text),
)

# One row per (push, run, channel, recipient or batch): the unique key is what makes a
# restarted scheduler resume instead of sending twice.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("push_id", Integer, ForeignKey("pushes.id"), nullable=False, index=True),
    Column("occurrence", String(40), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("recipient", String(120), nullable=False),
    Column("members", Text),  # JSON list of OpenIDs for a batch
    Column("state", String(16), nullable=False, index=True),  # pending|sending|sent|failed|unknown
    Column("attempts", Integer, nullable=False, default=0),
    Column("detail", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime()),
    UniqueConstraint("push_id", "occurrence", "channel", "recipient", name="uq_delivery"),
)

tag_queue = Table(
    "tag_queue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("openid", String(64), nullable=False),
    Column("village", String(64), nullable=False),
    Column("state", String(16), nullable=False, index=True),  # pending | done | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("detail", Text),
    Column("created_at", UTCDateTime(), nullable=False),
)

village_tags = Table(
    "village_tags",
    metadata,
    Column("village", String(64), primary_key=True),
    Column("tag_id", Integer, nullable=False),
)

# The scheduler process owns the WeChat access token and shares it here.
tokens = Table(
    "tokens",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, index=True),
    Column("address", String(64), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("at", UTCDateTime(), nullable=False, index=True),
)

# Staff edits to the knowledge base, a layer over the bundled files. The latest approved
# change of an entry wins, so a package upgrade never overwrites what staff changed.
kb_changes = Table(
    "kb_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", String(120), nullable=False, index=True),
    Column("action", String(16), nullable=False),  # upsert | delete
    Column("payload", Text, nullable=False),  # the whole entry as JSON
    Column("state", String(16), nullable=False, index=True),  # pending | approved | rejected
    Column("author", String(64), nullable=False),
    Column("reviewer", String(64)),
    Column("comment", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("reviewed_at", UTCDateTime()),
)


# Registered on the same metadata, so migrations and create_all see them.
from bot.store.quiz_tables import quiz_answers, quiz_attempts, quiz_changes  # noqa: E402
from bot.store.referral_tables import ticket_events, ticket_notices, tickets  # noqa: E402

__all__ = [
    "UTCDateTime",
    "conversations",
    "deliveries",
    "feedback",
    "inbound",
    "kb_changes",
    "login_attempts",
    "metadata",
    "push_audit",
    "pushes",
    "questions",
    "quiz_answers",
    "quiz_attempts",
    "quiz_changes",
    "residents",
    "tag_queue",
    "ticket_events",
    "ticket_notices",
    "tickets",
    "tokens",
    "users",
    "village_tags",
]
