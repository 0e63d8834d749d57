"""The matching engine: BM25 retrieval over paraphrases, then calibrated re-ranking."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
from rapidfuzz import fuzz

from .chitchat import ChitChat
from .kb import Entry, KnowledgeBase
from .normalize import normalize
from .tokenize import LegalTokenizer


@dataclass(frozen=True)
class MatchSettings:
    answer_threshold: float = 0.62
    choice_threshold: float = 0.40
    margin: float = 0.06
    max_choices: int = 3
    candidates: int = 30


@dataclass(frozen=True)
class Match:
    entry_id: str
    score: float  # calibrated 0..1
    matched_terms: tuple[str, ...]
    question: str  # the paraphrase that matched best
    coverage: float  # share of the question's weight this entry explains
    similarity: float  # rapidfuzz similarity to that paraphrase, 0..1
    bm25: float


@dataclass(frozen=True)
class MatchResult:
    """What the engine decided for one message; `outcome` drives the reply."""

    outcome: str  # answer | choices | fallback | greeting | thanks | empty
    matches: tuple[Match, ...]
    terms: tuple[str, ...]
    crisis: tuple[str, ...] = ()

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


@dataclass(frozen=True)
class _Doc:
    entry: int
    text: str  # normalised paraphrase
    terms: frozenset[str]


class Matcher:
    def __init__(self, kb: KnowledgeBase, settings: MatchSettings | None = None) -> None:
        self.kb = kb
        self.settings = settings or MatchSettings()
        self.chitchat = ChitChat.load()
        vocabulary = [*kb.dictionary, *(k for e in kb.entries for k in e.keywords)]
        self.tokenizer = LegalTokenizer(vocabulary, kb.synonyms)
        self._entries: list[Entry] = list(kb.entries)
        self._docs: list[_Doc] = []
        corpus: list[list[str]] = []
        for index, entry in enumerate(self._entries):
            for text in (entry.title, *entry.questions):
                terms = self.tokenizer.tokens(text)
                self._docs.append(_Doc(index, normalize(text), frozenset(terms)))
                corpus.append(terms or [""])
            keywords = [normalize(k) for k in entry.keywords] + self.tokenizer.tokens(" ".join(entry.keywords))
            self._docs.append(_Doc(index, "", frozenset(keywords)))
            corpus.append(keywords or [""])
        df = Counter(term for doc in self._docs for term in doc.terms)
        total = max(len(self._docs), 1)
        self._idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        self._idf_unknown = math.log(1 + (total + 0.5) / 0.5)
        self._doc_entry = np.array([d.entry for d in self._docs], dtype=np.int64)
        self._bm25 = bm25s.BM25()
        if corpus:
            self._bm25.index(corpus, show_progress=False)
        self.tokenizer.learn_vocabulary(t for t in df if len(t) >= 3)

    def match(self, query: str) -> MatchResult:
        crisis = self.chitchat.crisis(query)
        small_talk = self.chitchat.classify(query, self.tokenizer)
        if small_talk and not crisis:
            return MatchResult(small_talk, (), ())
        terms = list(dict.fromkeys(self.tokenizer.tokens(query)))
        known = {t for t in terms if t in self._idf}
        extra = self.tokenizer.homophone_terms(query, known)
        if not terms and not extra:
            return MatchResult("empty", (), (), crisis)
        ranked = self._rank(query, terms, extra)
        return MatchResult(self._decide(ranked), tuple(ranked), tuple(terms + extra), crisis)

    def explain_terms(self, query: str) -> list[str]:
        return list(dict.fromkeys(self.tokenizer.tokens(query)))

    def _rank(self, query: str, terms: list[str], extra: list[str]) -> list[Match]:
        query_terms = [t for t in terms + extra if t in self._bm25.vocab_dict]
        if not query_terms:
            return []
        scores = self._bm25.get_scores(query_terms)
        k = min(len(scores), self.settings.candidates * 4)
        top_docs = np.argpartition(-scores, k - 1)[:k]
        by_entry: dict[int, float] = {}
        for doc in top_docs:
            if scores[doc] <= 0:
                continue
            entry = int(self._doc_entry[doc])
            by_entry[entry] = max(by_entry.get(entry, 0.0), float(scores[doc]))
        best = sorted(by_entry.items(), key=lambda item: -item[1])[: self.settings.candidates]
        norm_query = normalize(query)
        weights = {t: self._idf.get(t, self._idf_unknown) for t in terms}
        weights.update({t: 0.5 * self._idf.get(t, self._idf_unknown) for t in extra})
        matches = [self._score(entry, bm, norm_query, weights) for entry, bm in best]
        matches.sort(key=lambda m: -m.score)
        return matches

    def _score(self, entry_index: int, bm: float, norm_query: str, weights: dict[str, float]) -> Match:
        entry = self._entries[entry_index]
        query_weight = sum(weights.values()) or 1.0
        best: tuple[float, float, float, str, frozenset[str]] = (0.0, 0.0, 0.0, "", frozenset())
        for doc in self._docs_of(entry_index):
            matched = doc.terms & weights.keys()
            coverage = sum(weights[t] for t in matched) / query_weight
            doc_weight = sum(self._idf.get(t, 0.0) for t in doc.terms) or 1.0
            precision = sum(self._idf.get(t, 0.0) for t in matched) / doc_weight
            similarity = 0.0
            if doc.text:
                similarity = max(fuzz.ratio(norm_query, doc.text), 0.85 * fuzz.partial_ratio(doc.text, norm_query)) / 100
            score = 0.45 * coverage + 0.25 * precision + 0.30 * similarity
            if score > best[0]:
                best = (score, coverage, similarity, doc.text, matched)
        score, coverage, similarity, text, matched = best
        return Match(
            entry_id=entry.id,
            score=round(min(score, 1.0), 4),
            matched_terms=tuple(sorted(matched, key=lambda t: -weights[t])),
            question=text,
            coverage=round(coverage, 4),
            similarity=round(similarity, 4),
            bm25=round(bm, 4),
        )

    def _docs_of(self, entry_index: int) -> Sequence[_Doc]:
        start = int(np.searchsorted(self._doc_entry, entry_index, side="left"))
        end = int(np.searchsorted(self._doc_entry, entry_index, side="right"))
        return self._docs[start:end]

    def _decide(self, ranked: list[Match]) -> str:
        s = self.settings
        if not ranked or ranked[0].score < s.choice_threshold:
            return "fallback"
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if ranked[0].score >= s.answer_threshold and ranked[0].score - runner_up >= s.margin:
            return "answer"
        return "choices"

    def choices(self, result: MatchResult) -> list[Match]:
        floor = self.settings.choice_threshold * 0.8
        return [m for m in result.matches if m.score >= floor][: self.settings.max_choices]
