"""Giving residents their village's WeChat user tag, from a queue the scheduler works through.

Binding a village in chat only enqueues; the tags API is called here, outside the
5-second reply, so a village audience reaches exactly the residents who said they live there.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bot.push.wechat_api import ApiError, WeChatApi
from bot.store.tables import tag_queue, village_tags

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
TAG_EXISTS = 45157


def tag_id_for(engine: Engine, api: WeChatApi, village: str) -> int:
    with engine.connect() as conn:
        known = conn.execute(
            select(village_tags.c.tag_id).where(village_tags.c.village == village)
        ).scalar()
    if known is not None:
        return int(known)
    try:
        tag = int(api.post("tags/create", {"tag": {"name": village}})["tag"]["id"])
    except ApiError as exc:
        if exc.errcode != TAG_EXISTS:
            raise
        listing = api.client.get("tags/get")
        tag = next(int(t["id"]) for t in listing.get("tags", []) if t.get("name") == village)
    with engine.begin() as conn:
        conn.execute(village_tags.insert().values(village=village, tag_id=tag))
    return tag


def process_tag_queue(engine: Engine, api: WeChatApi, limit: int = 500) -> int:
    """Tag pending residents, one batch call per village; returns how many were tagged."""
    with engine.connect() as conn:
        rows = (
            conn.execute(
                select(tag_queue)
                .where(tag_queue.c.state == "pending")
                .order_by(tag_queue.c.id)
                .limit(limit)
            )
            .mappings()
            .all()
        )
    latest: dict[str, dict[str, object]] = {
        row["openid"]: dict(row) for row in rows
    }  # last binding wins
    by_village: dict[str, list[str]] = {}
    for openid, row in latest.items():
        by_village.setdefault(str(row["village"]), []).append(openid)
    done = 0
    for village, openids in by_village.items():
        ids = [row["id"] for row in rows if row["openid"] in openids]
        try:
            tag = tag_id_for(engine, api, village)
            others = _other_tags(engine, village)
            for other in others:
                api.post("tags/members/batchuntagging", {"openid_list": openids, "tagid": other})
            api.post("tags/members/batchtagging", {"openid_list": openids, "tagid": tag})
        except ApiError as exc:
            log.warning("tagging %s failed: %s", village, exc)
            _mark(engine, ids, "pending", str(exc), attempt=True)
            continue
        _mark(engine, ids, "done", None)
        done += len(openids)
    return done


def _other_tags(engine: Engine, village: str) -> list[int]:
    with engine.connect() as conn:
        return [
            int(t)
            for t in conn.execute(
                select(village_tags.c.tag_id).where(village_tags.c.village != village)
            ).scalars()
        ]


def _mark(
    engine: Engine, ids: list[int], state: str, detail: str | None, attempt: bool = False
) -> None:
    with engine.begin() as conn:
        values: dict[str, object] = {"state": state, "detail": detail}
        if attempt:
            values["attempts"] = tag_queue.c.attempts + 1
        conn.execute(update(tag_queue).where(tag_queue.c.id.in_(ids)).values(**values))
        conn.execute(
            update(tag_queue)
            .where(
                tag_queue.c.id.in_(ids),
                tag_queue.c.attempts >= MAX_ATTEMPTS,
                tag_queue.c.state == "pending",
            )
            .values(state="failed")
        )
