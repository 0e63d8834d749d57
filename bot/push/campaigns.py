"""The statutory publicity calendar (宪法宣传周, 民法典宣传月, 国际禁毒日 …) as ready pushes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.push.content import Content
from bot.push.workflow import PushBook
from knowledge.errors import PufaError
from knowledge.kb import DATA_DIR

CALENDAR_FILE = DATA_DIR / "campaigns.yaml"


@dataclass(frozen=True)
class CampaignItem:
    id: str
    name: str
    month: int
    day: int
    hour: int
    minute: int
    title: str
    body: str

    def at(self, year: int, timezone: str) -> datetime:
        return datetime(
            year, self.month, self.day, self.hour, self.minute, tzinfo=ZoneInfo(timezone)
        )


def load_calendar(path: Path = CALENDAR_FILE) -> list[CampaignItem]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = []
    for entry in raw.get("campaigns", []):
        try:
            month, day = (int(x) for x in str(entry["date"]).split("-"))
            hour, minute = (int(x) for x in str(entry.get("time", "09:00")).split(":"))
            items.append(
                CampaignItem(
                    entry["id"],
                    entry["name"],
                    month,
                    day,
                    hour,
                    minute,
                    str(entry["title"]).strip(),
                    " ".join(str(entry["body"]).split()),
                )
            )
        except (KeyError, ValueError) as exc:
            raise PufaError(f"{path.name} 里的 {entry.get('id', '?')} 格式不对：{exc}") from None
    return sorted(items, key=lambda i: (i.month, i.day, i.hour, i.minute))


def load_into_drafts(
    book: PushBook,
    year: int,
    author: str,
    channel: str,
    audience: str,
    now: datetime,
    names: set[str] | None = None,
) -> list[int]:
    """Create a draft push for each calendar item of `year` still ahead; skip those already made."""
    existing = {p.campaign for p in book.list()}
    created = []
    for item in load_calendar():
        key = f"{item.id}@{year}"
        when = item.at(year, book.settings.push.timezone)
        if key in existing or when <= now or (names and item.name not in names):
            continue
        content = Content(
            title=item.title, body=item.body, audience=audience, channel=channel, run_at=when
        )
        created.append(book.create(content, author, campaign=key, now=now))
    return created
