"""What the matcher gives typical messages on the first reply: clear questions answered, near
ties and close neighbours offered with the right entry on top, chat and danger told apart."""

from __future__ import annotations

import pytest

from knowledge.matcher import Matcher
from knowledge.related import related

# Resident-style questions and the entries that answer them (several where more than one fits).
GOLDEN_TABLE = [
    ("离婚冷静期是好久", ["hunyin-cooling-off"]),
    ("离婚冷净期有几天", ["hunyin-cooling-off"]),
    ("包工头跑了，工钱找哪个要", ["qianxin-contractor-fled"]),
    ("没签合同干了半年能要双倍工资不", ["qianxin-no-contract-double-pay"]),
    ("开车撞了人跑了会怎么样", ["jiaotong-hit-and-run"]),
    ("在工地上摔伤了算不算工伤", ["gongshang-what-counts", "gongshang-odd-job-injury"]),
    ("喝了酒骑摩托被交警抓了", ["jiaotong-drunk-driving"]),
    ("借钱给亲戚没打借条他不认账", ["jiedai-no-iou"]),
    ("儿女都不管老人，不给生活费", ["shanyang-refuse-support"]),
    ("爸爸走了没留遗嘱，遗产咋个分", ["jicheng-statutory-order"]),
    ("有人打电话说是公安局的要我转钱到安全账户", ["zhapian-fake-police"]),
    ("网上刷单返利先垫钱是不是骗子", ["zhapian-shuadan"]),
    ("老公喝了酒就打我", ["jiabao-what-is", "jiabao-get-help"]),
    ("怎么申请人身安全保护令", ["jiabao-protection-order"]),
    ("村里调解达成的协议算不算数", ["tiaojie-agreement-effect"]),
    ("国家宪法日是哪一天", ["xianfa-constitution-day"]),
    ("上山烧纸引起山火要坐牢吗", ["senlin-careless-fire-crime"]),
    ("买到假种子出苗率低怎么赔", ["xiaofei-fake-seeds"]),
    ("打麻将赌钱违法吗", ["zhian-gamble-mahjong"]),
    ("银行卡借给别人用犯法吗", ["zhapian-rent-card"]),
    ("娃儿在学校被同学欺负", ["weichengnian-bullying"]),
]


# Two right entries nearly tied: a menu with both on top, or (since session 17's learned signal
# makes the decision surer) a direct answer with either; it then ends with the next steps staff
# named for it, which come before a sibling among the related titles.
NEAR_TIES = [
    ("老板拖着工资不发咋个整", ["qianxin-complaint-where", "qianxin-wage-delay"]),
]


# Clear questions with close neighbours (the deadline of a 工伤认定 beside the deadlines of 复议
# and 诉讼; a neighbour on the 宅基地 beside piled junk and rights of way): the decision, fitted on
# first runs, may offer a menu, whose first line must then be the right entry.
CLOSE_NEIGHBOURS = [
    ("工伤认定要在好久之内申请", ["gongshang-apply-deadline"]),
    ("邻居把我家宅基地占了怎么办", ["zhaijidi-boundary"]),  # 怎么办 brings rivals close
    ("邻居占了我家宅基地咋办", ["zhaijidi-boundary"]),
    ("征地补偿款村里一直不发", ["zhengdi-unpaid"]),  # 0.883 against the 0.90 point of session 23
]


@pytest.mark.parametrize(("question", "expected"), CLOSE_NEIGHBOURS)
def test_a_close_neighbour_still_leaves_the_right_entry_first(
    matcher: Matcher, question: str, expected: list[str]
) -> None:
    result = matcher.match(question)
    assert result.outcome in ("answered", "choices"), result.outcome
    assert result.best is not None
    assert result.best.entry_id in expected


@pytest.mark.parametrize(("question", "expected"), NEAR_TIES)
def test_near_ties_offer_both_right_entries_on_the_first_reply(
    matcher: Matcher, question: str, expected: list[str]
) -> None:
    """As a right answer followed by its next steps, or as the first lines of a menu."""
    result = matcher.match(question)
    if result.outcome == "answered":
        assert result.best is not None
        assert result.best.entry_id in expected
        steps = matcher.kb.entry(result.best.entry_id).see_also
        assert [m.entry_id for m in related(matcher, result)] == list(steps[:2])
        return
    assert result.outcome == "choices", result.outcome
    assert set(expected) <= {m.entry_id for m in matcher.choices(result)[:2]}


@pytest.mark.parametrize(("question", "expected"), GOLDEN_TABLE)
def test_golden_table(matcher: Matcher, question: str, expected: list[str]) -> None:
    result = matcher.match(question)
    assert result.outcome == "answered", (result.outcome, result.matches[:3])
    assert result.best is not None
    assert result.best.entry_id in expected
    assert result.best.matched_terms
    assert 0 < result.best.score <= 1


@pytest.mark.parametrize("text", ["你好", "您好，在吗", "谢谢你", "早上好啊", "好的，晓得了"])
def test_small_talk_never_gets_a_law(matcher: Matcher, text: str) -> None:
    result = matcher.match(text)
    assert result.outcome in ("greeting", "thanks")
    assert not result.matches


@pytest.mark.parametrize(
    "text", ["今天天气怎么样", "手机充不进电", "哈哈哈哈", "？？？", "帮我查下快递到哪了"]
)
def test_out_of_scope_falls_back(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).outcome in ("fallback", "empty")


@pytest.mark.parametrize(
    "text", ["县城哪家火锅好吃", "你吃饭没有", "讲个笑话听听", "加我微信有惊喜"]
)
def test_chatter_is_never_answered_with_a_law(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).outcome != "answered"


def test_greeting_with_a_question_is_a_question(matcher: Matcher) -> None:
    """Not small talk: the question is matched, whether it is answered or offered first."""
    result = matcher.match("你好，我想问下离婚冷静期是多久")
    assert result.outcome in ("answered", "choices")
    assert result.best is not None
    assert result.best.entry_id == "hunyin-cooling-off"


def test_crisis_words_are_flagged(matcher: Matcher) -> None:
    assert "家庭暴力" in matcher.match("他又在打我，往死里打").crisis
    assert "自我伤害" in matcher.match("欠了好多钱不想活了").crisis
    assert not matcher.match("借钱不还怎么办").crisis
    assert "家庭暴力" in matcher.match("我男人喝了酒就打我 打得好凶").crisis
    assert "家庭暴力" in matcher.match("我老公喝醉了，他拿起板凳就打我").crisis
    assert matcher.match("有人拿刀砍人了").crisis == ("正在发生的犯罪",)
    assert "自我伤害" in matcher.match("日子过不下去了，跳下去死了算了").crisis


@pytest.mark.parametrize(
    "text",
    [
        "催收的天天打我电话，还在群里发消息",
        "清明节上坟还能不能烧纸放火炮",
        "邻居的竹子顶烂我家瓦，叫他砍他不砍，我自己砍了他要我赔",
        "竹子根把墙拱裂了，他不砍，我自己拿刀砍了犯法不",
        "跟人打了一架 是对方先动的手 他喝了酒拿起板凳要打我 我就还手了 派出所说两个都罚",
        "赶场和人吵架，他先动手打我，我还了手，算不算正当防卫",
        "娃儿判给前夫了，跟后妈过得不好经常挨打我想要回抚养权",
        "滥伐被判补种树苗，种下去死了一大半，还要重新种不",
    ],
)
def test_everyday_words_are_no_crisis(matcher: Matcher, text: str) -> None:
    assert not matcher.match(text).crisis
