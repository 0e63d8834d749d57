"""What a handler returns, and how a long text is cut into WeChat-sized pages."""

from __future__ import annotations

from dataclasses import dataclass

# Stored as the reply like any text, so a WeChat retry gets the same; the webhook answers it
# with WeChat's transfer_customer_service message instead of a text.
TRANSFER_TO_STAFF = "〔转人工客服〕"


@dataclass(frozen=True)
class Reply:
    text: str
    paginate: bool = True


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def split_pages(text: str, limit: int, hint: str) -> list[str]:
    """Cut text into pages of at most `limit` UTF-8 bytes (the hint included),
    preferring line breaks, then sentence ends."""
    if utf8_len(text) <= limit:
        return [text]
    budget = limit - utf8_len("\n" + hint)
    pages: list[str] = []
    rest = text
    while utf8_len(rest) > limit:
        cut = _cut_point(rest, budget)
        pages.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n")
    pages.append(rest)
    return [p + "\n" + hint if i < len(pages) - 1 else p for i, p in enumerate(pages)]


def _cut_point(text: str, budget: int) -> int:
    size = 0
    last_fit = 0
    best = 0
    for index, char in enumerate(text):
        size += utf8_len(char)
        if size > budget:
            break
        last_fit = index + 1
        if char in "\n。！？；":
            best = index + 1
    return best if best > last_fit // 2 else last_fit
