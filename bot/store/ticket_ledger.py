"""The referral 台账 for leaders: tickets opened, contacted within the deadline, resolved and
escalated, by village, for a period. Demo residents never count toward the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.engine import Engine

from bot.store.tables import tickets

DEMO_PREFIX = "demo-"


@dataclass
class LedgerRow:
    village: str
    opened: int = 0
    contacted_in_time: int = 0
    resolved: int = 0
    escalated: int = 0
    waiting: int = 0  # not yet contacted

    @property
    def in_time_rate(self) -> float | None:
        return self.contacted_in_time / self.opened if self.opened else None


@dataclass
class Ledger:
    rows: dict[str, LedgerRow] = field(default_factory=dict)
    left_out_demo: int = 0

    @property
    def total(self) -> LedgerRow:
        whole = LedgerRow("合计")
        for row in self.rows.values():
            for name in ("opened", "contacted_in_time", "resolved", "escalated", "waiting"):
                setattr(whole, name, getattr(whole, name) + getattr(row, name))
        return whole


def ledger(
    engine: Engine,
    low: datetime,
    high: datetime,
    village: str | None = None,
    include_demo: bool = False,
) -> Ledger:
    """Tickets opened in [low, high). "In time" is contact by the ticket's own deadline."""
    query = select(tickets).where(and_(tickets.c.opened_at >= low, tickets.c.opened_at < high))
    if village:
        query = query.where(tickets.c.village == village)
    result = Ledger()
    with engine.connect() as conn:
        found = conn.execute(query).mappings().all()
    for ticket in found:
        if not include_demo and ticket["openid"].startswith(DEMO_PREFIX):
            result.left_out_demo += 1
            continue
        name = ticket["village"] or "未填村"
        row = result.rows.setdefault(name, LedgerRow(name))
        row.opened += 1
        contacted = ticket["contacted_at"]
        row.contacted_in_time += contacted is not None and contacted <= ticket["due_at"]
        row.resolved += ticket["state"] == "resolved"
        row.escalated += ticket["escalated_at"] is not None and ticket["desk"] == "sifasuo"
        row.waiting += ticket["state"] in ("open", "accepted")
    return result
