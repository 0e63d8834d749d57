"""The index's own BM25 is bm25s's, bit for bit, and tokenising in worker processes gives the
tokens one process gives."""

from __future__ import annotations

import itertools
import pickle
from collections import Counter

import bm25s
import numpy as np
import pytest

from knowledge.index import bigrams as pairs_of
from knowledge.matcher import Matcher
from knowledge.normalize import normalize
from knowledge.pair_index import PairIndex
from knowledge.sparse import Columns
from knowledge.textwork import TextWork

from .reference_scorer import plain_index


def _corpus(matcher: Matcher) -> list[list[str]]:
    tokens = matcher.tokenizer.tokens
    corpus = []
    for entry in matcher.kb.entries:
        corpus += [tokens(text) or [""] for text in (entry.title, *entry.questions)]
        keywords = [normalize(k) for k in entry.keywords] + tokens(" ".join(entry.keywords))
        corpus.append(keywords or [""])
    return corpus


def _same_columns(ours: Columns, theirs: bm25s.BM25, ids: dict[str, int]) -> None:
    data, indices, indptr = (theirs.scores[k] for k in ("data", "indices", "indptr"))
    for token, col in theirs.vocab_dict.items():
        if token == "":
            continue
        a, b = indptr[col], indptr[col + 1]
        order = np.argsort(indices[a:b])
        mine = ids[token]
        c, d = ours.indptr[mine], ours.indptr[mine + 1]
        assert ours.indices[c:d].tolist() == indices[a:b][order].tolist(), token
        assert ours.data[c:d].tobytes() == data[a:b][order].tobytes(), token


def test_paraphrase_bm25_is_bm25s_to_the_bit(matcher: Matcher) -> None:
    theirs = bm25s.BM25()
    theirs.index(_corpus(matcher), show_progress=False)
    ix = matcher._index
    _same_columns(ix.docs, theirs, ix.term_id)
    for words in (
        ["离婚", "离婚冷静期"],
        ["工钱", "老板", "多久", "欠薪"],
        ["宅基地", "邻居", "占"],
    ):
        ids = [ix.term_id[w] for w in words]
        assert ix.docs.accumulate(ids).tobytes() == theirs.get_scores(words).tobytes()


def test_pair_bm25_is_bm25s_to_the_bit(matcher: Matcher) -> None:
    plain = plain_index(matcher)
    theirs = bm25s.BM25()
    theirs.index([sorted(g) or [""] for g in plain._entry_bigrams], show_progress=False)
    ix = matcher._index
    _same_columns(ix.pair_bm25, theirs, ix.pair_id)
    assert ix.pair_idf.tolist() == [plain._bigram_idf[p] for p in ix.pairs]


def test_entry_bm25_is_bm25s_to_the_bit(matcher: Matcher) -> None:
    by_entry: list[list[str]] = [[] for _ in matcher.kb.entries]
    entry_of = [i for i, e in enumerate(matcher.kb.entries) for _ in range(len(e.questions) + 2)]
    for i, terms in zip(entry_of, _corpus(matcher), strict=True):
        by_entry[i] += [t for t in terms if t]
    theirs = bm25s.BM25()
    theirs.index([terms or [""] for terms in by_entry], show_progress=False)
    ix = matcher._index
    rows = np.arange(len(by_entry))
    for words in (
        ["离婚", "离婚冷静期"],
        ["工钱", "老板", "多久", "欠薪"],
        ["宅基地", "邻居", "占"],
    ):
        block = ix.entries.gather(rows, [ix.term_id[w] for w in words])
        total = np.zeros(len(rows), dtype=np.float32)
        for j in range(len(words)):
            total += block[:, j]
        assert total.tobytes() == theirs.get_scores(words).tobytes()


def test_article_pair_bm25_is_bm25s_to_the_bit(matcher: Matcher) -> None:
    articles = matcher.articles._articles
    texts = [a.text for a in articles[:2000]] + ["法", "约定"]  # a one-character text too
    theirs = bm25s.BM25()
    theirs.index([pairs_of(t) for t in texts], show_progress=False)
    ours = PairIndex(texts)
    for words in (["离婚", "财产"], ["拾得", "遗失物", "拾得"], ["工资", "劳动者", "法"]):
        wanted = [p for w in words for p in pairs_of(w) if p in theirs.vocab_dict]
        found = ours.scores(ours.ids([p for w in words for p in pairs_of(w)]))
        assert found.tobytes() == theirs.get_scores(wanted).tobytes(), words
    document_frequency = Counter(p for t in texts for p in set(pairs_of(t)))
    for pair in ("离婚", "拾得", "约定", "法", "氪金"):
        assert ours.frequency(pair) == document_frequency[pair]
    laws = matcher.articles
    for word in ("离婚", "氪金", "遗失物", "宅基地使用权", "天气预报", "冷静期", "网络游戏充值"):
        assert laws._holds(word) == (word in laws._corpus), word


def test_word_idf_is_the_plain_one(matcher: Matcher) -> None:
    plain = plain_index(matcher)
    ix = matcher._index
    known = {t for t, k in zip(ix.terms, ix.known.tolist(), strict=True) if k}
    assert known == set(plain._idf)
    assert all(ix.idf[ix.term_id[t]] == v for t, v in plain._idf.items())


def test_workers_tokenise_as_one_process(matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [q for e in matcher.kb.entries[:120] for q in (e.title, *e.questions, e.answer)]
    alone = TextWork(matcher.tokenizer).tokens(texts, normalised=len(texts))
    monkeypatch.setenv("PUFA_BUILD_WORKERS", "2")
    together = TextWork(matcher.tokenizer).tokens(texts, normalised=len(texts))
    expected = [matcher.tokenizer.tokens(text) for text in texts]
    for found in (alone, together):
        assert [found.of_text(i) for i in found.of.tolist()] == expected
        normal = [found.normal[a:b] for a, b in itertools.pairwise(found.normal_ptr.tolist())]
        assert [normal[i] for i in found.of.tolist()] == [normalize(text) for text in texts]


def test_a_pickled_index_keeps_the_pair_rows_once(matcher: Matcher) -> None:
    ix = matcher._index
    again = pickle.loads(pickle.dumps(ix, protocol=pickle.HIGHEST_PROTOCOL))
    assert np.shares_memory(again.pair_bm25.indices, again.cell_columns.indices)
    assert again.pair_bm25.indices.tolist() == ix.pair_bm25.indices.tolist()
    assert (
        again.pair_bm25.accumulate([0, 5, 9]).tobytes()
        == ix.pair_bm25.accumulate([0, 5, 9]).tobytes()
    )
