"""Planning, reviewing and following pushes in the console: exactly what the workflow allows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bot.kb.quiz_layer import with_invite
from bot.kb.reviewed import ChangeError
from bot.push.content import (
    ACTION_NAMES,
    CHANNELS,
    STATES,
    Content,
    PushError,
    audience_label,
    recipient_label,
)
from bot.push.workflow import PushBook, allowed_steps
from bot.store.users import UserError
from bot.web.admin.auth import current_user, engine, login_required
from knowledge.quizzes import Quiz

bp = Blueprint("pushes", __name__, url_prefix="/admin/pushes")
LABELS = {
    "submit": "提交审核",
    "approve": "审核通过",
    "reject": "退回",
    "send_now": "立即发送",
    "cancel": "取消",
}


def book() -> PushBook:
    return PushBook(engine(), current_app.extensions["pufa"].settings)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.extensions["pufa"].settings.push.timezone)


bp.add_app_template_filter(audience_label, "audience")


@bp.app_template_filter("local")
def local_time(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(_zone()).strftime("%Y-%m-%d %H:%M")


bp.add_app_template_filter(recipient_label, "who")


@bp.route("/")
@login_required("staff", "reviewer", "leader")
def index() -> str:
    items = sorted(book().list(), key=lambda p: p.content.run_at or p.created_at)
    months: dict[str, list[Any]] = {}
    for item in items:
        months.setdefault(local_time(item.content.run_at or item.created_at)[:7], []).append(item)
    return render_template("admin/pushes.html", months=months, states=STATES, channels=CHANNELS)


def _form_content() -> Content:
    form = request.form
    when = form.get("run_at", "").strip()
    run_at = datetime.fromisoformat(when).replace(tzinfo=_zone()).astimezone(UTC) if when else None
    cron = form.get("cron", "").strip() or None
    body, quiz = _with_quiz(form.get("body", "").strip(), form.get("quiz", "").strip())
    return Content(
        title=form.get("title", "").strip(),
        body=body,
        audience=form.get("audience", "all"),
        channel=form.get("channel", "dryrun"),
        run_at=run_at,
        cron=cron,
        link_url=form.get("link_url", "").strip() or None,
        quiz=quiz,
    )


def _quizzes() -> tuple[Quiz, ...]:
    live = current_app.extensions["pufa"].services.quizzes
    return live.bank() if live else ()


def _with_quiz(body: str, quiz_id: str) -> tuple[str, str | None]:
    if not quiz_id:
        return body, None
    texts = current_app.extensions["pufa"].services.texts
    try:
        body, quiz = with_invite(
            body, _quizzes(), quiz_id, lambda name: texts.get("quiz_invite", name=name)
        )
    except ChangeError as exc:
        raise PushError(str(exc)) from None
    return body, quiz.id


@bp.route("/new", methods=["GET", "POST"])
@login_required("staff")
def new() -> Any:
    settings = current_app.extensions["pufa"].settings
    if request.method == "POST":
        user = current_user()
        assert user is not None
        try:
            push_id = book().create(_form_content(), user.username)
        except (PushError, UserError, ValueError) as exc:
            flash(str(exc), "error")
            return render_template(
                "admin/push_form.html",
                settings=settings,
                channels=CHANNELS,
                form=request.form,
                quizzes=_quizzes(),
            ), 400
        flash(f"已保存推送 #{push_id}（草稿）", "ok")
        return redirect(url_for("pushes.detail", push_id=push_id))
    return render_template(
        "admin/push_form.html", settings=settings, channels=CHANNELS, form={}, quizzes=_quizzes()
    )


@bp.route("/<int:push_id>")
@login_required("staff", "reviewer", "leader")
def detail(push_id: int) -> str:
    pushes = book()
    item = pushes.get(push_id)
    user = current_user()
    assert user is not None
    return render_template(
        "admin/push_detail.html",
        item=item,
        states=STATES,
        channels=CHANNELS,
        audit=pushes.audit(push_id),
        deliveries=pushes.deliveries(push_id),
        actions={step: LABELS[step] for step in allowed_steps(item, user)},
        action_names=ACTION_NAMES,
    )


@bp.route("/<int:push_id>/<action>", methods=["POST"])
@login_required("staff", "reviewer")
def act(push_id: int, action: str) -> Response:
    if action not in LABELS:
        return redirect(url_for("pushes.detail", push_id=push_id))
    user = current_user()
    assert user is not None
    comment = request.form.get("comment", "").strip()
    pushes = book()
    try:
        method = getattr(pushes, action)
        result = (
            method(push_id, user.username, comment)
            if action in ("approve", "reject", "cancel")
            else method(push_id, user.username)
        )
    except (PushError, UserError) as exc:
        flash(str(exc), "error")
    else:
        flash(f"推送 #{push_id} 现在是“{STATES[result.state]}”", "ok")
    return redirect(url_for("pushes.detail", push_id=push_id))


@bp.route("/<int:push_id>/preview", methods=["POST"])
@login_required("staff")
def preview(push_id: int) -> Response:
    """Send the push to a staff member's own WeChat before review."""
    from bot.push.content import render_text
    from bot.push.wechat_api import ApiError, WeChatApi

    user = current_user()
    assert user is not None
    openid = request.form.get("openid", "").strip()[:64]
    pushes = book()
    try:
        item = pushes.get(push_id)
        if not openid:
            raise PushError("请填写接收预览的 OpenID（您本人关注公众号后的 OpenID）")
        api = WeChatApi(current_app.extensions["pufa"].settings, engine(), owner=False)
        try:
            api.post(
                "message/mass/preview",
                {
                    "touser": openid,
                    "msgtype": "text",
                    "text": {"content": render_text(item.content)},
                },
            )
        finally:
            api.close()
        pushes.record_preview(push_id, user.username, openid)
    except (PushError, ApiError, UserError) as exc:
        flash(str(exc), "error")
    else:
        flash("预览已发送，请在微信里查看", "ok")
    return redirect(url_for("pushes.detail", push_id=push_id))
