"""The vectorised scorer gives the matches the per-candidate loop gave, on every labelled set."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.evaluate import read_labelled
from knowledge.matcher import Matcher

from .reference_scorer import reference_score

DATA = Path(__file__).parent / "data"
SETS = {
    "golden": sorted((DATA / "golden").glob("*.jsonl")),
    "dev": sorted(DATA.glob("dev_labels_*.jsonl")),
    "blind": sorted((DATA / "blind").glob("labels*.jsonl")),
}


@pytest.mark.parametrize("name", list(SETS))
def test_vectorised_scores_equal_the_loop(matcher: Matcher, name: str, monkeypatch) -> None:
    seen: list[tuple] = []
    real = matcher._scorer.score

    def both(candidates, norm_query, weights, query_bigrams):  # type: ignore[no-untyped-def]
        fast = real(candidates, norm_query, weights, query_bigrams)
        slow = [
            reference_score(matcher, e, bm, norm_query, weights, query_bigrams)
            for e, bm in candidates
        ]
        seen.append((norm_query, list(fast), slow))  # the matcher sorts its list in place
        return fast

    monkeypatch.setattr(matcher._scorer, "score", both)
    questions = [item.question for path in SETS[name] for item in read_labelled(path)]
    for question in questions[:: 3 if name == "golden" else 2]:
        matcher.match(question)
    assert len(seen) > 100
    for query, fast, slow in seen:
        for a, b in zip(fast, slow, strict=True):
            assert a.entry_id == b.entry_id
            assert abs(a.score - b.score) <= 1e-4, (query, a, b)
            assert a.matched_terms == b.matched_terms, (query, a, b)
            assert a.question == b.question, (query, a, b)
