"""The knowledge layer alone: laws, validation and the matching engine (no web app)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from knowledge.check import check_knowledge
from knowledge.evaluate import evaluate, read_labelled
from knowledge.kb import Citation, KnowledgeBase
from knowledge.matcher import Matcher
from knowledge.normalize import normalize
from knowledge.numerals import from_chinese, parse_article_number, to_chinese
from knowledge.tokenize import pinyin_key

DATA = Path(__file__).parent / "data"
DEV_LABELS = sorted(DATA.glob("dev_labels_*.jsonl"))


def test_own_tokenizer_keeps_legal_terms_whole(matcher: Matcher) -> None:
    import jieba

    assert "离婚冷静期" in matcher.tokenizer.tokens("离婚冷静期是什么")
    assert "离婚冷静期" not in jieba.lcut("离婚冷静期是什么")  # the global tokenizer is untouched


def test_synonyms_bring_in_legal_terms(matcher: Matcher) -> None:
    assert "欠薪" in matcher.tokenizer.tokens("老板工钱不给")


def test_normalisation_folds_width_and_punctuation() -> None:
    assert normalize("ＡＢＣ，１２３！ 离婚？") == "abc123离婚"


def test_matches_explain_themselves(matcher: Matcher) -> None:
    best = matcher.match("邻居把我家宅基地占了怎么办").best
    assert best is not None
    assert "宅基地" in best.matched_terms
    assert best.question
    assert 0 < best.coverage <= 1
    assert 0 <= best.similarity <= 1


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "一"),
        (10, "十"),
        (19, "十九"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (1079, "一千零七十九"),
        (1260, "一千二百六十"),
    ],
)
def test_chinese_numerals(number: int, text: str) -> None:
    assert to_chinese(number) == text
    assert from_chinese(text) == number


def test_chinese_numerals_with_wan() -> None:
    assert from_chinese("两万") == 20000
    assert from_chinese("一万五千") == 15000
    assert from_chinese("十万") == 100000


def test_article_labels() -> None:
    assert (
        parse_article_number(1079) == parse_article_number("第一千零七十九条") == "第一千零七十九条"
    )
    assert parse_article_number("133之一") == "第一百三十三条之一"


def test_article_lookup(kb: KnowledgeBase) -> None:
    assert kb.laws.article("民法典", 1079).text.startswith("夫妻一方要求离婚的")
    ref = kb.laws.find_reference("劳动合同法 82条")
    assert ref is not None
    assert (ref.law_key, ref.label) == ("劳动合同法", "第八十二条")
    old = kb.laws.find_reference("婚姻法第三十二条")
    assert old is not None
    assert old.repealed
    assert "第一千零七十九条" in kb.laws.repealed["婚姻法"].articles[old.label or ""]


def test_outdated_law_is_marked(kb: KnowledgeBase) -> None:
    law = kb.laws.law("治安管理处罚法")
    assert law.outdated
    assert "2026年1月1日" in law.notice
    assert law.version == "2012-10-26"


def test_bundled_knowledge_base_passes_check(kb: KnowledgeBase) -> None:
    report = check_knowledge(kb)
    assert report.ok, report.problems[:10]
    assert report.counts["entries"] >= 60
    assert report.counts["topics"] >= 12


def _with_first_entry(kb: KnowledgeBase, **changes: object) -> KnowledgeBase:
    first = dataclasses.replace(kb.entries[0], **changes)
    return kb.replace_entries((first, *kb.entries[1:]))


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"citations": (Citation("民法典", "第一千三百条"),)}, "没有第一千三百条"),
        ({"citations": (Citation("婚姻法", "第三十二条"),)}, "废止"),
        ({"citations": (Citation("治安管理处罚法", "第四十三条"),)}, "不能写条号"),
        (
            {"citations": (Citation("民法典", "第一千零七十九条", "夫妻双方要求离婚的"),)},
            "原文不一致",
        ),
        ({"citations": (Citation("不存在法", "第一条"),)}, "没有这部法律"),
        ({"citations": ()}, "没有法律依据"),
        ({"answer": "很长" * 200}, "回答有"),
        ({"questions": ("只有一句",)}, "种问法"),
        ({"see_also": ("no-such-entry",)}, "没有这个编号 no-such-entry"),
        ({"see_also": ("jiabao-evidence", "jiabao-legal-aid", "jiabao-divorce")}, "最多 2 个"),
    ],
)
def test_check_catches_bad_entries(
    kb: KnowledgeBase, changes: dict[str, object], problem: str
) -> None:
    report = check_knowledge(_with_first_entry(kb, **changes))
    assert any(problem in p for p in report.problems), report.problems


def test_check_catches_duplicate_ids_and_paraphrases(kb: KnowledgeBase) -> None:
    twin = dataclasses.replace(kb.entries[1], id=kb.entries[0].id)
    report = check_knowledge(kb.replace_entries((*kb.entries, twin)))
    assert any("条目编号重复" in p for p in report.problems)
    assert any("同时属于几个条目" in p for p in report.problems)


def test_knowledge_layer_does_not_import_flask() -> None:
    assert "flask" not in {
        name.split(".")[0] for name in sys.modules if name.startswith("knowledge")
    }
    for path in Path(__file__).parent.parent.joinpath("knowledge").glob("*.py"):
        assert "import flask" not in path.read_text()
        assert "from flask" not in path.read_text()


def test_sounds_people_mix_up_still_find_the_legal_term(matcher: Matcher) -> None:
    # 散/赡 (s/sh, ang/an), 述/诉 and 净/静 (in/ing) are typical pinyin-input and dialect slips;
    # 散养费 is in no synonym list, so only the sound can lead to 赡养费.
    assert pinyin_key("起述状") == pinyin_key("起诉状")
    assert pinyin_key("冷净期") == pinyin_key("冷静期")
    assert pinyin_key("起诉书") != pinyin_key("起诉状")
    assert "赡养费" in matcher.match("散养费一直不给咋办").terms
    assert "赡养费" not in matcher.match("散养的鸡被偷了").terms
    # 行不行 ends many questions; to the fuzzy ear it is 信不信 (xin bu xin), a word of an entry
    # on religious freedom, but a word said as it is meant is no slip
    assert "信不信" in matcher.match("信不心宗教是自己的事吗").terms
    assert "信不信" not in matcher.match("我想把地要回来行不行").terms


def test_words_do_not_run_across_punctuation(matcher: Matcher) -> None:
    tokens = matcher.tokenizer.tokens("挡了我家的光，能不能叫他拆")
    assert "光能" not in tokens
    assert "光" in tokens


def test_no_paraphrase_copies_a_real_dev_question(kb: KnowledgeBase) -> None:
    # The dev questions measure wording the knowledge base has not seen; pasting them in,
    # even lightly edited, would make that measure meaningless.
    paraphrases = [normalize(q) for e in kb.entries for q in (e.title, *e.questions)]
    for path in DEV_LABELS:
        for item in read_labelled(path):
            question = normalize(item.question)
            _, similarity, _ = process.extractOne(question, paraphrases, scorer=fuzz.ratio)
            assert similarity < 85, (item.id, item.question)


def test_hotline_numbers_are_words(matcher: Matcher) -> None:
    result = matcher.match("12348是啥电话")
    assert "12348" in result.terms
    assert result.best is not None
    assert result.best.entry_id == "yuanzhu-consult-hotline"
    assert "2000" not in matcher.match("借了2000块不还").terms


def test_a_hotline_inside_a_phone_number_is_no_word(matcher: Matcher) -> None:
    """12345 is the government hotline, but not in 13812345678: a weather question with a phone
    number in it stays out of scope."""
    assert "12345" in matcher.match("打12345没人理咋办").terms
    result = matcher.match("我电话13812345678，今天天气怎么样啊")
    assert "12345" not in result.terms
    assert result.outcome == "fallback"


def test_first_reply_counts_a_menu_apart_from_an_answer(matcher: Matcher) -> None:
    from knowledge.evaluate import Labelled

    items = [
        Labelled("a", "离婚冷静期多久", frozenset({"hunyin-cooling-off"})),
        Labelled("b", "离婚", frozenset({"hunyin-sue-divorce"})),  # one broad word: a menu
        Labelled("c", "离婚冷静期多久", frozenset({"jiedai-interest-cap"})),
    ]
    summary = evaluate(matcher, items).summary()
    first = summary["first_reply"]
    third = round(1 / 3, 4)
    assert (first["direct_right"], first["direct_wrong"]) == (third, third)
    assert first["menu_right"] + first["menu_wrong"] == third
    assert summary["direct_rate"] == round(2 / 3, 4)
    assert summary["direct_precision"] == 0.5
