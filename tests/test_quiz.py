"""普法答题 through the real webhook: start, answer by letter, interrupt, resume, best score."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.store.quiz_tables import quiz_answers, quiz_attempts
from knowledge.quizzes import LETTERS, Question, load_quizzes

from .wechat import WeChat

BANK = {quiz.id: quiz for quiz in load_quizzes()}


def asked(reply: str, quiz_id: str = "xianfa") -> Question:
    """The question a reply puts, looked up in the bundled bank."""
    match = re.search(r"第(\d)题（共5题）：(.+)", reply)
    assert match, reply
    return next(q for q in BANK[quiz_id].questions if q.text == match.group(2).strip())


def wrong(question: Question) -> str:
    return next(letter for letter in LETTERS[: len(question.options)] if letter != question.answer)


def play(wechat: WeChat, openid: str, right: int, start: str = "宪法答题") -> str:
    """Answer the five questions, the first `right` of them correctly; the last reply."""
    reply = wechat.text(openid, start)
    for n in range(5):
        question = asked(reply)
        reply = wechat.text(openid, question.answer if n < right else wrong(question))
    return reply


def test_a_resident_plays_a_quiz_to_a_score(wechat: WeChat, store) -> None:
    reply = wechat.text("o-quiz", "宪法答题")
    assert "宪法知识答题" in reply
    assert "第1题（共5题）" in reply
    assert "A. " in reply
    first = asked(reply)
    reply = wechat.text("o-quiz", "选" + first.answer.lower())
    assert "答对了" in reply
    assert f"依据：{first.cite}" in reply
    assert first.explain in reply
    second = asked(reply)
    reply = wechat.text("o-quiz", "ＡＢＣＤ"[LETTERS.index(wrong(second))])
    assert "答错了" in reply
    assert f"正确答案是 {second.answer}" in reply
    for _ in range(3):
        reply = wechat.text("o-quiz", asked(reply).answer)
    assert "这次答对 4 题，一共 5 题" in reply
    assert "最好成绩：4/5" in reply
    with store.engine.connect() as conn:
        attempt = conn.execute(select(quiz_attempts)).one()
        answers = conn.execute(select(quiz_answers)).all()
    assert (attempt.quiz_id, attempt.score, attempt.total) == ("xianfa", 4, 5)
    assert attempt.campaign == "宪法宣传周"
    assert attempt.finished_at is not None
    assert [a.correct for a in answers] == [True, False, True, True, True]


def test_the_best_score_is_kept_over_two_attempts(wechat: WeChat) -> None:
    assert "最好成绩：3/5" in play(wechat, "o-best", right=3)
    reply = play(wechat, "o-best", right=1)
    assert "这次答对 1 题" in reply
    assert "最好成绩：3/5" in reply


def test_attempts_draw_different_questions_but_each_is_fixed(wechat: WeChat) -> None:
    first = {asked(wechat.text(f"o-draw-{n}", "宪法答题")).id for n in range(6)}
    assert len(first) > 1


def test_a_question_in_the_middle_is_answered_and_the_quiz_resumes(wechat: WeChat) -> None:
    reply = wechat.text("o-mid", "宪法答题")
    reply = wechat.text("o-mid", asked(reply).answer)
    second = asked(reply)
    interrupted = wechat.text("o-mid", "欠钱不还怎么办")
    assert "借" in interrupted
    assert "回复“继续答题”接着答第2题" in interrupted
    resumed = wechat.text("o-mid", "继续答题")
    assert asked(resumed) == second
    assert "第2题（共5题）" in resumed
    assert "答对了" in wechat.text("o-mid", second.answer)


def test_a_letter_outside_a_quiz_is_not_swallowed(wechat: WeChat) -> None:
    reply = wechat.text("o-letter", "A")
    assert "答对" not in reply
    assert "答错" not in reply
    assert "继续答题" not in reply
    assert "没有在答题" in wechat.text("o-letter", "继续答题")


def test_a_number_in_a_menu_still_works_during_a_quiz(wechat: WeChat) -> None:
    wechat.text("o-menu-quiz", "宪法答题")
    menu = wechat.text("o-menu-quiz", "老人")
    if "您是不是想问" not in menu:
        pytest.skip("the matcher answered directly; no menu to pick from")
    picked = wechat.text("o-menu-quiz", "1")
    assert "这个编号没有对应的问题了" not in picked
    assert "依据" in picked


def test_a_letter_beyond_the_options_asks_again(wechat: WeChat) -> None:
    reply = wechat.text("o-range", "民法典答题")
    question = asked(reply, "minfadian")
    if len(question.options) == 4:
        pytest.skip("this draw has four options")
    assert "中的一个字母" in wechat.text("o-range", "D")


def test_plain_quiz_word_starts_one_and_unknown_names_list_them(wechat: WeChat) -> None:
    assert "第1题（共5题）" in wechat.text("o-any", "答题")
    listing = wechat.text("o-unknown", "天文答题")
    assert "宪法答题" in listing
    assert "禁毒答题" in listing


def test_help_mentions_the_quiz(wechat: WeChat) -> None:
    assert "答题" in wechat.text("o-help", "帮助")
