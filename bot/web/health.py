"""Liveness and readiness pages for monitoring, and the local quick start's front door."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, url_for
from sqlalchemy import text
from werkzeug.wrappers import Response

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> Response:
    pufa = current_app.extensions["pufa"]
    return jsonify(status="ok", entries=len(pufa.services.kb.entries))


@bp.route("/readyz")
def readyz() -> tuple[Response, int]:
    """Ready to answer residents: the database answers and the knowledge base is loaded.
    Messages waiting in the journal are reported, not a reason to be unready."""
    pufa = current_app.extensions["pufa"]
    checks: dict[str, object] = {"entries": len(pufa.services.kb.entries)}
    try:
        with pufa.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure to reach it means not ready
        checks["database"] = f"unreachable: {type(exc).__name__}"
    checks["journal_waiting"] = pufa.journal.count()
    ready = checks["database"] == "ok" and bool(checks["entries"])
    return jsonify(status="ready" if ready else "not ready", **checks), 200 if ready else 503


@bp.route("/")
def index() -> Response:
    if "simulator.page" in current_app.view_functions:
        return redirect(url_for("simulator.page"))
    return jsonify(service="pufa", webhook="/wechat")
