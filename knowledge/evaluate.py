"""Measuring answer quality on labelled questions (`pufa eval`)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import KnowledgeError
from .matcher import Matcher

NOT_ANSWERED = {"fallback", "article", "empty", "greeting", "thanks"}
WITH_A_LAW = {"answered", "article"}  # out of scope, either is a false answer
# What the resident meets on the first reply to an in-scope question.
FIRST_REPLY = ("direct_right", "direct_wrong", "menu_right", "menu_wrong", "law_text", "fallback")


@dataclass(frozen=True)
class Labelled:
    id: str
    question: str
    expected: frozenset[str]  # empty means out of scope ("none")
    gap: bool = False  # in scope, but no entry answers it


@dataclass
class Evaluation:
    in_scope: int = 0
    out_of_scope: int = 0
    top1: int = 0
    top3: int = 0
    fallback: int = 0
    false_answer: int = 0
    gaps: Counter[str] = field(default_factory=Counter)  # what gap questions were told
    first_reply: Counter[str] = field(default_factory=Counter)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        def rate(n: int, d: int) -> float:
            return round(n / d, 4) if d else 0.0

        first = {kind: rate(self.first_reply[kind], self.in_scope) for kind in FIRST_REPLY}
        direct = self.first_reply["direct_right"] + self.first_reply["direct_wrong"]
        return {
            "in_scope": self.in_scope,
            "out_of_scope": self.out_of_scope,
            "first_reply": first,
            "solved_first_turn": rate(
                self.first_reply["direct_right"] + self.first_reply["menu_right"], self.in_scope
            ),
            "direct_rate": rate(direct, self.in_scope),
            "direct_precision": rate(self.first_reply["direct_right"], direct),
            "top1": rate(self.top1, self.in_scope),
            "top3": rate(self.top3, self.in_scope),
            "fallback_rate_in_scope": rate(self.fallback, self.in_scope),
            "false_answer_rate_out_of_scope": rate(self.false_answer, self.out_of_scope),
            "gaps": sum(self.gaps.values()),
            "gap_rate": rate(sum(self.gaps.values()), self.in_scope + sum(self.gaps.values())),
            "gap_replies": dict(self.gaps),
            "worst_confusions": [
                {"expected": e, "got": g, "count": n}
                for (e, g), n in self.confusions.most_common(5)
            ],
        }


def read_labelled(path: Path) -> list[Labelled]:
    items: list[Labelled] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            expected = raw["expected"]
            ids = (
                []
                if expected == "none"
                else [expected]
                if isinstance(expected, str)
                else list(expected)
            )
            gap = bool(raw.get("gap")) and not ids
            items.append(Labelled(str(raw["id"]), str(raw["question"]), frozenset(ids), gap))
        except (ValueError, KeyError, TypeError) as exc:
            raise KnowledgeError(
                f"{path.name} line {number}: need id, question, expected ({exc})"
            ) from exc
    return items


def evaluate(matcher: Matcher, items: Iterable[Labelled]) -> Evaluation:
    result = Evaluation()
    for item in items:
        outcome = matcher.match(item.question)
        ranked = [m.entry_id for m in outcome.matches]
        answered = outcome.outcome not in NOT_ANSWERED
        if not item.expected:
            result.out_of_scope += 1
            if item.gap:
                result.gaps[outcome.outcome] += 1
            if outcome.outcome in WITH_A_LAW:
                result.false_answer += 1
                got = ranked[0] if outcome.outcome == "answered" else "law_text"
                result.confusions[("none", got)] += 1
                result.misses.append({"id": item.id, "question": item.question, "got": [got]})
            continue
        result.in_scope += 1
        result.first_reply[first_reply_kind(matcher, outcome, item.expected)] += 1
        if not answered:
            result.fallback += 1
        hit1 = answered and bool(ranked) and ranked[0] in item.expected
        hit3 = answered and bool(set(ranked[:3]) & item.expected)
        result.top1 += hit1
        result.top3 += hit3
        if not hit1:
            got = ranked[0] if answered and ranked else outcome.outcome
            result.confusions[(sorted(item.expected)[0], got)] += 1
            result.misses.append(
                {
                    "id": item.id,
                    "question": item.question,
                    "expected": sorted(item.expected),
                    "outcome": outcome.outcome,
                    "got": ranked[:3],
                    "score": outcome.best.score if outcome.best else None,
                }
            )
    return result


def first_reply_kind(matcher: Matcher, outcome: Any, expected: frozenset[str]) -> str:
    """A menu is not an answer: the resident has to write again, so it counts apart."""
    if outcome.outcome == "answered" and outcome.best:
        return "direct_right" if outcome.best.entry_id in expected else "direct_wrong"
    if outcome.outcome == "choices":
        offered = {m.entry_id for m in matcher.choices(outcome)}
        return "menu_right" if offered & expected else "menu_wrong"
    return "law_text" if outcome.outcome == "article" else "fallback"


def evaluate_baseline(baseline: Any, items: Iterable[Labelled]) -> dict[str, float]:
    """Top-1 and top-3 of a ranker that always answers (out-of-scope items are skipped)."""
    scored = [(item, baseline.ranked(item.question)) for item in items if item.expected]
    total = len(scored) or 1
    return {
        "top1": round(sum(1 for item, r in scored if r[:1] and r[0] in item.expected) / total, 4),
        "top3": round(sum(1 for item, r in scored if set(r[:3]) & item.expected) / total, 4),
    }
