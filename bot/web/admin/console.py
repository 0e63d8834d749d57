"""Console home, 命中测试 (what a resident would get) and the unanswered queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from rapidfuzz import fuzz
from sqlalchemy import and_, func, or_, select

from bot.ask import Asker
from bot.store.privacy import mask_personal_numbers, pseudonym
from bot.store.storage import utcnow
from bot.store.tables import feedback, pushes, questions
from bot.web.admin.auth import current_user, engine, login_required
from knowledge.normalize import normalize

bp = Blueprint("console", __name__, url_prefix="/admin")


@bp.route("/")
@login_required()
def home() -> Any:
    user = current_user()
    if user is not None and user.helper_only:
        return redirect(url_for("tickets.index"))
    since = utcnow() - timedelta(days=30)
    with engine().connect() as conn:
        asked = conn.execute(
            select(func.count()).where(
                and_(questions.c.asked_at >= since, questions.c.outcome != "chat")
            )
        ).scalar_one()
        fallbacks = conn.execute(
            select(func.count()).where(
                and_(questions.c.asked_at >= since, questions.c.outcome == "fallback")
            )
        ).scalar_one()
        waiting = conn.execute(
            select(func.count()).where(pushes.c.state == "submitted")
        ).scalar_one()
    return render_template("admin/home.html", asked=asked, fallbacks=fallbacks, waiting=waiting)


@bp.route("/hit-test")
@login_required("staff", "reviewer")
def hit_test() -> str:
    query = request.args.get("q", "").strip()[:500]
    result: dict[str, Any] | None = None
    if query:
        pufa = current_app.extensions["pufa"]
        asker = Asker(pufa.settings, matcher=pufa.services.matcher)
        result = asker.explain(query)
        asker.close()
    return render_template("admin/hit_test.html", query=query, result=result)


def group_similar(rows: list[dict[str, Any]], threshold: int = 72) -> list[dict[str, Any]]:
    """Greedy grouping of similar question texts, biggest groups first."""
    groups: list[dict[str, Any]] = []
    for row in rows:
        key = normalize(row["text"])
        for group in groups:
            if any(_similar(key, other, threshold) for other in group["keys"][:5]):
                group["rows"].append(row)
                group["keys"].append(key)
                break
        else:
            groups.append({"keys": [key], "text": row["text"], "rows": [row]})
    for group in groups:
        group["count"] = len(group["rows"])
        group["people"] = len({r["openid"] for r in group["rows"]})
        group["latest"] = max(r["asked_at"] for r in group["rows"])
        group["askers"] = sorted({pseudonym(r["openid"]) for r in group["rows"]})[:5]
    return sorted(groups, key=lambda g: (-g["count"], g["text"]))


def _similar(a: str, b: str, threshold: int) -> bool:
    return fuzz.ratio(a, b) >= threshold or (
        min(len(a), len(b)) >= 4 and fuzz.partial_ratio(a, b) >= 85
    )


@bp.route("/unanswered")
@login_required("staff", "reviewer")
def unanswered() -> str:
    days = min(max(request.args.get("days", 90, type=int), 1), 3650)
    since = utcnow() - timedelta(days=days)
    disliked = select(feedback.c.question_id).where(feedback.c.helpful.is_(False))
    with engine().connect() as conn:
        rows = (
            conn.execute(
                select(
                    questions.c.id,
                    questions.c.text,
                    questions.c.openid,
                    questions.c.asked_at,
                    questions.c.outcome,
                )
                .where(
                    and_(
                        questions.c.asked_at >= since,
                        or_(
                            questions.c.outcome.in_(("fallback", "law_text")),
                            questions.c.id.in_(disliked),
                        ),
                    )
                )
                .order_by(questions.c.asked_at.desc())
                .limit(2000)
            )
            .mappings()
            .all()
        )
    masked = [{**row, "text": mask_personal_numbers(row["text"])} for row in rows]
    return render_template("admin/unanswered.html", groups=group_similar(masked), days=days)
