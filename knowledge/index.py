"""The matcher's index, in integer ids: one sorted vocabulary of words, one of character pairs
and one of pinyin keys, and sparse columns over them. No Python object per paraphrase is kept.

BM25 is bm25s's default (the Lucene variant, k1 = 1.5, b = 0.75, float32) reproduced to the
bit (tests/test_index.py builds bm25s beside it), so one gather of a message's columns scores
every paraphrase, and the same columns tell which entries hold which word."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from .allocator import map_large_blocks, settle
from .counts import bm25, distinct, idf, unique
from .joins import one_after_other, side_by_side
from .kb import Entry
from .layout import entry_pairs, layout
from .native import native
from .sparse import Columns, Rows
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
        map_large_blocks()
        lay = layout(entries, work)
        self.doc_text, self.doc_offsets = lay.doc_text, lay.doc_offsets
        self.terms, self.first_met = lay.terms, lay.first_met
        self.term_id = {t: i for i, t in enumerate(self.terms)}
        n = len(entries)
        self._docs(lay.doc_tokens, lay.doc_lengths, lay.doc_entry, lay.stand_in, n)
        self._answers(lay.answer_rows, lay.answer_cols, n)
        self.pairs, pair_rows, pair_cols = entry_pairs(lay, *self._own)
        del lay
        self.pair_id = {p: i for i, p in enumerate(self.pairs)}
        self._sounds(n, sound)
        self._pairs(pair_rows, pair_cols, n)
        self._cells(n)
        settle()

    def _docs(
        self,
        tokens: np.ndarray,
        lengths: np.ndarray,
        owner: np.ndarray,
        stand_in: np.ndarray,
        n_entries: int,
    ) -> None:
        n_terms, n_docs = len(self.terms), len(lengths)
        rows = np.repeat(np.arange(n_docs, dtype=np.int32), lengths)
        self.doc_entry = owner.astype(np.int32)
        d_rows, d_cols, d_tf = distinct(rows, tokens, n_terms)
        scores = bm25(d_rows, d_cols, d_tf, lengths, n_terms)
        self.docs = Columns.build(d_rows, d_cols, scores, (n_docs, n_terms))
        self.doc_words = Rows.build(d_rows, d_cols, None, n_docs)
        del scores
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
        del d_rows, d_cols, d_tf, real, values
        self.doc_weight = np.where(weight > 0, weight, 1.0)
        self.doc_start = np.searchsorted(owner, np.arange(n_entries), "left")
        self.doc_end = np.searchsorted(owner, np.arange(n_entries), "right")
        self._entry_words(owner[rows], tokens, n_entries)

    def _entry_words(self, owner: np.ndarray, tokens: np.ndarray, n_entries: int) -> None:
        """Per entry, its words with how often: BM25 over the entry's paraphrases together."""
        n_terms = len(self.terms)
        o_rows, o_cols, o_tf = distinct(owner, tokens, n_terms)
        del owner
        self._own = o_rows, o_cols
        kept = o_cols != 0  # bm25s is given them without "" (the stand-in of an empty doc)
        e_rows, e_cols, e_tf = o_rows[kept], o_cols[kept], o_tf[kept]
        e_len = np.bincount(e_rows, weights=e_tf, minlength=n_entries).astype(np.int64)
        e_len[e_len == 0] = 1  # bm25s's [""] for an entry without words
        self.entry_df = np.bincount(e_cols, minlength=n_terms).astype(np.int32)
        self._entries = Rows.build(
            e_rows, e_cols, bm25(e_rows, e_cols, e_tf, e_len, n_terms), n_entries
        )

    def _answers(self, rows: np.ndarray, cols: np.ndarray, n_entries: int) -> None:
        """Words only the entry's answer uses."""
        n_terms = len(self.terms)
        rows, cols, _ = distinct(rows, cols, n_terms)
        own_rows, own_cols = self._own
        own = own_rows.astype(np.int64) * n_terms + own_cols  # sorted, as distinct gives them
        keys = rows.astype(np.int64) * n_terms + cols
        at = np.minimum(np.searchsorted(own, keys), max(len(own) - 1, 0))
        shared = own[at] == keys if len(own) else np.zeros(len(keys), dtype=bool)
        rows, cols = rows[~shared], cols[~shared]
        self.answers = Rows.build(rows, cols, None, n_entries)

    def _sounds(self, n_entries: int, sound: Callable[[str], str]) -> None:
        """Pinyin keys of the entries' words of two characters or more."""
        rows, cols = self._own
        del self._own
        used = unique(cols).tolist()
        keys = {c: sound(self.terms[c]) for c in used if len(self.terms[c]) >= 2}
        self.sounds_list = sorted(set(keys.values()))
        self.sound_id = {k: i for i, k in enumerate(self.sounds_list)}
        of = np.full(len(self.terms), -1, dtype=np.int32)
        for col, key in keys.items():
            of[col] = self.sound_id[key]
        s = of[cols]
        s_rows, s_cols, _ = distinct(rows[s >= 0], s[s >= 0], max(len(self.sounds_list), 1))
        self.sounds = Rows.build(s_rows, s_cols, None, n_entries)
        # A known word for each pinyin key, for a message that mistypes it: the last met.
        self.pinyin_vocab = {keys[c]: self.terms[c] for c in self.first_met if c in keys}

    def _pairs(self, rows: np.ndarray, cols: np.ndarray, n_entries: int) -> None:
        """Character pairs per entry (of its texts, keywords and words), for BM25 and idf;
        (row, col) distinct and sorted."""
        df = np.bincount(cols, minlength=len(self.pairs))
        self.pair_idf = np.array([idf(d, max(n_entries, 1)) if d else 0.0 for d in df.tolist()])
        lengths = np.bincount(rows, minlength=n_entries).astype(np.int64)
        lengths[lengths == 0] = 1  # bm25s's [""] for an entry without pairs
        scores = bm25(rows, cols, np.ones(len(rows), dtype=np.int8), lengths, len(self.pairs))
        self.pair_bm25 = Columns.build(rows, cols, scores, (n_entries, len(self.pairs)))
        self.pair_rows = Rows.build(rows, cols, None, n_entries)

    def _cells(self, n_entries: int) -> None:
        """What the scorer reads of its candidates, in one matrix so that one gather reads it
        all: the entry's own words (their BM25, for centrality), its answer's words, the pinyin
        keys of its words and its character pairs, at the columns `cell_offsets` gives. Only
        the own words' values are stored; the others are 1. By column, the pairs' rows are
        those of `pair_bm25`, which reads them from here."""
        n_terms, n_sounds = len(self.terms), len(self.sounds_list)
        parts = [self._entries, self.answers, self.sounds, self.pair_rows]
        del self._entries, self.answers, self.sounds, self.pair_rows
        self.cell_offsets = (0, n_terms, 2 * n_terms, 2 * n_terms + n_sounds)
        widths = (n_terms, n_terms, n_sounds)
        by_column = [Columns.of(p, width) for p, width in zip(parts, widths, strict=False)]
        pairs = self.pair_bm25
        by_column.append(Columns(pairs.indptr, pairs.indices, np.ones(0, np.float32), n_entries))
        pairs.indices = np.zeros(0, np.int32)  # read from the cells' columns below
        self.cell_columns = one_after_other(by_column)
        pairs.indices = self._pair_rows()
        self.cells = side_by_side(parts, self.cell_offsets)

    def _pair_rows(self) -> np.ndarray:
        start = int(self.cell_columns.indptr[self.cell_offsets[3]])
        return self.cell_columns.indices[start:]

    @property
    def entries(self) -> Rows:
        """Each entry's own words with their BM25 over its paraphrases together: the first
        columns of `cells`."""
        return self.cells

    def __getstate__(self) -> dict[str, object]:
        """Stored without `pair_bm25`'s rows, which are a view of `cell_columns`' (pickle
        would store them twice and load them as a copy)."""
        pairs = dataclasses.replace(self.pair_bm25, indices=np.zeros(0, np.int32))
        return {**self.__dict__, "pair_bm25": pairs}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(native(state))
        self.pair_bm25.indices = self._pair_rows()

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
