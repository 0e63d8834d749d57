"""A liveness page for monitoring and the local quick start."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, url_for
from werkzeug.wrappers import Response

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> Response:
    pufa = current_app.extensions["pufa"]
    return jsonify(status="ok", entries=len(pufa.services.kb.entries))


@bp.route("/")
def index() -> Response:
    if "simulator.page" in current_app.view_functions:
        return redirect(url_for("simulator.page"))
    return jsonify(service="pufa", webhook="/wechat")
