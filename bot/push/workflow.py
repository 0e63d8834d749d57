"""The push workflow: draft → submitted → approved → scheduled → sending → sent.

Every change is audited; approval needs a second person with the reviewer role
(合法性审查前置), and editing approved content sends the push back to review.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from bot.push.content import STATES, Content, PushError, validate
from bot.settings import Settings
from bot.store.storage import inserted_id, utcnow
from bot.store.tables import deliveries, push_audit, pushes
from bot.store.users import User, get_user

EDITABLE = {"draft", "submitted", "approved", "scheduled", "missed"}
CANCELLABLE = {"draft", "submitted", "approved", "scheduled", "queued", "missed"}
SENDABLE = {"approved", "scheduled"}
# What each workflow step needs: the states it starts from and the role it takes.
STEPS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({"draft"}), "staff"),
    "approve": (frozenset({"submitted"}), "reviewer"),
    "reject": (frozenset({"submitted"}), "reviewer"),
    "send_now": (frozenset(SENDABLE), "staff"),
    "cancel": (frozenset(CANCELLABLE), "staff"),
}


def allowed_steps(push: Push, user: User) -> list[str]:
    """The steps this user may take on this push now, so no page offers a refused one."""
    steps = [
        name
        for name, (states, role) in STEPS.items()
        if push.state in states and user.active and user.can(role)
    ]
    if push.author == user.username:
        steps = [s for s in steps if s not in ("approve", "reject")]
    if not push.approved_intact:
        steps = [s for s in steps if s != "send_now"]
    return steps


@dataclass(frozen=True)
class Push:
    id: int
    content: Content
    state: str
    author: str
    reviewer: str | None
    approved_hash: str | None
    campaign: str | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def approved_intact(self) -> bool:
        return self.approved_hash == self.content.digest()


class PushBook:
    """Workflow operations on the pushes table; every one is one transaction."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    def create(
        self,
        content: Content,
        author: str,
        campaign: str | None = None,
        now: datetime | None = None,
    ) -> int:
        self._require(author, "staff")
        validate(content, self.settings, now or utcnow())
        stamp = utcnow()
        with self.engine.begin() as conn:
            push_id = inserted_id(
                conn.execute(
                    insert(pushes).values(
                        **_columns(content),
                        state="draft",
                        author=author,
                        campaign=campaign,
                        created_at=stamp,
                        updated_at=stamp,
                    )
                )
            )
            _audit(conn, push_id, author, "create", None, "draft", content)
        return push_id

    def edit(self, push_id: int, content: Content, actor: str, now: datetime | None = None) -> Push:
        self._require(actor, "staff")
        push = self.get(push_id)
        if push.state not in EDITABLE:
            raise PushError(f"推送 {push_id} 处于“{STATES[push.state]}”，不能再修改")
        validate(content, self.settings, now or utcnow())
        target = "draft" if push.state == "draft" else "submitted"
        return self._move(
            push, actor, "edit", target, content=content, reviewer=None, approved_hash=None
        )

    def submit(self, push_id: int, actor: str) -> Push:
        self._require(actor, "staff")
        return self._move(self._expect(push_id, {"draft"}), actor, "submit", "submitted")

    def approve(
        self, push_id: int, reviewer: str, comment: str = "", now: datetime | None = None
    ) -> Push:
        self._require(reviewer, "reviewer")
        push = self._expect(push_id, {"submitted"})
        if push.author == reviewer:
            raise PushError("不能审核自己写的推送：合法性审查须由另一位审核人完成")
        validate(push.content, self.settings, now or utcnow())
        return self._move(
            push,
            reviewer,
            "approve",
            "approved",
            comment=comment,
            reviewer=reviewer,
            approved_hash=push.content.digest(),
        )

    def reject(self, push_id: int, reviewer: str, comment: str) -> Push:
        self._require(reviewer, "reviewer")
        if not comment.strip():
            raise PushError("退回时请写明原因")
        return self._move(
            self._expect(push_id, {"submitted"}), reviewer, "reject", "draft", comment=comment
        )

    def cancel(self, push_id: int, actor: str, comment: str = "") -> Push:
        self._require(actor, "staff")
        return self._move(
            self._expect(push_id, CANCELLABLE), actor, "cancel", "cancelled", comment=comment
        )

    def send_now(self, push_id: int, actor: str) -> Push:
        """An approved push waits in its own state for the scheduler's next look, instead
        of its time; the approved text is unchanged, so the review still holds."""
        self._require(actor, "staff")
        push = self._expect(push_id, SENDABLE)
        if not push.approved_intact:
            raise PushError("内容在审核后被改动过，须重新审核")
        content = replace(push.content, run_at=utcnow(), cron=None)
        return self._move(
            push, actor, "send-now", "queued", content=content, approved_hash=content.digest()
        )

    def record_preview(self, push_id: int, actor: str, openid: str) -> Push:
        self._require(actor, "staff")
        push = self._expect(push_id, {"draft", "submitted"})
        return self._move(push, actor, "preview", push.state, comment=f"预览发送给 {openid[:6]}…")

    # -- used by the scheduler process ----------------------------------------------------
    def mark(
        self, push_id: int, state: str, actor: str = "scheduler", error: str | None = None
    ) -> Push:
        return self._move(self.get(push_id), actor, state, state, last_error=error)

    # -- reading ---------------------------------------------------------------------------
    def get(self, push_id: int) -> Push:
        with self.engine.connect() as conn:
            row = conn.execute(select(pushes).where(pushes.c.id == push_id)).mappings().first()
        if row is None:
            raise PushError(f"没有编号为 {push_id} 的推送")
        return _push(row)

    def list(self, states: set[str] | None = None) -> list[Push]:
        query = select(pushes).order_by(pushes.c.id)
        if states:
            query = query.where(pushes.c.state.in_(states))
        with self.engine.connect() as conn:
            return [_push(row) for row in conn.execute(query).mappings()]

    def audit(self, push_id: int) -> builtins.list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(push_audit).where(push_audit.c.push_id == push_id).order_by(push_audit.c.id)
            )
            return [dict(row) for row in rows.mappings()]

    def deliveries(self, push_id: int) -> builtins.list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(deliveries).where(deliveries.c.push_id == push_id).order_by(deliveries.c.id)
            )
            return [dict(row) for row in rows.mappings()]

    def _require(self, username: str, role: str) -> User:
        user = get_user(self.engine, username)
        if not user.can(role):
            raise PushError(f"用户 {username} 没有“{role}”权限")
        return user

    def _expect(self, push_id: int, states: set[str]) -> Push:
        push = self.get(push_id)
        if push.state not in states:
            allowed = "、".join(STATES[s] for s in sorted(states))
            raise PushError(
                f"推送 {push_id} 现在是“{STATES[push.state]}”，只有“{allowed}”的推送可以这样操作"
            )
        return push

    def _move(
        self,
        push: Push,
        actor: str,
        action: str,
        target: str,
        *,
        content: Content | None = None,
        comment: str = "",
        **changes: Any,
    ) -> Push:
        values = {**changes, "state": target, "updated_at": utcnow()}
        if content is not None:
            values.update(_columns(content))
        with self.engine.begin() as conn:
            conn.execute(update(pushes).where(pushes.c.id == push.id).values(**values))
            _audit(
                conn, push.id, actor, action, push.state, target, content or push.content, comment
            )
        return self.get(push.id)


def _columns(content: Content) -> dict[str, Any]:
    return {
        "title": content.title.strip(),
        "body": content.body.strip(),
        "audience": content.audience,
        "channel": content.channel,
        "run_at": content.run_at,
        "cron": content.cron,
        "link_url": content.link_url,
        "quiz_id": content.quiz,
    }


def _audit(
    conn: Connection,
    push_id: int,
    actor: str,
    action: str,
    before: str | None,
    after: str,
    content: Content,
    comment: str = "",
) -> None:
    snapshot = {
        k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(content).items()
    }
    conn.execute(
        insert(push_audit).values(
            push_id=push_id,
            at=utcnow(),
            actor=actor,
            action=action,
            from_state=before,
            to_state=after,
            snapshot=json.dumps(snapshot, ensure_ascii=False),
            comment=comment or None,
        )
    )


def _push(row: Any) -> Push:
    content = Content(
        title=row["title"],
        body=row["body"],
        audience=row["audience"],
        channel=row["channel"],
        run_at=row["run_at"],
        cron=row["cron"],
        link_url=row["link_url"],
        quiz=row["quiz_id"],
    )
    return Push(
        id=row["id"],
        content=content,
        state=row["state"],
        author=row["author"],
        reviewer=row["reviewer"],
        approved_hash=row["approved_hash"],
        campaign=row["campaign"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
