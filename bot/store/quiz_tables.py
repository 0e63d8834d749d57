"""普法答题: staff changes to the quiz banks, and residents' attempts and answers."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text

from bot.store.columns import UTCDateTime, metadata

# Staff edits to a quiz bank, a layer over the bundled quizzes, reviewed by a second person
# like knowledge-base changes; the latest approved change of a quiz wins.
quiz_changes = Table(
    "quiz_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("quiz_id", String(64), nullable=False, index=True),
    Column("action", String(16), nullable=False),  # upsert | delete
    Column("payload", Text, nullable=False),  # the whole quiz as JSON
    Column("state", String(16), nullable=False, index=True),  # pending | approved | rejected
    Column("author", String(64), nullable=False),
    Column("reviewer", String(64)),
    Column("comment", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("reviewed_at", UTCDateTime()),
)

quiz_attempts = Table(
    "quiz_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("openid", String(64), nullable=False, index=True),
    Column("village", String(64)),
    Column("quiz_id", String(64), nullable=False, index=True),
    Column("campaign", String(64)),
    Column("started_at", UTCDateTime(), nullable=False, index=True),
    Column("finished_at", UTCDateTime()),
    Column("score", Integer, nullable=False, default=0),
    Column("total", Integer, nullable=False),
)

quiz_answers = Table(
    "quiz_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("attempt_id", Integer, ForeignKey("quiz_attempts.id"), nullable=False, index=True),
    Column("quiz_id", String(64), nullable=False),
    Column("question_id", String(64), nullable=False),
    Column("choice", String(4), nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("answered_at", UTCDateTime(), nullable=False),
)
