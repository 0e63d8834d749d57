"""What a referral ticket is: its states, its reasons, its steps and one row of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from knowledge.errors import PufaError

STATES = {"open": "待接单", "accepted": "已接单", "contacted": "已联系", "resolved": "已解决"}
REASONS = {
    "request": "居民要求找人",
    "crisis": "危险求助",
    "fallbacks": "连续答不上",
    "unhelpful": "回答没用",
}
# action -> (states it may start from, the state it leads to; None keeps the state)
STEPS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "accept": (("open",), "accepted"),
    "contacted": (("open", "accepted"), "contacted"),
    "resolved": (("open", "accepted", "contacted"), "resolved"),
    "to_sifasuo": (("open", "accepted", "contacted"), None),
}
ACTION_NAMES = {
    "accept": "接单",
    "contacted": "已联系",
    "resolved": "已解决",
    "to_sifasuo": "转司法所",
    "escalate": "超时转司法所",
    "open": "登记",
    "again": "居民再次求助",
    "phone": "居民留了电话",
}


class TicketError(PufaError):
    """A ticket that does not exist, a step its state forbids, or a user it is not for."""


@dataclass(frozen=True)
class Ticket:
    id: int
    openid: str
    village: str
    reason: str
    question: str
    bot_reply: str
    state: str
    desk: str
    assignee: str
    opened_at: datetime
    due_at: datetime
    contacted_at: datetime | None
    resolved_at: datetime | None
    escalated_at: datetime | None
    has_phone: bool

    def overdue(self, now: datetime) -> bool:
        return self.state in ("open", "accepted") and now > self.due_at

    @property
    def state_name(self) -> str:
        return STATES[self.state]


def ticket_from_row(row: Any) -> Ticket:
    return Ticket(
        row["id"],
        row["openid"],
        row["village"] or "",
        row["reason"],
        row["question"] or "",
        row["bot_reply"] or "",
        row["state"],
        row["desk"],
        row["assignee"] or "",
        row["opened_at"],
        row["due_at"],
        row["contacted_at"],
        row["resolved_at"],
        row["escalated_at"],
        bool(row["phone"]),
    )
