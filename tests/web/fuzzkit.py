"""Hostile WeChat deliveries for the property-based tests and the long fuzz run in bench/."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

from ..wechat import WeChat, message_xml

KINDS = ["text", "voice", "image", "video", "shortvideo", "location", "link", "event", "file", "x"]
FIELDS = ["Content", "Recognition", "Event", "EventKey", "Url", "Label", "MediaId", "PicUrl"]
REPLY_LIMIT = 2048

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=3000)
openids = st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=40)
messages = st.tuples(
    openids, st.sampled_from(KINDS), st.dictionaries(st.sampled_from(FIELDS), texts, max_size=4)
)


def check(response: Any, wechat: WeChat) -> None:
    """200 with a WeChat reply (or "success") of at most 2048 bytes of text, or a 4xx."""
    status = response.status_code
    assert status < 500, response.get_data(as_text=True)[:200]
    if status != 200:
        assert 400 <= status < 500
        return
    reply = wechat.reply_of(response)
    if reply:
        assert reply["MsgType"] == "text"
        assert len(reply.get("Content", "").encode("utf-8")) <= REPLY_LIMIT


def deliver(wechat: WeChat, openid: str, kind: str, fields: dict[str, str]) -> Any:
    try:
        xml = message_xml(openid, kind, **fields)
    except ValueError:
        return None
    return wechat.post_xml(xml)
