"""普法答题 figures: the statistics page, the Excel export and the report paragraph."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.store.quizzes import QuizStore
from bot.store.stats import compute, report_paragraph
from knowledge.quizzes import LETTERS, load_quizzes

from ..consolekit import Auth
from ..test_quiz import asked, play
from ..wechat import WeChat

XIANFA = next(q for q in load_quizzes() if q.id == "xianfa")


def _today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _demo_attempt(store) -> None:  # type: ignore[no-untyped-def]
    quizzes = QuizStore(store.engine)
    attempt = quizzes.start_attempt("demo-1", "苍岭村", "xianfa", "宪法宣传周", 5)
    for question_id in XIANFA.draw(seed=1):
        quizzes.record_answer(attempt, "xianfa", question_id, "A", False)
    quizzes.finish_attempt(attempt)


def _residents_play(wechat: WeChat) -> str:
    """Two residents of 苍岭村 and 岭口村; every one gets the first question shown wrong."""
    wechat.text("o-st-1", "我是苍岭村")
    wechat.text("o-st-2", "我是岭口村")
    play(wechat, "o-st-1", right=4)
    play(wechat, "o-st-1", right=2)
    reply = wechat.text("o-st-2", "宪法答题")
    hard = asked(reply)
    for n in range(5):
        question = asked(reply)
        wrong = next(x for x in LETTERS if x != question.answer)
        reply = wechat.text("o-st-2", wrong if n == 0 else question.answer)
    return hard.text


def test_figures_and_report_leave_demo_rows_out(wechat: WeChat, store, kb) -> None:  # type: ignore[no-untyped-def]
    _residents_play(wechat)
    _demo_attempt(store)
    today = _today()
    figures = compute(store.engine, kb, today - timedelta(days=1), today)
    quiz = figures.quiz
    assert quiz.participants == 2
    assert quiz.attempts == 3
    assert quiz.left_out_demo == 1
    assert quiz.by_quiz["宪法知识答题"].average == (4 + 2 + 4) / 3
    assert set(quiz.by_village) == {"苍岭村", "岭口村"}
    assert quiz.by_village["苍岭村"].participants == 1
    assert quiz.by_campaign["宪法宣传周"].attempts == 3
    assert quiz.hardest[0]["share"] < 1
    paragraph = report_paragraph(figures, "苍岭镇")
    assert "开展普法答题，2人参与3人次，平均答对率67%" in paragraph
    assert figures.fit_for_report
    with_demo = compute(store.engine, kb, today - timedelta(days=1), today, include_demo=True)
    assert with_demo.quiz.participants == 3
    assert not with_demo.fit_for_report
    village = compute(store.engine, kb, today - timedelta(days=1), today, village="岭口村")
    assert village.quiz.participants == 1


def test_statistics_page_and_excel_show_the_quiz(wechat: WeChat, client, auth: Auth, store) -> None:  # type: ignore[no-untyped-def]
    hard = _residents_play(wechat)
    _demo_attempt(store)
    auth.login("boss")
    page = client.get("/admin/stats/").get_data(as_text=True)
    assert "普法答题" in page
    assert "参与 2 人，答完 3 人次" in page
    assert "宪法知识答题" in page
    assert "最难的题" in page
    assert hard in page
    assert "demo-1" not in page
    book = load_workbook(io.BytesIO(client.get("/admin/stats/export.xlsx").data))
    sheet = book["普法答题"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("分组", "名称", "参与人数", "答题人次", "平均得分", "满分")
    assert ("题库", "宪法知识答题", 2, 3, round(10 / 3, 2), 5) in rows
    assert any(row[1] == hard for row in book["答题难题"].iter_rows(values_only=True))
    summary = dict(book["概况"].iter_rows(values_only=True))
    assert summary["普法答题参与人数"] == 2
    assert "普法答题" in summary["报告段落"]
