"""The WeChat door alone, for bench/webhook_throughput.py --crypto-only: pufa's own signature
check, decryption, safe parsing, reply rendering and sealing, with no database and no matching.
What any /wechat costs before it does any work: the ceiling of the pufa / bare ratio."""

from __future__ import annotations

from flask import Flask, Response, request
from wechatpy.replies import TextReply

from bot.settings import load_settings
from bot.web.gate import Gate


def create_app() -> Flask:
    app = Flask(__name__)
    gate = Gate(load_settings())

    @app.post("/wechat")
    def wechat() -> Response:
        gate.check_signature(request.args)
        message, encrypted = gate.open(request.get_data(cache=False), request.args)
        xml = TextReply(message=message, content="好的").render()
        return Response(gate.seal(xml, request.args, encrypted), mimetype="application/xml")

    return app
