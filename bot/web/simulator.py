"""A local chat page that talks to /wechat exactly as WeChat does: signed, encrypted XML."""

from __future__ import annotations

import secrets
import time
from typing import Any
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from bot.web.gate import safe_xml, sign

bp = Blueprint("simulator", __name__, url_prefix="/simulator")
HEADER = "X-Pufa-Simulator"
MAX_TEXT = 600


@bp.before_request
def _small_bodies_only() -> None:
    request.max_content_length = current_app.extensions["pufa"].settings.wechat.max_body_bytes


def inbound_xml(openid: str, kind: str, **fields: str) -> str:
    """A WeChat message as the platform would post it."""
    values = {
        "ToUserName": "gh_simulator",
        "FromUserName": openid,
        "CreateTime": str(int(time.time())),
        "MsgType": kind,
        **fields,
    }
    if kind != "event":
        values["MsgId"] = str(secrets.randbits(62))
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in values.items())
    return f"<xml>{body}</xml>"


@bp.route("")
def page() -> str:
    pufa = current_app.extensions["pufa"]
    return render_template(
        "simulator.html",
        township=pufa.settings.township,
        openid="sim-" + secrets.token_hex(6),
        mode=pufa.settings.wechat.encryption_mode,
    )


@bp.route("/send", methods=["POST"])
def send() -> Response:
    # A custom header cannot be sent cross-site without a CORS preflight we never allow.
    if request.headers.get(HEADER) != "1":
        abort(403)
    data: dict[str, Any] = request.get_json(silent=True) or {}
    openid = str(data.get("openid") or "")[:64] or "sim-anonymous"
    kind = str(data.get("kind") or "text")
    value = str(data.get("text") or "")[:MAX_TEXT]
    fields = {
        "text": {"Content": value},
        "voice": {"MediaId": "sim", "Format": "amr", "Recognition": value},
        "subscribe": {"Event": "subscribe", "EventKey": ""},
        "click": {"Event": "CLICK", "EventKey": value},
    }.get(kind)
    if fields is None:
        abort(400)
    wire_kind = "event" if kind in ("subscribe", "click") else kind
    reply_xml = _post(inbound_xml(openid, wire_kind, **fields))
    answer = safe_xml(reply_xml) if reply_xml.startswith("<xml") else {}
    if answer.get("MsgType") == "transfer_customer_service":
        return jsonify(reply="（已转到公众号后台的人工客服，由工作人员接待）")
    return jsonify(reply=answer.get("Content", ""))


def _post(xml: str) -> str:
    """Send through the real /wechat route, signed (and encrypted) like WeChat."""
    pufa = current_app.extensions["pufa"]
    gate = pufa.gate
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    args = {"timestamp": timestamp, "nonce": nonce, "signature": sign(gate.token, timestamp, nonce)}
    body = xml
    if gate.crypto is not None:
        sealed = safe_xml(gate.crypto.encrypt_message(xml, nonce, timestamp))
        args.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
        body = f"<xml><ToUserName>gh_simulator</ToUserName><Encrypt>{sealed['Encrypt']}</Encrypt></xml>"
    with current_app.test_client() as client:
        response = client.post(
            "/wechat", query_string=args, data=body.encode(), content_type="text/xml"
        )
    text = response.get_data(as_text=True)
    if gate.crypto is not None and text.startswith("<xml"):
        sealed = safe_xml(text)
        text = gate.crypto.decrypt_message(
            text, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]
        )
    return str(text)
