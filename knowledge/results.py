"""What the matching engine decides for one message, and the settings that steer it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .laws import Article


@dataclass(frozen=True)
class MatchSettings:
    answer_threshold: float = 0.25  # no direct answer below this score, however confident
    choice_threshold: float = 0.13
    answer_confidence: float = 0.0  # 0: the fitted operating point
    # a fourth line holds the right entry for 3 % more fresh questions (docs/evaluation.md)
    max_choices: int = 4
    candidates: int = 30


class Match(NamedTuple):  # a tuple: made about forty times a message, five times faster
    entry_id: str
    score: float  # calibrated 0..1
    matched_terms: tuple[str, ...]
    question: str  # the paraphrase that matched best
    coverage: float  # share of the question's word weight this entry explains
    char_coverage: float  # the same for character pairs
    precision: float  # share of the best paraphrase's weight found in the question
    similarity: float  # rapidfuzz similarity to that paraphrase, 0..1
    bm25: float


@dataclass(frozen=True)
class MatchResult:
    """What the engine decided for one message; `outcome` drives the reply."""

    outcome: str  # answered | choices | article | fallback | greeting | thanks | empty
    matches: tuple[Match, ...]
    terms: tuple[str, ...]
    crisis: tuple[str, ...] = ()
    confidence: float = 0.0  # calibrated probability that the top entry is right
    evidence: dict[str, float] = field(default_factory=dict)
    articles: tuple[Article, ...] = ()  # the law's own words, when no entry fits

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None
