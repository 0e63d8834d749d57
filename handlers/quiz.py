"""普法答题: five questions, one a message, answered by letter; the best score is kept.

The progress lives in the conversation state under "quiz", which a new question keeps
(handlers.question), so "继续答题" picks up where the resident left off.
"""

from __future__ import annotations

import re
from typing import Any

from knowledge.quizzes import DRAWN, LETTERS, Question, Quiz, letter_of

from .context import Context, Quizzes
from .reply import Reply

START = re.compile(r"^(?:开始|参加|我要|来|玩)?(?P<name>[\u4e00-\u9fff]{0,8}?)答题$")
GENERIC = {"", "普法", "开始", "参加"}
RESUME = "继续答题"


def _words(message: Any) -> str:
    return str(getattr(message, "content", "") or "").strip().strip("。.!！?？ ")


def _quizzes(ctx: Context) -> Quizzes | None:
    return ctx.services.quizzes


def is_command(message: Any, ctx: Context) -> bool:
    return _quizzes(ctx) is not None and START.match(_words(message)) is not None


def is_answer(message: Any, ctx: Context) -> bool:
    return (
        _quizzes(ctx) is not None
        and bool(ctx.state.get("quiz"))
        and letter_of(_words(message)) is not None
    )


def command(message: Any, ctx: Context) -> Reply:
    quizzes = _quizzes(ctx)
    assert quizzes is not None
    words = _words(message)
    if words == RESUME:
        return resume(ctx)
    match = START.match(words)
    name = match.group("name") if match else ""
    bank = quizzes.bank()
    if not bank:
        return Reply(ctx.text("quiz_none"))
    if name in GENERIC:
        best = quizzes.best_scores(ctx.openid)
        quiz = min(bank, key=lambda q: (q.id in best, best.get(q.id, 0)))
    else:
        found = next((q for q in bank if q.name in (f"{name}答题", words)), None)
        if found is None:
            return Reply(ctx.text("quiz_unknown", name=words, names=_names(bank)))
        quiz = found
    return start(quiz, quizzes, ctx)


def start(quiz: Quiz, quizzes: Quizzes, ctx: Context) -> Reply:
    total = min(len(quiz.questions), DRAWN)
    attempt = quizzes.start_attempt(ctx.openid, ctx.village, quiz.id, quiz.campaign, total)
    order = quiz.draw(seed=attempt, count=total)
    ctx.state["quiz"] = {
        "id": quiz.id,
        "attempt": attempt,
        "seed": attempt,
        "order": order,
        "at": 0,
    }
    intro = ctx.text("quiz_start", title=quiz.title, total=str(total))
    return Reply(f"{intro}\n\n{_ask(quiz, ctx)}", paginate=False)


def resume(ctx: Context) -> Reply:
    state = ctx.state.get("quiz")
    quizzes = _quizzes(ctx)
    if not state or quizzes is None:
        return Reply(ctx.text("quiz_not_started"))
    quiz = _current_quiz(quizzes, state)
    if quiz is None:
        ctx.state.pop("quiz", None)
        return Reply(ctx.text("quiz_gone"))
    return Reply(_ask(quiz, ctx), paginate=False)


def answer(message: Any, ctx: Context) -> Reply:
    quizzes = _quizzes(ctx)
    state = ctx.state["quiz"]
    assert quizzes is not None
    quiz = _current_quiz(quizzes, state)
    question = quiz.question(state["order"][state["at"]]) if quiz else None
    if quiz is None or question is None:
        ctx.state.pop("quiz", None)
        return Reply(ctx.text("quiz_gone"))
    letter = letter_of(_words(message)) or ""
    allowed = LETTERS[: len(question.options)]
    if letter not in allowed:
        return Reply(ctx.text("quiz_pick", letters="、".join(allowed)))
    right = letter == question.answer
    quizzes.record_answer(state["attempt"], quiz.id, question.id, letter, right)
    state["at"] += 1
    verdict = _verdict(question, right, ctx)
    if state["at"] < len(state["order"]):
        return Reply(f"{verdict}\n\n{_ask(quiz, ctx)}", paginate=False)
    return Reply(f"{verdict}\n\n{_finish(quiz, quizzes, ctx)}", paginate=False)


def remind(reply: Reply, ctx: Context) -> Reply:
    """A question asked in the middle of a quiz: the answer, then how to carry on."""
    state = ctx.state.get("quiz")
    if not state:
        return reply
    hint = ctx.text("quiz_resume_hint", n=str(state["at"] + 1))
    return Reply(f"{reply.text}\n\n{hint}", paginate=reply.paginate)


def _current_quiz(quizzes: Quizzes, state: dict[str, Any]) -> Quiz | None:
    quiz = next((q for q in quizzes.bank() if q.id == state["id"]), None)
    if quiz is None or state["at"] >= len(state["order"]):
        return None
    return quiz


def _ask(quiz: Quiz, ctx: Context) -> str:
    state = ctx.state["quiz"]
    question = quiz.question(state["order"][state["at"]])
    if question is None:
        return ctx.text("quiz_gone")
    options = "\n".join(
        f"{letter}. {text}" for letter, text in zip(LETTERS, question.options, strict=False)
    )
    return ctx.text(
        "quiz_question",
        n=str(state["at"] + 1),
        total=str(len(state["order"])),
        question=question.text,
        options=options,
    )


def _verdict(question: Question, right: bool, ctx: Context) -> str:
    if right:
        head = ctx.text("quiz_right")
    else:
        option = question.options[LETTERS.index(question.answer)]
        head = ctx.text("quiz_wrong", answer=f"{question.answer}. {option}")
    return f"{head}\n" + ctx.text("quiz_explain", explain=question.explain, cite=question.cite)


def _finish(quiz: Quiz, quizzes: Quizzes, ctx: Context) -> str:
    state = ctx.state.pop("quiz")
    score = quizzes.finish_attempt(state["attempt"])
    best = quizzes.best_scores(ctx.openid).get(quiz.id, score)
    others = [q for q in quizzes.bank() if q.id != quiz.id]
    total = str(len(state["order"]))
    lines = [
        ctx.text("quiz_score", score=str(score), total=total),
        ctx.text("quiz_best", title=quiz.title, best=str(best), total=total),
        ctx.text("quiz_again", name=quiz.name, others=_names(others)),
    ]
    return "\n".join(line for line in lines if line)


def _names(bank: tuple[Quiz, ...] | list[Quiz]) -> str:
    return "、".join(f"“{q.name}”" for q in bank)
