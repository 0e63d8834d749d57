"""The per-candidate Python scorer the matcher used before it scored with sparse matrices,
over the per-paraphrase sets and dictionaries the index was once made of (rebuilt here in the
plain way), kept only to show that the vectorised one gives the same matches."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from knowledge.index import bigrams
from knowledge.normalize import normalize
from knowledge.results import Match
from knowledge.scoring import ANSWER_CREDIT, HOMOPHONE_CREDIT, PARTIAL_SIMILARITY, SCORE_WEIGHTS
from knowledge.tokenize import pinyin_key


@dataclass(frozen=True)
class _Doc:
    entry: int
    text: str
    terms: frozenset[str]


@dataclass
class PlainIndex:
    _entries: list[Any]
    _docs: list[_Doc]
    _idf: dict[str, float]
    _idf_unknown: float
    _entry_terms: list[frozenset[str]]
    _answer_terms: list[frozenset[str]]
    _entry_bigrams: list[frozenset[str]]
    _bigram_idf: dict[str, float]


@lru_cache(maxsize=2)
def plain_index(matcher: Any) -> PlainIndex:
    """The old index, from the knowledge base and the matcher's tokenizer."""
    tokens = matcher.tokenizer.tokens
    entries = list(matcher.kb.entries)
    docs = []
    for index, entry in enumerate(entries):
        for text in (entry.title, *entry.questions):
            docs.append(_Doc(index, normalize(text), frozenset(tokens(text))))
        keywords = [normalize(k) for k in entry.keywords] + tokens(" ".join(entry.keywords))
        docs.append(_Doc(index, "", frozenset(keywords)))
    df = Counter(t for d in docs for t in d.terms)
    total = max(len(docs), 1)
    idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in df.items()}
    entry_terms: list[frozenset[str]] = [frozenset() for _ in entries]
    for d in docs:
        entry_terms[d.entry] |= d.terms
    answers = [
        frozenset(tokens(f"{e.answer} {e.next_steps}")) - entry_terms[i]
        for i, e in enumerate(entries)
    ]
    grams = []
    for i, e in enumerate(entries):
        texts = [e.title, *e.questions, *e.keywords, *entry_terms[i]]
        grams.append(frozenset(b for t in texts for b in bigrams(normalize(t))))
    gram_df = Counter(b for g in grams for b in g)
    n = max(len(entries), 1)
    gram_idf = {b: math.log(1 + (n - k + 0.5) / (k + 0.5)) for b, k in gram_df.items()}
    unknown = math.log(1 + (total + 0.5) / 0.5)
    return PlainIndex(entries, docs, idf, unknown, entry_terms, answers, grams, gram_idf)


def reference_score(
    matcher: Any,
    entry_index: int,
    bm: float,
    norm_query: str,
    weights: dict[str, float],
    query_bigrams: set[str],
) -> Match:
    m = plain_index(matcher)
    vocabulary = m._entry_terms[entry_index]
    sounds = {pinyin_key(t) for t in vocabulary if len(t) >= 2}
    credit: dict[str, float] = {}
    for term, weight in weights.items():
        if term in vocabulary:
            credit[term] = weight
        elif len(term) >= 2 and pinyin_key(term) in sounds:
            credit[term] = HOMOPHONE_CREDIT * weight
        elif term in m._answer_terms[entry_index]:
            credit[term] = ANSWER_CREDIT * weight
    coverage = sum(credit.values()) / (sum(weights.values()) or 1.0)
    precision, similarity, question = 0.0, 0.0, ""
    for doc in (d for d in m._docs if d.entry == entry_index):
        doc_weight = sum(m._idf.get(t, 0.0) for t in doc.terms) or 1.0
        doc_precision = sum(m._idf.get(t, 0.0) for t in doc.terms if t in credit) / doc_weight
        doc_similarity = 0.0
        if doc.text:
            doc_similarity = (
                max(
                    fuzz.ratio(norm_query, doc.text),
                    PARTIAL_SIMILARITY * fuzz.partial_ratio(doc.text, norm_query),
                )
                / 100
            )
        if doc_precision + doc_similarity > precision + similarity:
            precision, similarity, question = doc_precision, doc_similarity, doc.text
    bigram_weight = sum(m._bigram_idf.get(b, m._idf_unknown) for b in query_bigrams) or 1.0
    entry_bigrams = m._entry_bigrams[entry_index]
    char_coverage = (
        sum(m._bigram_idf[b] for b in query_bigrams if b in entry_bigrams) / bigram_weight
    )
    w = SCORE_WEIGHTS
    score = w[0] * coverage + w[1] * char_coverage + w[2] * precision + w[3] * similarity
    return Match(
        entry_id=m._entries[entry_index].id,
        score=round(min(score, 1.0), 4),
        matched_terms=tuple(sorted(credit, key=lambda t: -credit[t])),
        question=question,
        coverage=round(coverage, 4),
        char_coverage=round(char_coverage, 4),
        precision=round(precision, 4),
        similarity=round(similarity, 4),
        bm25=round(bm, 4),
    )
