"""Leaders' statistics with server-drawn charts, the report paragraph and the Excel export."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, render_template, request

from bot.store.export import workbook
from bot.store.stats import Figures, compute, report_paragraph
from bot.web.admin.auth import engine, login_required

bp = Blueprint("stats", __name__, url_prefix="/admin/stats")


def _period() -> tuple[date, date, str | None]:
    settings = current_app.extensions["pufa"].settings
    today = datetime.now(ZoneInfo(settings.push.timezone)).date()
    try:
        end = date.fromisoformat(request.args.get("to", "")) if request.args.get("to") else today
        start = (
            date.fromisoformat(request.args.get("from", ""))
            if request.args.get("from")
            else end - timedelta(days=29)
        )
    except ValueError:
        start, end = today - timedelta(days=29), today
    if start > end:
        start, end = end, start
    villages = {v.name for v in settings.township.villages}
    village = request.args.get("village") or None
    return start, end, village if village in villages else None


def _figures() -> Figures:
    pufa = current_app.extensions["pufa"]
    start, end, village = _period()
    return compute(
        engine(),
        pufa.services.kb,
        start,
        end,
        pufa.settings.push.timezone,
        village,
        include_demo=request.args.get("demo") == "1",
        quizzes=pufa.services.quizzes.bank() if pufa.services.quizzes else None,
    )


@bp.route("/")
@login_required("leader", "staff", "reviewer")
def index() -> str:
    pufa = current_app.extensions["pufa"]
    figures = _figures()
    by_day = sorted(figures.by_day.items())
    series: list[tuple[str, int]] = (
        [(day[5:], n) for day, n in by_day]
        if len(by_day) <= 62
        else [(week.split("-")[1], n) for week, n in sorted(figures.by_week.items())]
    )
    context: dict[str, Any] = {
        "figures": figures,
        "series": series,
        "series_title": "每日咨询人次" if len(by_day) <= 62 else "每周咨询人次",
        "months": sorted(figures.by_month.items()),
        "topics": figures.by_topic.most_common(),
        "villages_rows": figures.by_village.most_common(),
        "hours": [(f"{h}时", figures.by_hour[h]) for h in range(24)],
        "paragraph": report_paragraph(figures, pufa.settings.township.name),
        "village_names": [v.name for v in pufa.settings.township.villages],
        "matrix_topics": [t for t, _ in figures.by_topic.most_common(8)],
        "matrix_villages": [v for v, _ in figures.by_village.most_common()],
    }
    return render_template("admin/stats.html", **context)


@bp.route("/export.xlsx")
@login_required("leader", "staff", "reviewer")
def export() -> Response:
    figures = _figures()
    data = workbook(figures, current_app.extensions["pufa"].settings.township.name)
    name = f"pufa-{figures.start}-{figures.end}.xlsx"
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )
