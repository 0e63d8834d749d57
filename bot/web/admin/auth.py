"""Logging in and out, roles, and a limit on failed attempts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import func, insert, select
from werkzeug.wrappers import Response

from bot.store.storage import utcnow
from bot.store.tables import login_attempts
from bot.store.users import ROLES, User, check_password, get_user
from bot.store.users import UserError as _UserError

bp = Blueprint("auth", __name__, url_prefix="/admin")
ROLE_NAMES = ROLES
MAX_FAILURES = 5  # per username: one person's typos lock only that account
MAX_FAILURES_PER_ADDRESS = 20  # per client address, across usernames (guessing many names)
WINDOW = timedelta(minutes=15)
UNLOCKED = "unlock"  # the address recorded by `pufa user unlock`, which ends a lock
F = TypeVar("F", bound=Callable[..., Any])


def engine() -> Any:
    return current_app.extensions["pufa"].store.engine


def current_user() -> User | None:
    if "user" not in g:
        name = session.get("user")
        try:
            g.user = get_user(engine(), name) if name else None
        except _UserError:
            g.user = None
        if g.user is not None and not g.user.active:
            g.user = None
    return g.user


def login_required(*roles: str) -> Callable[[F], F]:
    """Every console view: a logged-in, active user with one of `roles` (admin has all)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if roles and not any(user.can(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.login_required = True  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def _too_many_failures(username: str, address: str) -> bool:
    """Failures since the window opened and since the account's last success or unlock."""
    since = utcnow() - WINDOW
    recent = login_attempts.c.at >= since
    failed = login_attempts.c.ok.is_(False)
    with engine().connect() as conn:
        last_ok = conn.execute(
            select(func.max(login_attempts.c.at)).where(
                recent, login_attempts.c.ok.is_(True), login_attempts.c.username == username
            )
        ).scalar()
        by_name = conn.execute(
            select(func.count()).where(
                recent,
                failed,
                login_attempts.c.username == username,
                *([login_attempts.c.at > last_ok] if last_ok is not None else []),
            )
        ).scalar_one()
        by_address = conn.execute(
            select(func.count()).where(recent, failed, login_attempts.c.address == address)
        ).scalar_one()
    return int(by_name) >= MAX_FAILURES or int(by_address) >= MAX_FAILURES_PER_ADDRESS


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:64]
        password = request.form.get("password", "")
        address = (request.remote_addr or "?")[:64]
        if _too_many_failures(username, address):
            flash("登录失败次数过多，请 15 分钟后再试。", "error")
            return render_template("admin/login.html"), 429
        user = check_password(engine(), username, password)
        with engine().begin() as conn:
            conn.execute(
                insert(login_attempts).values(
                    username=username, address=address, ok=user is not None, at=utcnow()
                )
            )
        if user is None:
            flash("用户名或密码不对。", "error")
            return render_template("admin/login.html"), 401
        session.clear()
        session["user"] = user.username
        session.permanent = True
        target = request.args.get("next", "")
        return redirect(target if target.startswith("/admin") else url_for("console.home"))
    return render_template("admin/login.html")


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    session.clear()
    return redirect(url_for("auth.login"))


@bp.app_context_processor
def inject_user() -> dict[str, Any]:
    return {"current_user": current_user()}
