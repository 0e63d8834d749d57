"""Events: follow, unfollow and menu clicks."""

from __future__ import annotations

from typing import Any

from .context import Context
from .registry import Registry
from .reply import Reply
from .text import cases

# Menu keys as configured in the account's custom menu (CLICK buttons).
MENU_CONSULT = "CONSULT"
MENU_CASES = "CASES"
MENU_CONSTITUTION = "CONSTITUTION"
MENU_CONTACT = "CONTACT"
MENU_HELP = "HELP"


def subscribe(message: Any, ctx: Context) -> Reply:
    ctx.store.touch_resident(ctx.openid, subscribed=True)
    return Reply(ctx.text("welcome"))


def unsubscribe(message: Any, ctx: Context) -> Reply:
    ctx.store.touch_resident(ctx.openid, subscribed=False)
    return Reply("", paginate=False)


def menu(key: str) -> Any:
    def handle(message: Any, ctx: Context) -> Reply:
        return Reply(ctx.text(key))

    return handle


def unknown_click(message: Any, ctx: Context) -> Reply:
    return Reply(ctx.text("help"))


def register(registry: Registry) -> None:
    registry.add("event:subscribe", subscribe)
    registry.add("event:subscribe_scan", subscribe)
    registry.add("event:unsubscribe", unsubscribe)
    registry.add(f"click:{MENU_CONSULT}", menu("menu_consult"))
    registry.add(f"click:{MENU_CASES}", cases)
    registry.add(f"click:{MENU_CONSTITUTION}", menu("menu_constitution"))
    registry.add(f"click:{MENU_CONTACT}", menu("contact"))
    registry.add(f"click:{MENU_HELP}", menu("help"))
    registry.add("event:click", unknown_click)
