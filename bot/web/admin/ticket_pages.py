"""Referral tickets in the console: a phone-sized list and page for the village 法律明白人
and the 司法所, and the page that binds a staff account to its owner's WeChat."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bot.store.privacy import pseudonym
from bot.store.storage import utcnow
from bot.store.ticket_outbox import notices_of
from bot.store.ticket_types import ACTION_NAMES, REASONS, STATES, STEPS, TicketError
from bot.store.tickets import TicketBook
from bot.store.users import BIND_MINUTES, new_bind_code
from bot.web.admin.auth import current_user, engine, login_required

bp = Blueprint("tickets", __name__, url_prefix="/admin/tickets")
FILTERS = {"active": "未办结", "resolved": "已解决", "": "全部"}
BUTTONS = {"accept": "接单", "contacted": "已联系", "resolved": "已解决", "to_sifasuo": "转司法所"}


def book() -> TicketBook:
    services = current_app.extensions["pufa"].services
    return services.referrals or TicketBook(engine(), current_app.extensions["pufa"].settings)


def _user() -> Any:
    user = current_user()
    assert user is not None  # login_required ran first
    return user


@bp.route("/")
@login_required("staff", "helper")
def index() -> str:
    state = request.args.get("state", "active")
    if state not in FILTERS:
        state = "active"
    items = book().listing(_user(), state or None)
    return render_template(
        "admin/tickets.html",
        items=items,
        now=utcnow(),
        state=state,
        filters=FILTERS,
        reasons=REASONS,
        who=pseudonym,
    )


@bp.route("/<int:ticket_id>")
@login_required("staff", "helper")
def detail(ticket_id: int) -> str:
    tickets, user = book(), _user()
    try:
        ticket = tickets.get(ticket_id)
    except TicketError:
        abort(404)
    if not tickets.may_act(ticket, user):
        abort(403)
    steps = {
        action: label
        for action, label in BUTTONS.items()
        if ticket.state in STEPS[action][0]
        and not (action == "to_sifasuo" and ticket.desk == "sifasuo")
    }
    return render_template(
        "admin/ticket.html",
        ticket=ticket,
        now=utcnow(),
        phone=tickets.phone(ticket_id, user),
        steps=steps,
        events=tickets.events(ticket_id),
        notices=notices_of(tickets.engine, ticket_id),
        reasons=REASONS,
        states=STATES,
        action_names=ACTION_NAMES,
        who=pseudonym,
    )


@bp.route("/<int:ticket_id>/<action>", methods=["POST"])
@login_required("staff", "helper")
def act(ticket_id: int, action: str) -> Response:
    if action not in BUTTONS:
        abort(404)
    try:
        ticket = book().act(ticket_id, _user(), action, request.form.get("comment", "").strip())
    except TicketError as exc:
        flash(str(exc), "error")
    else:
        flash(f"工单 {ticket.id} 现在是“{ticket.state_name}”", "ok")
    return redirect(url_for("tickets.detail", ticket_id=ticket_id))


@bp.route("/bind", methods=["GET", "POST"])
@login_required()
def bind() -> str:
    user = _user()
    code = new_bind_code(engine(), user.username) if request.method == "POST" else None
    return render_template("admin/bind.html", user=user, code=code, minutes=BIND_MINUTES)
