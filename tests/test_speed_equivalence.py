"""The shortcuts that make matching fast change no answer: with each one switched back to the
plain computation it replaced, every labelled and blind question gets the same outcome, the
same entries in the same order with the same scores, and the same confidence.

Switched back: partial_ratio for every paraphrase of every candidate (not only those whose
bound can still win), rapidfuzz on the texts themselves (not in the message's own alphabet),
lazy_pinyin on the whole text (not per pypinyin segment, cached), every window of the text
looked up as a homophone (not only those that open like an index term), and jieba on every
clause (not remembered). Rounding at numpy speed is checked against Python's
round on its own."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from bot.settings import load_settings
from knowledge import scoring, tokenize
from knowledge.kb import KnowledgeBase
from knowledge.matcher import Matcher
from knowledge.normalize import normalize
from knowledge.results import MatchResult
from knowledge.scoring import Scorer, round4

DATA = Path(__file__).parent / "data"
FILES = [
    *sorted((DATA / "golden").glob("*.jsonl")),
    *sorted(DATA.glob("dev_labels_*.jsonl")),
    *sorted((DATA / "blind").glob("questions*.jsonl")),
]


def _questions() -> list[str]:
    lines = [line for path in FILES for line in path.read_text("utf-8").splitlines()]
    return list(dict.fromkeys(json.loads(line)["question"] for line in lines if line.strip()))


def plain_syllables(text: str) -> list[str]:
    syllables = lazy_pinyin(text)
    for pattern, repl in tokenize._FUZZY_SOUNDS:
        syllables = [pattern.sub(repl, s) for s in syllables]
    return syllables


def plain_choose(self, texts, lengths, sizes, owner, norm_query, doc_precision, whole):  # type: ignore[no-untyped-def]
    if not texts:
        return [(-1, 0.0)] * len(sizes)
    part = cdist(texts, [norm_query], scorer=fuzz.partial_ratio, dtype=np.float64)[:, 0]
    has_text = np.array([len(t) > 0 for t in texts])
    similarity = np.where(has_text, np.maximum(whole, 0.85 * part), 0) / 100
    total = (doc_precision + similarity).tolist()
    picks, start = [], 0
    for size in sizes.tolist():
        top = max(total[start : start + size])
        pick = total.index(top, start) if top > 0 else -1
        picks.append((pick, float(similarity[pick]) if pick >= 0 else 0.0))
        start += size
    return picks


def plain_clause_tokens(self, clause):  # type: ignore[no-untyped-def]
    cut = self._jieba.lcut(normalize(clause), HMM=True)
    return [
        t
        for i, t in enumerate(cut)
        if (tokenize._is_content(t) or t in self.legal_terms)
        and not tokenize._inside_number(cut, i)
    ]


def plain_homophone_terms(self, text, known):  # type: ignore[no-untyped-def]
    hits = []
    for run in tokenize._CJK_RUN.findall(normalize(text)[:300]):
        syllables = tokenize.fuzzy_syllables(run)
        for size in range(3, 7):
            for start in range(len(run) - size + 1):
                term = self._homophones.get(" ".join(syllables[start : start + size]))
                said = run[start : start + size]
                if (
                    term
                    and term not in known
                    and term not in run
                    and said not in tokenize.STOPWORDS
                ):
                    hits.append(term)
    return list(dict.fromkeys(hits))


def _outcome(result: MatchResult) -> tuple[object, ...]:
    ranked = tuple((m.entry_id, m.score, m.matched_terms, m.question) for m in result.matches)
    return result.outcome, ranked, result.confidence, tuple(map(str, result.articles))


def test_questions_cover_every_set() -> None:
    assert len(FILES) >= 30
    assert len(_questions()) > 2000


def test_pinyin_by_segment_equals_lazy_pinyin(kb: KnowledgeBase) -> None:
    texts = [*_questions(), *(q for e in kb.entries for q in (e.title, *e.questions))]
    texts += [*kb.dictionary, *(k for e in kb.entries for k in e.keywords)]
    for text in texts:
        for run in [text, *tokenize._CJK_RUN.findall(normalize(text))]:
            assert tokenize.fuzzy_syllables(run) == plain_syllables(run), run


def test_rounding_at_numpy_speed_is_pythons() -> None:
    halves = (np.arange(200_000) + 0.5) / 10000  # where the two could part: v·10⁴ near a half
    values = np.concatenate(
        [
            np.random.default_rng(13).random(300_000) * 60 - 1,
            halves,
            np.nextafter(halves, 0),
            np.nextafter(halves, 1),
            [0.0, 1.0, 0.99995, 0.00005, 1e-9, -0.00005],
        ]
    )
    assert round4(values) == [round(v, 4) for v in values.tolist()]


def test_every_question_is_matched_as_before(matcher: Matcher, kb: KnowledgeBase) -> None:
    questions = _questions()
    fast = [_outcome(matcher.match(q)) for q in questions]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tokenize, "fuzzy_syllables", plain_syllables)
        patch.setattr(Scorer, "_choose", plain_choose)
        patch.setattr(scoring, "recode", lambda message, texts: (message, texts))
        patch.setattr(tokenize.LegalTokenizer, "_clause_tokens", plain_clause_tokens)
        patch.setattr(tokenize.LegalTokenizer, "homophone_terms", plain_homophone_terms)
        tokenize.pinyin_key.cache_clear()
        try:
            reference = Matcher(kb, load_settings().matching.engine())
            slow = [_outcome(reference.match(q)) for q in questions]
        finally:
            tokenize.pinyin_key.cache_clear()
    changed = [q for q, a, b in zip(questions, fast, slow, strict=True) if a != b]
    assert not changed, (len(changed), changed[:5])
