"""Quiz banks in the console: staff propose a change, a different reviewer approves it."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from bot.kb.quiz_layer import LiveQuizzes, QuizLayer, parse_questions, questions_text
from bot.kb.reviewed import ChangeError
from bot.store.users import UserError
from bot.web.admin.auth import current_user, engine, login_required
from bot.web.admin.reviewing import decide
from knowledge.quizzes import Quiz, campaign_names

bp = Blueprint("quizzes", __name__, url_prefix="/admin/quizzes")


def live() -> LiveQuizzes:
    return current_app.extensions["pufa"].services.quizzes


def layer() -> QuizLayer:
    return QuizLayer(engine())


@bp.route("/")
@login_required("staff", "reviewer")
def index() -> str:
    return render_template(
        "admin/quiz_list.html", quizzes=live().bank(), pending=len(layer().list("pending"))
    )


def _form_values(quiz: Quiz | None) -> dict[str, str]:
    if quiz is None:
        return {}
    return {
        "id": quiz.id,
        "name": quiz.name,
        "title": quiz.title,
        "campaign": quiz.campaign or "",
        "questions": questions_text(quiz),
    }


def _from_form() -> Quiz:
    form = request.form
    quiz_id = form.get("id", "").strip()
    return Quiz(
        id=quiz_id,
        name=form.get("name", "").strip(),
        title=form.get("title", "").strip() or form.get("name", "").strip(),
        questions=parse_questions(form.get("questions", ""), quiz_id),
        campaign=form.get("campaign", "").strip() or None,
        source="后台",
    )


@bp.route("/edit", methods=["GET", "POST"])
@login_required("staff")
def edit() -> Any:
    quiz_id = request.values.get("id", "").strip()
    existing = next((q for q in live().bank() if q.id == quiz_id), None) if quiz_id else None
    campaigns = sorted(campaign_names())
    if request.method == "POST":
        user = current_user()
        assert user is not None
        services = current_app.extensions["pufa"].services
        try:
            change_id = layer().propose(services.kb, live().bank(), _from_form(), user.username)
        except (ChangeError, UserError) as exc:
            problems = getattr(exc, "problems", [str(exc)])
            return render_template(
                "admin/quiz_edit.html",
                form=request.form,
                problems=problems,
                existing=existing,
                campaigns=campaigns,
            ), 400
        flash(f"已提交题库修改 #{change_id}，审核人通过后生效", "ok")
        return redirect(url_for("quizzes.reviews"))
    return render_template(
        "admin/quiz_edit.html",
        form=_form_values(existing),
        problems=[],
        existing=existing,
        campaigns=campaigns,
    )


@bp.route("/reviews")
@login_required("staff", "reviewer")
def reviews() -> str:
    changes = layer().list()
    return render_template(
        "admin/quiz_reviews.html",
        pending=[c for c in changes if c.state == "pending"],
        current={q.id: q for q in live().bank()},
        recent=[c for c in changes if c.state != "pending"][:30],
        questions_text=questions_text,
    )


@bp.route("/reviews/<int:change_id>/<verdict>", methods=["POST"])
@login_required("reviewer")
def review(change_id: int, verdict: str) -> Response:
    approved = decide(layer(), change_id, verdict)
    if approved is not None:
        flash(f"题库修改 #{change_id} {'已生效' if approved else '已退回'}", "ok")
    return redirect(url_for("quizzes.reviews"))
