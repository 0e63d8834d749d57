"""The bundled quiz banks and their checker, without the app."""

from __future__ import annotations

import dataclasses

import pytest

from knowledge.kb import KnowledgeBase
from knowledge.quizzes import check_quiz, check_quizzes, letter_of, load_quizzes

QUIZZES = load_quizzes()


def test_the_bundled_quizzes_pass_the_checker(kb: KnowledgeBase) -> None:
    assert check_quizzes(kb, QUIZZES) == []
    assert {"宪法答题", "民法典答题", "禁毒答题"} <= {q.name for q in QUIZZES}
    assert all(8 <= len(q.questions) <= 10 for q in QUIZZES)
    campaigns = {q.name: q.campaign for q in QUIZZES}
    assert campaigns["宪法答题"] == "宪法宣传周"
    assert campaigns["民法典答题"] == "民法典宣传月"
    assert campaigns["禁毒答题"] == "国际禁毒日"


def _with_first(quiz, **changes):  # type: ignore[no-untyped-def]
    first = dataclasses.replace(quiz.questions[0], **changes)
    return dataclasses.replace(quiz, questions=(first, *quiz.questions[1:]))


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"cite": "宪法第九百条"}, "没有第九百条"),
        ({"cite": "村规民约第三条"}, "看不懂"),
        ({"cite": "治安管理处罚法第二十条"}, "只能整部引用"),
        ({"answer": "D", "options": ("甲", "乙", "丙")}, "答案“D”不在选项"),
        ({"options": ("甲", "乙")}, "3–4 个"),
        ({"explain": ""}, "解释要写"),
    ],
)
def test_the_checker_refuses(kb: KnowledgeBase, changes: dict, problem: str) -> None:  # type: ignore[type-arg]
    quiz = _with_first(QUIZZES[0], **changes)
    assert any(problem in p for p in check_quiz(kb, quiz, set())), check_quiz(kb, quiz, set())


def test_an_unknown_campaign_and_duplicate_names_are_refused(kb: KnowledgeBase) -> None:
    quiz = dataclasses.replace(QUIZZES[0], campaign="不存在的活动")
    assert any("宣传活动" in p for p in check_quizzes(kb, [quiz]))
    assert any("名称重复" in p for p in check_quizzes(kb, [QUIZZES[0], QUIZZES[0]]))


@pytest.mark.parametrize(
    ("text", "letter"),
    [
        ("A", "A"),
        ("b", "B"),
        ("Ｃ", "C"),
        ("选A", "A"),
        ("选 d。", "D"),
        ("我选Ｂ", "B"),
        ("E", None),
        ("1", None),
        ("ABC", None),
        ("宪法答题", None),
    ],
)
def test_letters(text: str, letter: str | None) -> None:
    assert letter_of(text) == letter


def test_a_draw_is_fixed_by_its_seed_and_varies_between_seeds() -> None:
    quiz = QUIZZES[0]
    assert quiz.draw(seed=7) == quiz.draw(seed=7)
    assert len(set(quiz.draw(seed=7))) == 5
    assert len({tuple(quiz.draw(seed=s)) for s in range(10)}) > 1


@pytest.mark.parametrize(
    ("today", "first"),
    [("2026-12-04", "宪法答题"), ("2026-06-20", "禁毒答题"), ("2026-05-20", "民法典答题")],
)
def test_plain_答题_offers_the_quiz_of_the_season_first(today: str, first: str) -> None:
    from datetime import date

    from knowledge.quizzes import campaign_days, in_season_first

    ordered = in_season_first(QUIZZES, date.fromisoformat(today), campaign_days())
    assert ordered[0].name == first
    assert sorted(q.id for q in ordered) == sorted(q.id for q in QUIZZES)
