"""Per-app handler registry: the first handler that applies answers; a fallback always exists."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .context import Context
from .reply import Reply

log = logging.getLogger(__name__)

Handle = Callable[[Any, Context], Reply | None]
Applies = Callable[[Any, Context], bool]


def always(_message: Any, _ctx: Context) -> bool:
    return True


@dataclass(frozen=True)
class Route:
    key: str
    handle: Handle
    applies: Applies


def keys_for(message: Any) -> list[str]:
    """Registry keys for a message, most specific first: click:<KEY>, event:<event>, <type>."""
    kind = getattr(message, "type", "unknown")
    if kind == "event":
        event = str(getattr(message, "event", "")).lower()
        keys = (
            [f"click:{message.key}"] if event == "click" and getattr(message, "key", None) else []
        )
        return [*keys, f"event:{event}", "event"]
    if kind == "shortvideo":
        return ["shortvideo", "video"]
    return [kind]


class Registry:
    def __init__(self, fallback: Handle, on_error: Callable[[Context], Reply]) -> None:
        self._routes: list[Route] = []
        self._fallback = fallback
        self._on_error = on_error

    def add(self, key: str, handle: Handle, applies: Applies = always) -> None:
        self._routes.append(Route(key, handle, applies))

    def routes(self, key: str) -> list[Route]:
        return [r for r in self._routes if r.key == key]

    def dispatch(self, message: Any, ctx: Context) -> Reply:
        """The one place where handler errors are caught, logged and answered kindly."""
        try:
            for key in keys_for(message):
                for route in self.routes(key):
                    if route.applies(message, ctx):
                        reply = route.handle(message, ctx)
                        if reply is not None:
                            return reply
            return self._fallback(message, ctx) or self._on_error(ctx)
        except Exception:
            log.exception("handler failed for %s message", getattr(message, "type", "?"))
            return self._on_error(ctx)
