"""Curating the knowledge base in the console; every change waits for a second person."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as BaseResponse

from bot.kb.io import entries_from_rows, read_rows, to_csv, to_xlsx
from bot.kb.layer import (
    ChangeError,
    KnowledgeLayer,
    cite_text,
    entry_from_dict,
    entry_to_dict,
    parse_citations,
)
from bot.store.users import UserError
from bot.web.admin.auth import current_user, engine, login_required
from bot.web.admin.reviewing import decide
from knowledge.kb import Entry, KnowledgeBase

bp = Blueprint("kb", __name__, url_prefix="/admin/kb")
PAGE_SIZE = 50


def kb() -> KnowledgeBase:
    return current_app.extensions["pufa"].services.kb


def layer() -> KnowledgeLayer:
    return KnowledgeLayer(engine())


@bp.route("/")
@login_required("staff", "reviewer")
def index() -> str:
    query = request.args.get("q", "").strip()
    topic = request.args.get("topic", "")
    entries = [
        e
        for e in kb().entries
        if (not topic or e.topic == topic)
        and (
            not query
            or query in e.title
            or query in e.answer
            or e.id == query
            or any(query in q for q in e.questions)
        )
    ]
    pending = len(layer().list("pending"))
    pages = max(1, -(-len(entries) // PAGE_SIZE))
    try:
        page = min(max(1, int(request.args.get("page", "1"))), pages)
    except ValueError:
        page = 1
    return render_template(
        "admin/kb_list.html",
        entries=entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        total=len(entries),
        page=page,
        pages=pages,
        topics=kb().topics,
        q=query,
        topic=topic,
        pending=pending,
    )


def _from_form() -> Entry:
    form = request.form
    lines = [q.strip() for q in form.get("questions", "").splitlines() if q.strip()]
    data = {
        "id": form.get("id", "").strip(),
        "topic": form.get("topic", ""),
        "title": form.get("title", ""),
        "questions": lines,
        "answer": form.get("answer", ""),
        "next_steps": form.get("next_steps", ""),
        "keywords": [
            k.strip() for k in form.get("keywords", "").replace(",", "、").split("、") if k.strip()
        ],
        "cases": [
            c.strip() for c in form.get("cases", "").replace(",", "、").split("、") if c.strip()
        ],
        "citations": [],
        "reviewed": form.get("reviewed", ""),
        "see_also": [
            e.strip() for e in form.get("see_also", "").replace(",", "、").split("、") if e.strip()
        ],
    }
    entry = entry_from_dict(data)
    return dataclasses.replace(entry, citations=parse_citations(form.get("citations", "")))


def _form_values(entry: Entry | None, extra_question: str = "") -> dict[str, Any]:
    if entry is None:
        return {"questions": extra_question}
    questions = list(entry.questions) + ([extra_question] if extra_question else [])
    return {
        "id": entry.id,
        "topic": entry.topic,
        "title": entry.title,
        "questions": "\n".join(questions),
        "answer": entry.answer,
        "next_steps": entry.next_steps,
        "citations": cite_text(entry.citations),
        "keywords": "、".join(entry.keywords),
        "cases": "、".join(entry.cases),
        "reviewed": entry.reviewed,
        "see_also": "、".join(entry.see_also),
    }


@bp.route("/edit", methods=["GET", "POST"])
@login_required("staff")
def edit() -> Any:
    """New entry, or a change to an existing one (?id=), optionally with a question to add."""
    entry_id = request.values.get("id", "").strip()
    existing = next((e for e in kb().entries if e.id == entry_id), None) if entry_id else None
    if request.method == "POST":
        user = current_user()
        assert user is not None
        try:
            proposed = _from_form()
            change_id = layer().propose(kb(), proposed, user.username)
        except (ChangeError, UserError) as exc:
            problems = getattr(exc, "problems", [str(exc)])
            return render_template(
                "admin/kb_edit.html",
                form=request.form,
                topics=kb().topics,
                problems=problems,
                existing=existing,
            ), 400
        flash(f"已提交修改 #{change_id}，审核人通过后生效", "ok")
        return redirect(url_for("kb.reviews"))
    values = _form_values(existing, request.args.get("question", "").strip())
    return render_template(
        "admin/kb_edit.html", form=values, topics=kb().topics, problems=[], existing=existing
    )


@bp.route("/reviews")
@login_required("staff", "reviewer")
def reviews() -> str:
    pending = layer().list("pending")
    current = {e.id: e for e in kb().entries}
    return render_template(
        "admin/kb_reviews.html",
        pending=pending,
        current=current,
        recent=[c for c in layer().list() if c.state != "pending"][:30],
    )


@bp.route("/reviews/<int:change_id>/<verdict>", methods=["POST"])
@login_required("reviewer")
def review(change_id: int, verdict: str) -> BaseResponse:
    approved = decide(layer(), change_id, verdict)
    if approved:
        current_app.extensions["pufa_live"].reload_now()  # other workers follow within seconds
        flash(f"修改 #{change_id} 已生效", "ok")
    elif approved is False:
        flash(f"修改 #{change_id} 已退回", "ok")
    return redirect(url_for("kb.reviews"))


@bp.route("/export.<fmt>")
@login_required("staff", "reviewer")
def export(fmt: str) -> Response:
    entries = kb().entries
    if fmt == "xlsx":
        return Response(
            to_xlsx(entries),
            headers={"Content-Disposition": "attachment; filename=pufa-kb.xlsx"},
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if fmt == "csv":
        return Response(
            to_csv(entries),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=pufa-kb.csv"},
        )
    raise NotFound()


@bp.route("/import", methods=["GET", "POST"])
@login_required("staff")
def import_file() -> Any:
    if request.method == "GET":
        return render_template("admin/kb_import.html", errors=[])
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择文件", "error")
        return render_template("admin/kb_import.html", errors=[]), 400
    data = upload.read()  # the app-wide server.max_upload_bytes has already capped it
    try:
        entries, errors = entries_from_rows(kb(), read_rows(data, upload.filename))
    except ChangeError as exc:
        errors, entries = [(0, p) for p in exc.problems], []
    if errors:
        return render_template("admin/kb_import.html", errors=errors), 400
    user = current_user()
    assert user is not None
    current = {e.id: entry_to_dict(e) for e in kb().entries}
    changed = [(e, "upsert") for e in entries if current.get(e.id) != entry_to_dict(e)]
    ids = layer().propose_many(changed, user.username)
    flash(
        f"已导入 {len(ids)} 条修改（未改动的 {len(entries) - len(ids)} 条跳过），审核通过后生效",
        "ok",
    )
    return redirect(url_for("kb.reviews"))
