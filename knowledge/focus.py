"""The point of a long message: the ask ("会判多久", "起诉离婚应该怎么做") weighs more than
the story told before it ("我结婚6年多", "我是租房的"); in a message that announces two problems
and numbers them ("两个事 一是…二是…"), the first is the one answered, and the other is left
for the related titles."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

ASK_MARKERS = re.compile(
    r"怎么|怎样|咋|啷个|哪门|如何|吗|能否|能不能|可不可以|可以不|会不会|要不要|该不该|"
    r"应该|应当|多久|多少|几年|几个月|哪个|哪里|哪儿|去哪|找谁|找哪|算不算|是不是|有没有|"
    r"合法|违法|犯法|犯罪吗|管不管|咋办|么办|\?|？"
)
_CLAUSES = re.compile(r"[\s,.!;:，。！；：、…~]+")
TWO_PROBLEMS = re.compile(r"两个事|两件事|两个问题|问两个|两个方面|几个问题|问几个")
# The first of the numbered problems, up to where the next one starts.
NUMBERED = re.compile(
    r"(?:一是|一个是|一个|第一个?|1[、.，,])(.+?)"
    r"(?:二是|另一个是|另一个|另外一个|另外|第二个?|还有一个|还有个|2[、.，,])"
)
ASK_WEIGHT = 1.3
STORY_WEIGHT = 0.8
SECOND_PROBLEM_WEIGHT = 0.5
# Shorter messages are all ask; an unpunctuated message takes this much before its question word.
MIN_LENGTH = 24
LEAD_IN = 12


def ask_part(text: str) -> str | None:
    """The words that carry the question, or None when the whole message does."""
    text = text.strip()
    if len(text) < MIN_LENGTH:
        return None
    clauses = [c for c in _CLAUSES.split(text) if c]
    asks = [c for c in clauses if ASK_MARKERS.search(c)]
    if len(clauses) > 1 and asks and len(asks) < len(clauses):
        return " ".join(asks)
    starts = [m.start() for m in ASK_MARKERS.finditer(text)]
    if not starts or starts[-1] < LEAD_IN:
        return None
    return text[starts[-1] - LEAD_IN :]


def main_problem(text: str) -> str | None:
    """The first problem of a message that announces two and numbers them, else None."""
    if not TWO_PROBLEMS.search(text) or not (found := NUMBERED.search(text)):
        return None
    return found.group(1)


def focus(text: str, terms: Iterable[str], tokens: Callable[[str], list[str]]) -> dict[str, float]:
    """A factor for each of `terms`, the words of `text`: the ask's words count more, the
    background's less; in a two-problem message, the first problem's words count more and the
    other's less. Only the ask, or the first problem, is segmented again."""
    if (main := main_problem(text)) is not None:
        first = set(tokens(main))
        return {t: ASK_WEIGHT if t in first else SECOND_PROBLEM_WEIGHT for t in terms}
    ask = ask_part(text)
    if ask is None:
        return {}
    asked = set(tokens(ask))
    return {t: ASK_WEIGHT if t in asked else STORY_WEIGHT for t in terms}
