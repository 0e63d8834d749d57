"""Every kind of message and every conversation command, through the real webhook."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from bot.store.tables import feedback, questions, residents
from bot.web.app import create_app

from .conftest import make_settings
from .wechat import WeChat, message_xml

QUESTION = "被狗咬了打狂犬疫苗谁出钱"  # answered directly, with a citation


def test_subscribe_welcomes_and_says_what_the_bot_does(wechat: WeChat, store) -> None:
    reply = wechat.event("o-sub", "subscribe")
    assert "欢迎关注" in reply
    assert "苍岭镇" in reply
    assert "帮助" in reply
    assert store.resident("o-sub")["subscribed"] is True


def test_unsubscribe_is_recorded_without_reply(wechat: WeChat, store) -> None:
    wechat.event("o-unsub", "subscribe")
    assert wechat.event("o-unsub", "unsubscribe") == ""
    resident = store.resident("o-unsub")
    assert resident["subscribed"] is False
    assert resident["unsubscribed_at"] is not None


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("CONSULT", "打字"),
        ("CONSTITUTION", "宪法日"),
        ("CONTACT", "苍岭镇司法所"),
        ("HELP", "用法说明"),
        ("NOPE", "用法说明"),
    ],
)
def test_menu_clicks(wechat: WeChat, key: str, expected: str) -> None:
    assert expected in wechat.event("o-menu", "CLICK", key=key)


def test_menu_case_click_shows_a_case_menu(wechat: WeChat) -> None:
    reply = wechat.event("o-menu-case", "CLICK", key="CASES")
    assert "案例" in reply


def test_voice_with_recognition_is_answered_like_text(wechat: WeChat, store) -> None:
    reply = wechat.voice("o-voice", "邻居占了我屋头的宅基地咋个办")
    assert "宅基地" in reply
    assert "条" in reply
    with store.engine.connect() as conn:
        channel = conn.execute(
            select(questions.c.channel).where(questions.c.openid == "o-voice")
        ).scalar_one()
    assert channel == "voice"


def test_voice_without_recognition_asks_to_type(wechat: WeChat) -> None:
    assert "打字" in wechat.voice("o-voice2", "")


@pytest.mark.parametrize(
    ("kind", "fields", "expected"),
    [
        ("image", {"PicUrl": "http://x/y.jpg", "MediaId": "m"}, "图片"),
        ("video", {"MediaId": "m", "ThumbMediaId": "t"}, "视频"),
        ("shortvideo", {"MediaId": "m", "ThumbMediaId": "t"}, "视频"),
        (
            "location",
            {"Location_X": "28.8", "Location_Y": "108.7", "Scale": "15", "Label": "苍岭"},
            "地址",
        ),
        ("link", {"Title": "t", "Description": "d", "Url": "http://x"}, "链接"),
        ("file", {"Title": "a.pdf"}, "帮助"),
    ],
)
def test_other_message_kinds_get_a_polite_explanation(
    wechat: WeChat, kind: str, fields: dict, expected: str
) -> None:
    reply = wechat.reply_of(wechat.post_xml(message_xml("o-media", kind, **fields)))["Content"]
    assert expected in reply


def test_greeting_greets_and_never_cites(wechat: WeChat) -> None:
    reply = wechat.text("o-hi", "你好")
    assert "您好" in reply
    assert "《" not in reply


def test_out_of_scope_gets_honest_fallback_with_referral(wechat: WeChat, store) -> None:
    reply = wechat.text("o-weather", "今天天气怎么样")
    assert "答不好" in reply
    assert "12348" in reply
    assert "法律明白人" in reply
    assert "司法所" in reply
    with store.engine.connect() as conn:
        outcome = conn.execute(
            select(questions.c.outcome).where(questions.c.openid == "o-weather")
        ).scalar_one()
    assert outcome == "fallback"


def test_help_command(wechat: WeChat) -> None:
    for word in ("帮助", "菜单"):
        assert "用法说明" in wechat.text("o-help", word)


def test_feedback_is_stored_against_the_last_answer(wechat: WeChat, store) -> None:
    assert "还没有问过" in wechat.text("o-fb", "有用")
    wechat.text("o-fb", QUESTION)
    assert "谢谢" in wechat.text("o-fb", "没用")
    with store.engine.connect() as conn:
        row = conn.execute(select(feedback).where(feedback.c.openid == "o-fb")).mappings().one()
    assert row["helpful"] is False
    assert row["entry_id"]
    assert row["question_id"]


def test_binding_a_village(wechat: WeChat, store) -> None:
    reply = wechat.text("o-village", "我是苍岭村的")
    assert "苍岭村" in reply
    assert "法律明白人" in reply
    assert store.resident("o-village")["village"] == "苍岭村"
    assert "没有找到" in wechat.text("o-village", "我是火星村")
    wechat.text("o-village", QUESTION)
    with store.engine.connect() as conn:
        village = conn.execute(
            select(questions.c.village).where(questions.c.openid == "o-village")
        ).scalar_one()
    assert village == "苍岭村"
    with store.engine.connect() as conn:
        assert (
            conn.execute(
                select(residents.c.village).where(residents.c.openid == "o-village")
            ).scalar()
            == "苍岭村"
        )


def test_number_picks_from_did_you_mean_list(wechat: WeChat, matcher) -> None:
    vague = next(
        q for q in ("占地", "赔偿", "打人", "欠钱", "孩子") if matcher.match(q).outcome == "choices"
    )
    listing = wechat.text("o-pick", vague)
    assert "您是不是想问" in listing
    assert "1." in listing
    first_title = listing.split("1. ")[1].split("\n")[0]
    picked = wechat.text("o-pick", "1")
    assert picked.startswith(f"【{first_title}】")
    assert "编号" in wechat.text("o-pick", "9") or "编号" not in picked


def test_long_reply_is_paged_within_the_byte_limit(db_url: str, matcher) -> None:
    settings = make_settings(db_url, "safe")
    settings = dataclasses.replace(
        settings, wechat=dataclasses.replace(settings.wechat, reply_max_bytes=400)
    )
    app = create_app(settings, matcher=matcher)
    wechat = WeChat(app.test_client())
    pages = [wechat.text("o-pages", QUESTION)]
    while "更多" in pages[-1] and len(pages) < 20:
        pages.append(wechat.text("o-pages", "更多"))
    assert len(pages) > 2
    assert all(len(p.encode()) <= 400 for p in pages)
    assert "没有更多" in wechat.text("o-pages", "更多")
    whole = "".join(p.replace("（内容较长，回复“更多”看下一页）", "") for p in pages)
    assert "仅供参考" in whole
    assert "依据" in whole
    app.extensions["pufa"].store.dispose()


def test_replies_fit_wechat_limit_by_default(wechat: WeChat, kb) -> None:
    for entry in kb.entries[:40]:
        reply = wechat.text("o-limit", entry.questions[0])
        assert len(reply.encode()) <= 2048


def test_cases_after_an_answer_and_by_topic(wechat: WeChat, kb) -> None:
    entry = next(e for e in kb.entries if e.cases)
    wechat.text("o-case", entry.questions[0])
    reply = wechat.text("o-case", "案例")
    assert "以案说法" in reply
    topic_word = kb.cases[0].topic[:2]
    assert "以案说法" in wechat.text("o-case2", f"案例 {topic_word}")
    menu = wechat.text("o-case4", "案例")
    for topic in kb.topics[:6]:
        assert f"案例 {topic}" in menu, menu  # whole topic names, never 「案例 个人」


def test_crisis_words_put_emergency_contacts_first(wechat: WeChat) -> None:
    reply = wechat.text("o-crisis", "我男人喝了酒又在打我，往死里打，离婚咋个办")
    assert reply.index("110") < 40
    assert "人身安全保护令" in reply


@pytest.mark.parametrize(
    "text",
    [
        "我男人喝了酒就打我 打得好凶",
        "他现在正在打我 救命",
        "老公一喝酒就揍我，我该咋办",
        "婆婆拿刀要砍我",
        "我不想活了，欠的钱还不上",
    ],
)
def test_crisis_in_other_words_gets_the_emergency_line(wechat: WeChat, kb, text: str) -> None:
    """The emergency line comes first, and only entries of the danger's own topic follow."""
    reply = wechat.text("o-crisis-2", text)
    first = reply.split("\n\n")[0]
    assert "110" in first, reply
    assert ("12356" if "不想活" in text else "人身安全保护令") in first, reply
    titles = {e.title: e.topic for e in kb.entries}
    offered = [topic for title, topic in titles.items() if title in reply]
    if "不想活" in text:
        assert not offered, reply  # no law lecture for someone in despair
    else:
        assert set(offered) <= {"家庭暴力"}, reply
