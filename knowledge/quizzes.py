"""普法答题 banks: loading, checking, drawing the questions of an attempt, reading a letter."""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .check import check_citation
from .errors import KnowledgeError
from .kb import DATA_DIR, Citation, KnowledgeBase
from .normalize import tidy

QUIZ_DIR = DATA_DIR / "quizzes"
LETTERS = "ABCD"
DRAWN = 5
MIN_QUESTIONS = DRAWN
MAX_EXPLAIN = 120
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LETTER = re.compile(r"^(?:我选|选择|选|答案是|答案|答)?\s*([A-D])\s*(?:项|吧)?$")


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: tuple[str, ...]
    answer: str  # the letter of the right option
    explain: str
    cite: str  # as written, e.g. 宪法第三十三条; a bare law name cites the whole law


@dataclass(frozen=True)
class Quiz:
    id: str
    name: str  # what a resident replies to start it, e.g. 宪法答题
    title: str
    questions: tuple[Question, ...]
    campaign: str | None = None  # a campaign name of campaigns.yaml, e.g. 宪法宣传周
    source: str = ""

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def draw(self, seed: int, count: int = DRAWN) -> list[str]:
        """The questions of one attempt: varied between attempts, fixed by the seed."""
        ids = [q.id for q in self.questions]
        return random.Random(seed).sample(ids, min(count, len(ids)))


def letter_of(text: str) -> str | None:
    """'A', 'a', 'Ａ', '选A', '选 b。' -> the letter; anything else -> None."""
    words = unicodedata.normalize("NFKC", text).strip().strip("。.!！?？ ").upper()
    match = _LETTER.match(words)
    return match.group(1) if match else None


def quiz_from_dict(data: Mapping[str, Any], source: str = "") -> Quiz:
    try:
        questions = tuple(
            Question(
                id=str(q["id"]).strip(),
                text=tidy(str(q["question"])),
                options=tuple(tidy(str(o)) for o in q.get("options") or ()),
                answer=str(q["answer"]).strip().upper(),
                explain=tidy(str(q.get("explain") or "")),
                cite=tidy(str(q.get("cite") or "")),
            )
            for q in data.get("questions") or ()
        )
        return Quiz(
            id=str(data["id"]).strip(),
            name=tidy(str(data["name"])),
            title=tidy(str(data.get("title") or data["name"])),
            questions=questions,
            campaign=tidy(str(data["campaign"])) if data.get("campaign") else None,
            source=source,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise KnowledgeError(f"{source or '答题'}：格式不对，缺少 {exc}") from None


def quiz_to_dict(quiz: Quiz) -> dict[str, Any]:
    return {
        "id": quiz.id,
        "name": quiz.name,
        "title": quiz.title,
        "campaign": quiz.campaign,
        "questions": [
            {
                "id": q.id,
                "question": q.text,
                "options": list(q.options),
                "answer": q.answer,
                "explain": q.explain,
                "cite": q.cite,
            }
            for q in quiz.questions
        ],
    }


def load_quizzes(directory: Path = QUIZ_DIR) -> tuple[Quiz, ...]:
    quizzes = []
    for path in sorted(directory.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(raw, Mapping):
            raise KnowledgeError(f"{path.name}: expected a quiz mapping")
        quizzes.append(quiz_from_dict(raw, path.name))
    return tuple(quizzes)


CAMPAIGNS = DATA_DIR / "campaigns.yaml"
SEASON_DAYS = 7  # a campaign's quiz comes first from a week before its first day to a week after


def campaign_names(path: Path = CAMPAIGNS) -> set[str]:
    return set(campaign_days(path))


def campaign_days(path: Path = CAMPAIGNS) -> dict[str, list[tuple[int, int]]]:
    """Campaign name -> the (month, day) of each of its pushes in the calendar."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    days: dict[str, list[tuple[int, int]]] = {}
    for item in raw.get("campaigns", []):
        month, day = (int(x) for x in str(item.get("date", "1-1")).split("-"))
        days.setdefault(str(item.get("name", "")), []).append((month, day))
    return days


def in_season_first(
    quizzes: tuple[Quiz, ...], today: date, days: dict[str, list[tuple[int, int]]]
) -> tuple[Quiz, ...]:
    """The quizzes of a campaign near `today` first: "答题" in 宪法宣传周 starts 宪法答题."""

    here = date(2000, today.month, today.day)  # a leap year holds every month and day

    def distance(quiz: Quiz) -> int:
        gaps = [
            abs((date(2000, month, day) - here).days)
            for month, day in days.get(quiz.campaign or "", [])
        ]
        return min((min(gap, 366 - gap) for gap in gaps), default=366)

    return tuple(sorted(quizzes, key=lambda q: distance(q) > SEASON_DAYS))


def citation_of(kb: KnowledgeBase, cite: str) -> Citation | None:
    reference = kb.laws.find_reference(cite)
    if reference is None:
        return None
    return Citation(reference.law_key, reference.label)


def check_quiz(kb: KnowledgeBase, quiz: Quiz, campaigns: set[str] | None = None) -> list[str]:
    """Problems with one quiz, in words staff can act on."""
    where = f"{quiz.source or '答题'}: {quiz.id or '新题库'}"
    problems = []
    if not _ID.match(quiz.id):
        problems.append(f"{where}：编号只能用小写字母、数字和连字符")
    if not quiz.name.endswith("答题") or len(quiz.name) > 12:
        problems.append(f"{where}：名称要以“答题”结尾、不超过 12 个字，如“宪法答题”")
    if quiz.campaign and campaigns is not None and quiz.campaign not in campaigns:
        problems.append(f"{where}：没有这个宣传活动“{quiz.campaign}”（见 campaigns.yaml）")
    if len(quiz.questions) < MIN_QUESTIONS:
        problems.append(f"{where}：至少要有 {MIN_QUESTIONS} 道题，现在 {len(quiz.questions)} 道")
    ids = Counter(q.id for q in quiz.questions)
    problems += [f"{where}：题目编号重复：{i}" for i, n in ids.items() if n > 1]
    for q in quiz.questions:
        problems += [f"{where} {q.id or '?'}：{p}" for p in _question_problems(kb, q)]
    return problems


def _question_problems(kb: KnowledgeBase, q: Question) -> list[str]:
    problems = []
    if not _ID.match(q.id):
        problems.append("题目编号只能用小写字母、数字和连字符")
    if not q.text:
        problems.append("题目不能为空")
    if not 3 <= len(q.options) <= len(LETTERS) or not all(q.options):
        problems.append(f"要有 3–4 个不为空的选项，现在 {len(q.options)} 个")
    if q.answer not in LETTERS[: len(q.options)]:
        problems.append(f"答案“{q.answer}”不在选项 {LETTERS[: len(q.options)]} 里")
    if not q.explain or len(q.explain) > MAX_EXPLAIN:
        problems.append(f"解释要写，且不超过 {MAX_EXPLAIN} 字")
    citation = citation_of(kb, q.cite) if q.cite else None
    if citation is None:
        problems.append(f"依据“{q.cite}”看不懂，格式如“宪法第三十三条”")
    else:
        problems += check_citation(kb, citation, f"依据“{q.cite}”")
    return problems


def check_quizzes(kb: KnowledgeBase, quizzes: Iterable[Quiz]) -> list[str]:
    quizzes = list(quizzes)
    campaigns = campaign_names()
    problems = [p for quiz in quizzes for p in check_quiz(kb, quiz, campaigns)]
    for label, values in (("编号", [q.id for q in quizzes]), ("名称", [q.name for q in quizzes])):
        problems += [f"题库{label}重复：{v}" for v, n in Counter(values).items() if n > 1]
    return problems
