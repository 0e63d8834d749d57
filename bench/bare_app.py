"""The baseline for bench/webhook_throughput.py: a Flask app that answers a fixed reply."""

from flask import Flask, Response

app = Flask(__name__)
REPLY = "<xml><ToUserName>o</ToUserName><MsgType>text</MsgType><Content>好的</Content></xml>"


@app.post("/wechat")
def wechat() -> Response:
    return Response(REPLY, mimetype="application/xml")
