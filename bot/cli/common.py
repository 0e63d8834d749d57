"""What every `pufa` sub-command shares: the settings chosen by --config / PUFA_CONFIG."""

from __future__ import annotations

import click

from bot.settings import Settings, load_settings


def settings_of(ctx: click.Context | None = None) -> Settings:
    """Load the settings once per invocation and keep them on the root context."""
    obj = (ctx or click.get_current_context()).find_root().obj
    if obj.get("settings") is None:
        obj["settings"] = load_settings(obj.get("config"))
    return obj["settings"]
