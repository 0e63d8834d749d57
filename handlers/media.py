"""Voice, and the kinds of message pufa cannot read (image, video, location, link)."""

from __future__ import annotations

from typing import Any

from .context import Context
from .question import answer_question
from .registry import Registry
from .reply import Reply


def voice(message: Any, ctx: Context) -> Reply:
    said = str(getattr(message, "recognition", None) or "").strip()
    if not said:
        return Reply(ctx.text("voice_empty"))
    return answer_question(said, "voice", ctx)


def polite(key: str) -> Any:
    def handle(message: Any, ctx: Context) -> Reply:
        return Reply(ctx.text(key))

    return handle


def fallback(message: Any, ctx: Context) -> Reply:
    return Reply(ctx.text("unknown"))


def register(registry: Registry) -> None:
    registry.add("voice", voice)
    for kind in ("image", "video", "location", "link"):
        registry.add(kind, polite(kind))
