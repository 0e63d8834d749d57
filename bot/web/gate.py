"""The WeChat door: signatures, timestamps, AES, safe XML parsing and reply sealing."""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from wechatpy import parse_message
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.utils import WeChatSigner, to_text

from bot.settings import Settings


class Rejected(Exception):
    """A request that must not be processed; `status` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def _same(expected: str, given: str | None) -> bool:
    return hmac.compare_digest(expected.encode(), (given or "").encode())


def safe_xml(body: bytes | str) -> dict[str, str]:
    """Parse XML refusing DTDs, entities and external references; flat <xml> children only."""
    try:
        root = SafeET.fromstring(body, forbid_dtd=True)
    except (DefusedXmlException, SafeET.ParseError, ValueError) as exc:
        raise Rejected(400, f"bad xml: {type(exc).__name__}") from None
    if root.tag != "xml":
        raise Rejected(400, "root element must be <xml>")
    return {child.tag: (child.text or "") for child in root}


class Gate:
    def __init__(self, settings: Settings) -> None:
        self.token = settings.secrets.token
        self.mode = settings.wechat.encryption_mode
        self.window = settings.wechat.timestamp_window
        self.appid = settings.secrets.appid
        self.aes_key = settings.secrets.aes_key
        self.crypto = (
            WeChatCrypto(self.token, self.aes_key, self.appid)
            if self.aes_key and self.mode != "plain"
            else None
        )

    def check_signature(self, args: Mapping[str, str], now: float | None = None) -> None:
        timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
        if not timestamp.isdigit() or not nonce:
            raise Rejected(403, "missing timestamp or nonce")
        if not _same(sign(self.token, timestamp, nonce), args.get("signature")):
            raise Rejected(403, "bad signature")
        if abs((now or time.time()) - int(timestamp)) > self.window:
            raise Rejected(403, "stale timestamp")

    def open(self, body: bytes, args: Mapping[str, str]) -> tuple[Any, bool]:
        """The parsed message and whether it came encrypted (so the reply must be too)."""
        outer = safe_xml(body)
        encrypted = args.get("encrypt_type", "raw").lower() == "aes"
        if self.mode == "safe" and not encrypted:
            raise Rejected(400, "safe mode accepts only encrypted messages")
        if encrypted:
            if self.crypto is None:
                raise Rejected(400, "encrypted message but no EncodingAESKey configured")
            encrypt = outer.get("Encrypt", "")
            msg_signature = sign(
                self.token, args.get("timestamp", ""), args.get("nonce", ""), encrypt
            )
            if not encrypt or not _same(msg_signature, args.get("msg_signature")):
                raise Rejected(403, "bad msg_signature")
            try:
                plain = PrpCrypto(self.crypto.key).decrypt(encrypt, self.appid)
            except Exception:  # wechatpy raises assorted errors on bad ciphertext
                raise Rejected(400, "cannot decrypt") from None
            outer = safe_xml(plain)
            body = plain
        if not outer.get("MsgType") or not outer.get("FromUserName"):
            raise Rejected(400, "message without MsgType or FromUserName")
        if not outer.get("CreateTime", "").isdigit() or not outer.get("MsgId", "0").isdigit():
            raise Rejected(400, "CreateTime and MsgId must be numbers")
        if len(outer["FromUserName"]) > 64:
            raise Rejected(400, "FromUserName too long")
        try:
            return parse_message(to_text(body)), encrypted
        except Exception:
            raise Rejected(400, "unparseable message") from None

    def seal(self, xml: str, args: Mapping[str, str], encrypted: bool) -> str:
        if not encrypted or self.crypto is None:
            return xml
        return str(self.crypto.encrypt_message(xml, args.get("nonce", ""), args.get("timestamp")))
