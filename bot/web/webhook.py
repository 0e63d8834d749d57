"""The thin /wechat view: verify, open, deduplicate and dispatch, render."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from wechatpy.replies import TextReply, TransferCustomerServiceReply

from bot import inbox
from bot.store.storage import StoreError
from bot.web.gate import Rejected
from handlers.reply import TRANSFER_TO_STAFF

log = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)


@bp.before_request
def _small_bodies_only() -> None:
    """WeChat's messages are small; the console's uploads may be larger (app-wide limit)."""
    request.max_content_length = current_app.extensions["pufa"].settings.wechat.max_body_bytes


@bp.route("/wechat", methods=["GET", "POST"])
def wechat() -> Response:
    pufa = current_app.extensions["pufa"]
    try:
        pufa.gate.check_signature(request.args)
        if request.method == "GET":
            return Response(request.args.get("echostr", ""), mimetype="text/plain")
        message, encrypted = pufa.gate.open(request.get_data(cache=False), request.args)
    except Rejected as exc:
        log.warning("rejected /wechat request: %s", exc)
        return Response(str(exc.status), status=exc.status, mimetype="text/plain")
    try:
        limit = pufa.settings.wechat.max_messages_per_minute
        text = inbox.handle(pufa.services, pufa.registry, pufa.store, message, limit)
    except (SQLAlchemyError, StoreError):  # the database falters: keep the message, answer kindly
        log.exception("the database could not take a message from WeChat; journalled")
        inbox.journal(pufa.journal, message)
        text = pufa.services.texts.get("error")
    except Exception:  # never an error page: WeChat would retry, the resident would wait
        log.exception("could not handle a message from WeChat")
        text = pufa.services.texts.get("error")
    if not text:
        return Response("success", mimetype="text/plain")
    if text == TRANSFER_TO_STAFF:
        xml = TransferCustomerServiceReply(message=message).render()
    else:
        xml = TextReply(message=message, content=text).render()
    return Response(pufa.gate.seal(xml, request.args, encrypted), mimetype="application/xml")
