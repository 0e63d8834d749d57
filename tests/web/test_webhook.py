"""The /wechat door: signatures, modes, limits, hostile XML and retries."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bot.store.tables import inbound, questions

from ..wechat import TOKEN, WeChat, message_xml, signature

QUESTION = "被狗咬了打狂犬疫苗谁出钱"  # answered directly, with a citation


def test_url_verification_echoes_with_valid_signature(client, wechat: WeChat) -> None:
    args = {**wechat.args(), "echostr": "echo-123"}
    response = client.get("/wechat", query_string=args)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "echo-123"


@pytest.mark.parametrize(
    "tamper",
    [
        {"signature": "0" * 40},
        {"signature": ""},
        {"nonce": "other-nonce"},
        {"timestamp": "not-a-number"},
    ],
)
def test_url_verification_refuses_bad_signature(
    client, wechat: WeChat, tamper: dict[str, str]
) -> None:
    args = {**wechat.args(), "echostr": "echo-123", **tamper}
    response = client.get("/wechat", query_string=args)
    assert response.status_code == 403
    assert "echo-123" not in response.get_data(as_text=True)


def test_stale_timestamp_is_refused(client, wechat: WeChat) -> None:
    old = int(time.time()) - 3600
    response = wechat.post_xml(message_xml("o-stale", "text", Content=QUESTION), timestamp=old)
    assert response.status_code == 403


@pytest.mark.parametrize("mode", ["plain", "compatible", "safe"], indirect=True)
def test_question_answered_with_citation_in_every_mode(wechat: WeChat, mode: str) -> None:
    reply = wechat.text("o-mode-" + mode, QUESTION)
    assert "狂犬疫苗" in reply
    assert "《中华人民共和国" in reply
    assert "条" in reply
    assert "仅供参考" in reply


def test_safe_mode_refuses_plaintext_body(client, wechat: WeChat) -> None:
    response = wechat.post_xml(message_xml("o-plain", "text", Content=QUESTION), encrypt=False)
    assert response.status_code == 400


def test_bad_msg_signature_is_refused(client, wechat: WeChat) -> None:
    xml = message_xml("o-badmsg", "text", Content=QUESTION)
    args = wechat.args()
    sealed = wechat.crypto.encrypt_message(xml, args["nonce"], args["timestamp"])
    encrypt = sealed.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    args.update(encrypt_type="aes", msg_signature="f" * 40)
    body = f"<xml><Encrypt>{encrypt}</Encrypt></xml>"
    response = client.post("/wechat", query_string=args, data=body, content_type="text/xml")
    assert response.status_code == 403


def test_garbage_ciphertext_is_a_client_error(client, wechat: WeChat) -> None:
    args = wechat.args()
    encrypt = "bm90IHJlYWxseSBlbmNyeXB0ZWQ="
    args.update(
        encrypt_type="aes",
        msg_signature=signature(TOKEN, args["timestamp"], args["nonce"], encrypt),
    )
    response = client.post(
        "/wechat", query_string=args, data=f"<xml><Encrypt>{encrypt}</Encrypt></xml>"
    )
    assert response.status_code == 400


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<xml><Content>&lol3;</Content></xml>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>"
)


@pytest.mark.parametrize("mode", ["plain", "safe"], indirect=True)
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("<xml><Content>unclosed", 400),
        ("not xml at all", 400),
        ("", 400),
        (BOMB, 400),
        (XXE, 400),
        ("<html><body>hi</body></html>", 400),
        ("<xml><MsgType>text</MsgType></xml>", 400),
        (
            "<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><CreateTime>x</CreateTime></xml>",
            400,
        ),
    ],
)
def test_hostile_bodies_get_4xx_never_5xx(
    client, wechat: WeChat, body: str, status: int, mode: str
) -> None:
    response = client.post(
        "/wechat", query_string=wechat.args(), data=body.encode(), content_type="text/xml"
    )
    assert response.status_code == status


def test_hostile_xml_inside_the_ciphertext_is_refused(wechat: WeChat) -> None:
    assert wechat.post_xml(BOMB).status_code == 400
    assert wechat.post_xml(XXE).status_code == 400


def test_oversized_body_is_refused(client, wechat: WeChat) -> None:
    huge = message_xml("o-big", "text", Content="法" * 40_000)
    response = client.post(
        "/wechat", query_string=wechat.args(), data=huge.encode(), content_type="text/xml"
    )
    assert response.status_code == 413


def test_retried_message_is_answered_identically_and_logged_once(
    app, wechat: WeChat, store
) -> None:
    xml = message_xml("o-retry", "text", msg_id=777001, Content=QUESTION)
    replies = [wechat.reply_of(wechat.post_xml(xml))["Content"] for _ in range(3)]
    assert replies[0] == replies[1] == replies[2]
    with store.engine.connect() as conn:
        assert (
            conn.execute(select(questions).where(questions.c.openid == "o-retry")).all().__len__()
            == 1
        )
        assert len(conn.execute(select(inbound).where(inbound.c.openid == "o-retry")).all()) == 1


def test_retried_event_is_deduplicated_by_sender_and_time(wechat: WeChat, store) -> None:
    created = int(time.time())
    first = wechat.event("o-evt", "subscribe", created=created)
    second = wechat.event("o-evt", "subscribe", created=created)
    assert first == second
    assert "欢迎" in first
    assert store.count("inbound") == 1
    wechat.event("o-evt", "subscribe", created=created + 1)
    assert store.count("inbound") == 2


def test_handler_failure_gives_friendly_reply(
    app, wechat: WeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_query: str) -> None:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(app.extensions["pufa"].services.matcher, "match", broken)
    reply = wechat.text("o-broken", QUESTION)
    assert "开小差" in reply
    assert "12348" in reply


def test_message_content_is_kept_even_when_matching_fails(
    app, wechat: WeChat, store, monkeypatch
) -> None:
    monkeypatch.setattr(app.extensions["pufa"].services.matcher, "match", lambda q: 1 / 0)
    wechat.text("o-kept", "我的电话是13812345678，工钱要不到")
    with store.engine.connect() as conn:
        content = conn.execute(
            select(inbound.c.content).where(inbound.c.openid == "o-kept")
        ).scalar_one()
    assert "工钱要不到" in content
    assert "13812345678" not in content
    assert "138****5678" in content


def test_database_outage_still_gets_a_friendly_reply(
    app, wechat: WeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    def down(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(app.extensions["pufa"].store, "claim_inbound", down)
    reply = wechat.text("o-down", QUESTION)
    assert "开小差" in reply
