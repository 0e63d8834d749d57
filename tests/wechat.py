"""Builds WeChat pushes the way the platform does, with wechatpy's own signer and crypto."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

TOKEN = "test-token-for-pufa"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues
APPID = "wx1234567890abcdef"
_msg_ids = itertools.count(10_000_000_001)


def signature(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def message_xml(
    openid: str, kind: str, created: int | None = None, msg_id: int | None = None, **fields: str
) -> str:
    values: dict[str, str] = {
        "ToUserName": "gh_township",
        "FromUserName": openid,
        "CreateTime": str(created or int(time.time())),
        "MsgType": kind,
        **fields,
    }
    if kind != "event":
        values["MsgId"] = str(msg_id or next(_msg_ids))
    return "<xml>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in values.items()) + "</xml>"


@dataclass
class WeChat:
    """Posts to /wechat through a Flask test client (or any client with .get/.post)."""

    client: Any
    mode: str = "safe"
    token: str = TOKEN
    crypto: WeChatCrypto = field(default_factory=lambda: WeChatCrypto(TOKEN, AES_KEY, APPID))

    def args(self, timestamp: int | None = None, nonce: str = "n0nce") -> dict[str, str]:
        ts = str(timestamp or int(time.time()))
        return {
            "timestamp": ts,
            "nonce": nonce,
            "signature": signature(self.token, ts, nonce),
            "openid": "x",
        }

    def post_xml(self, xml: str, timestamp: int | None = None, encrypt: bool | None = None) -> Any:
        args = self.args(timestamp)
        body = xml
        encrypt = self.mode != "plain" if encrypt is None else encrypt
        if encrypt:
            sealed = xmltodict.parse(
                self.crypto.encrypt_message(xml, args["nonce"], args["timestamp"])
            )["xml"]
            args.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
            if self.mode == "compatible":
                inner = xml.removeprefix("<xml>").removesuffix("</xml>")
                body = f"<xml>{inner}<Encrypt>{sealed['Encrypt']}</Encrypt></xml>"
            else:
                body = f"<xml><ToUserName>gh_township</ToUserName><Encrypt>{sealed['Encrypt']}</Encrypt></xml>"
        return self.client.post(
            "/wechat", query_string=args, data=body.encode(), content_type="text/xml"
        )

    def reply_of(self, response: Any) -> dict[str, str]:
        assert response.status_code == 200, response.get_data(as_text=True)
        text = response.get_data(as_text=True)
        if text == "success":
            return {}
        parsed = xmltodict.parse(text)["xml"]
        if "Encrypt" in parsed:
            plain = self.crypto.decrypt_message(
                text, parsed["MsgSignature"], parsed["TimeStamp"], parsed["Nonce"]
            )
            parsed = xmltodict.parse(plain)["xml"]
        return dict(parsed)

    def text(self, openid: str, content: str, msg_id: int | None = None) -> str:
        xml = message_xml(openid, "text", msg_id=msg_id, Content=content)
        return self.reply_of(self.post_xml(xml)).get("Content", "")

    def voice(self, openid: str, recognition: str) -> str:
        xml = message_xml(openid, "voice", MediaId="m1", Format="amr", Recognition=recognition)
        return self.reply_of(self.post_xml(xml)).get("Content", "")

    def event(self, openid: str, event: str, key: str = "", created: int | None = None) -> str:
        xml = message_xml(openid, "event", created=created, Event=event, EventKey=key)
        return self.reply_of(self.post_xml(xml)).get("Content", "")
