"""The matcher's index, in integer ids: one sorted vocabulary of words, one of character pairs
and one of pinyin keys, and sparse columns over them. No Python object per paraphrase is kept.

BM25 is bm25s's default (the Lucene variant, k1 = 1.5, b = 0.75, float32) reproduced to the
bit (tests/test_index.py builds bm25s beside it), so one gather of a message's columns scores
every paraphrase, and the same columns tell which entries hold which word."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence

import numpy as np

from .kb import Entry
from .normalize import normalize
from .sparse import Columns, Rows, bm25, distinct, idf
from .textwork import TextWork


def bigrams(text: str) -> list[str]:
    """Character pairs of a text; a one-character text is its own pair."""
    if len(text) < 2:
        return [text] if text else []
    return [text[i : i + 2] for i in range(len(text) - 1)]


class Index:
    """Everything the matcher and scorer look up, in ids."""

    def __init__(
        self, entries: Sequence[Entry], work: TextWork, sound: Callable[[str], str]
    ) -> None:
        texts = [t for e in entries for t in (e.title, *e.questions)]
        answers = [f"{e.answer} {e.next_steps}" for e in entries]
        keywords = [" ".join(e.keywords) for e in entries]
        found = work.tokens([*texts, *keywords, *answers])
        seen: dict[str, int] = {"": 0}  # words numbered as first met, renumbered sorted below
        words: list[str] = [""]
        pair: dict[str, int] = {}
        word_pairs: list[list[int] | None] = [[]]
        doc = {k: array("i") for k in ("tokens", "entry", "stand_in", "answer_rows", "answer_cols")}
        doc_ptr, offsets, pair_rows, pair_cols = [0], [0], array("i"), array("i")
        doc_texts: list[str] = []
        # The paraphrases' words in the order a Counter over their sets meets them (the order
        # decides which of two words with one pinyin key stands for it).
        met: dict[str, None] = {}

        def ids(terms: Sequence[str]) -> list[int]:
            out = []
            for t in terms:
                i = seen.get(t)
                if i is None:
                    i = seen[t] = len(words)
                    words.append(t)
                    word_pairs.append(None)
                out.append(i)
            return out

        at = 0
        for index, entry in enumerate(entries):
            own: set[int] = set()
            pairs: set[int] = set()
            norm_keywords = [normalize(k) for k in entry.keywords]
            docs = []
            for text in (entry.title, *entry.questions):
                met.update(dict.fromkeys(frozenset(found[texts[at]])))
                docs.append((normalize(text), ids(found[texts[at]])))
                at += 1
            listed = norm_keywords + found[keywords[index]]
            met.update(dict.fromkeys(frozenset(listed)))
            docs.append(("", ids(listed)))
            for text, terms in docs:
                doc["tokens"].extend(terms or [0])
                doc_ptr.append(len(doc["tokens"]))
                doc["entry"].append(index)
                doc["stand_in"].append(0 if terms else 1)
                doc_texts.append(text)
                offsets.append(offsets[-1] + len(text))
                own.update(terms)
                pairs.update(pair.setdefault(p, len(pair)) for p in bigrams(text))
            for text in norm_keywords:
                pairs.update(pair.setdefault(p, len(pair)) for p in bigrams(text))
            for word in own:
                got = word_pairs[word]
                if got is None:
                    got = word_pairs[word] = [
                        pair.setdefault(p, len(pair)) for p in bigrams(words[word])
                    ]
                pairs.update(got)
            pair_rows.extend([index] * len(pairs))
            pair_cols.extend(pairs)
            answer = ids(found[answers[index]])
            doc["answer_rows"].extend([index] * len(answer))
            doc["answer_cols"].extend(answer)
        del found
        word_pairs.clear()
        self.doc_text = "".join(doc_texts)
        self.doc_offsets = np.array(offsets, dtype=np.int64)
        del doc_texts, offsets
        # Words and pairs renumbered in sorted order: a row's words are then summed in the
        # order they always were.
        self.terms, rank = _sorted(seen)
        self.term_id = {t: i for i, t in enumerate(self.terms)}
        self.first_met = [self.term_id[t] for t in met]
        seen.clear()
        words.clear()
        self.pairs, pair_rank = _sorted(pair)
        self.pair_id = {p: i for i, p in enumerate(self.pairs)}
        del pair
        n = len(entries)
        lengths = np.diff(np.array(doc_ptr, dtype=np.int64))
        self._docs(
            rank[_ints(doc["tokens"])], lengths, _ints(doc["entry"]), _ints(doc["stand_in"]), n
        )
        self._answers(_ints(doc["answer_rows"]), rank[_ints(doc["answer_cols"])], n)
        self._sounds(n, sound)
        self._pairs(_ints(pair_rows), pair_rank[_ints(pair_cols)], n)
        self._cells(n)

    def _docs(
        self,
        tokens: np.ndarray,
        lengths: np.ndarray,
        owner: np.ndarray,
        stand_in: np.ndarray,
        n_entries: int,
    ) -> None:
        n_terms, n_docs = len(self.terms), len(lengths)
        rows = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        self.doc_entry = owner.astype(np.int32)
        d_rows, d_cols, d_tf = distinct(rows, tokens, n_terms)
        scores = bm25(d_rows, d_cols, d_tf, lengths, n_terms)
        self.docs = Columns.build(d_rows, d_cols, scores, (n_docs, n_terms))
        self.doc_words = Rows.build(d_rows, d_cols, None, n_docs)
        # The scorer's idf counts a paraphrase's words, not bm25s's [""] for an empty one.
        real = stand_in[d_rows] == 0
        df = np.bincount(d_cols[real], minlength=n_terms)
        self.idf = np.array([idf(d, max(n_docs, 1)) if d else 0.0 for d in df.tolist()])
        self.known = df > 0
        values = self.idf[d_cols[real]]
        starts = np.searchsorted(d_rows[real], np.arange(n_docs))
        weight = np.zeros(n_docs)
        nonempty = np.diff(np.append(starts, len(values))) > 0
        if len(values):
            weight[nonempty] = np.add.reduceat(values, starts[nonempty])
        self.doc_weight = np.where(weight > 0, weight, 1.0)
        self.doc_start = np.searchsorted(owner, np.arange(n_entries), "left")
        self.doc_end = np.searchsorted(owner, np.arange(n_entries), "right")
        # Per entry, its words with how often: BM25 over the entry's paraphrases together.
        kept = (stand_in[rows] == 0) & (tokens != 0)  # bm25s is given them without ""
        e_rows, e_cols, e_tf = distinct(owner[rows[kept]], tokens[kept], n_terms)
        e_len = np.bincount(e_rows, weights=e_tf, minlength=n_entries).astype(np.int64)
        e_len[e_len == 0] = 1  # bm25s's [""] for an entry without words
        self.entry_df = np.bincount(e_cols, minlength=n_terms).astype(np.int32)
        self.entries = Rows.build(
            e_rows, e_cols, bm25(e_rows, e_cols, e_tf, e_len, n_terms), n_entries
        )
        self._own = distinct(owner[rows], tokens, n_terms)[:2]

    def _answers(self, rows: np.ndarray, cols: np.ndarray, n_entries: int) -> None:
        """Words only the entry's answer uses."""
        n_terms = len(self.terms)
        rows, cols, _ = distinct(rows, cols, n_terms)
        own_rows, own_cols = self._own
        shared = np.isin(rows * n_terms + cols, own_rows * n_terms + own_cols)
        rows, cols = rows[~shared], cols[~shared]
        self.answers = Rows.build(rows, cols, None, n_entries)

    def _sounds(self, n_entries: int, sound: Callable[[str], str]) -> None:
        """Pinyin keys of the entries' words of two characters or more."""
        rows, cols = self._own
        del self._own
        used = np.unique(cols).tolist()
        keys = {c: sound(self.terms[c]) for c in used if len(self.terms[c]) >= 2}
        self.sounds_list = sorted(set(keys.values()))
        self.sound_id = {k: i for i, k in enumerate(self.sounds_list)}
        of = np.full(len(self.terms), -1, dtype=np.int64)
        for col, key in keys.items():
            of[col] = self.sound_id[key]
        s = of[cols]
        s_rows, s_cols, _ = distinct(rows[s >= 0], s[s >= 0], max(len(self.sounds_list), 1))
        self.sounds = Rows.build(s_rows, s_cols, None, n_entries)
        # A known word for each pinyin key, for a message that mistypes it: the last met.
        self.pinyin_vocab = {keys[c]: self.terms[c] for c in self.first_met if c in keys}

    def _pairs(self, rows: np.ndarray, cols: np.ndarray, n_entries: int) -> None:
        """Character pairs per entry (of its texts, keywords and words), for BM25 and idf."""
        rows, cols, _ = distinct(rows, cols, len(self.pairs))
        df = np.bincount(cols, minlength=len(self.pairs))
        self.pair_idf = np.array([idf(d, max(n_entries, 1)) if d else 0.0 for d in df.tolist()])
        lengths = np.bincount(rows, minlength=n_entries).astype(np.int64)
        lengths[lengths == 0] = 1  # bm25s's [""] for an entry without pairs
        scores = bm25(rows, cols, np.ones(len(rows), dtype=np.int64), lengths, len(self.pairs))
        self.pair_bm25 = Columns.build(rows, cols, scores, (n_entries, len(self.pairs)))
        self.pair_rows = Rows.build(rows, cols, None, n_entries)

    def _cells(self, n_entries: int) -> None:
        """What the scorer reads of its candidates, in one matrix so that one gather reads it
        all: the entry's own words (their BM25, for centrality), its answer's words, the pinyin
        keys of its words and its character pairs, at the columns `cell_offsets` gives."""
        n_terms, n_sounds = len(self.terms), len(self.sounds_list)
        parts = (self.entries, self.answers, self.sounds, self.pair_rows)
        self.cell_offsets = (0, n_terms, 2 * n_terms, 2 * n_terms + n_sounds)
        rows = np.concatenate([np.repeat(np.arange(n_entries), np.diff(p.indptr)) for p in parts])
        cols = np.concatenate(
            [
                p.indices.astype(np.int64) + at
                for p, at in zip(parts, self.cell_offsets, strict=True)
            ]
        )
        data = np.concatenate(
            [np.ones(len(p.indices), np.float32) if p.data is None else p.data for p in parts]
        )
        self.cells = Rows.build(rows, cols, data, n_entries)
        self.cell_columns = Columns.build(rows, cols, data, (n_entries, self.cells.width))
        del self.answers, self.sounds, self.pair_rows

    def text(self, doc: int) -> str:
        return self.doc_text[self.doc_offsets[doc] : self.doc_offsets[doc + 1]]

    def texts(self, docs: np.ndarray) -> list[str]:
        text = self.doc_text
        starts, ends = self.doc_offsets[docs].tolist(), self.doc_offsets[docs + 1].tolist()
        return [text[a:b] for a, b in zip(starts, ends, strict=True)]

    def paraphrases(self, entry: int) -> tuple[list[str], list[list[str]]]:
        """An entry's title and paraphrases, normalised, and the words of each: its docs but
        the last, which holds its keywords; "" stands in for a text without words."""
        docs = range(int(self.doc_start[entry]), int(self.doc_end[entry]) - 1)
        at, ids = self.doc_words.indptr, self.doc_words.indices
        words = [[self.terms[w] for w in ids[at[d] : at[d + 1]].tolist()] for d in docs]
        return [self.text(d) for d in docs], [[w for w in found if w] for found in words]

    def term(self, word: str) -> int:
        """The word's id, or -1."""
        return self.term_id.get(word, -1)

    def is_known(self, word: str) -> bool:
        """A word of some paraphrase (or keyword), i.e. one with an idf."""
        i = self.term_id.get(word)
        return i is not None and bool(self.known[i])


def _ints(values: array) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int32).astype(np.int64)


def _sorted(numbered: dict[str, int]) -> tuple[list[str], np.ndarray]:
    """The keys sorted, and each old number's new one."""
    keys = sorted(numbered)
    rank = np.empty(len(numbered), dtype=np.int64)
    rank[np.array([numbered[k] for k in keys], dtype=np.int64)] = np.arange(len(keys))
    return keys, rank
