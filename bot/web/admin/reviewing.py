"""The reviewer's approve / send-back step, the same for entries and quiz banks."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, request

from bot.kb.reviewed import ChangeError
from bot.store.users import UserError
from bot.web.admin.auth import current_user


def decide(layer: Any, change_id: int, verdict: str) -> bool | None:
    """Whether the change was approved (True) or sent back (False); None when refused,
    with the reason flashed for the reviewer."""
    if verdict not in ("approve", "reject"):
        abort(404)
    user = current_user()
    assert user is not None  # login_required ran first
    try:
        layer.review(
            change_id, user.username, verdict == "approve", request.form.get("comment", "")
        )
    except (ChangeError, UserError) as exc:
        flash(str(exc), "error")
        return None
    return verdict == "approve"
