"""The per-candidate Python scorer the matcher used before it scored with sparse matrices,
kept only to show that the vectorised one gives the same matches."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz

from knowledge.results import Match
from knowledge.scoring import ANSWER_CREDIT, HOMOPHONE_CREDIT, PARTIAL_SIMILARITY, SCORE_WEIGHTS
from knowledge.tokenize import pinyin_key


def reference_score(
    matcher: Any,
    entry_index: int,
    bm: float,
    norm_query: str,
    weights: dict[str, float],
    query_bigrams: set[str],
) -> Match:
    m = matcher
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
