"""Scoring the candidates of one message all at once, with sparse matrices over integer term ids.

For each candidate entry the score combines: the share of the message's word weight the entry
explains (its own words in full, a homophone of them at 0.6, a word of its answer at 0.3), the
same for character pairs, and for its best paraphrase the share of that paraphrase's weight
found in the message and the rapidfuzz similarity of the two. partial_ratio, the costly part,
is only computed for paraphrases that could still be their entry's best: a bound from the
characters they have in common with the message rules the others out. Both read the texts in
the message's own alphabet, one byte a character (`alphabet.py`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from .alphabet import recode
from .index import Index, idf
from .results import Match
from .sparse import gather
from .tokenize import pinyin_key

# coverage of the message's words, of its character pairs, precision on the best paraphrase,
# rapidfuzz similarity to it. Chosen by grid search on the golden, dev and blind sets.
SCORE_WEIGHTS = (0.25, 0.45, 0.05, 0.25)
HOMOPHONE_CREDIT = 0.6
ANSWER_CREDIT = 0.3
PARTIAL_SIMILARITY = 0.85


def round4(values: np.ndarray) -> list[float]:
    """[round(v, 4) for v in values], at numpy's speed. Python rounds the exact value to 4
    decimals and returns the double nearest to that decimal; rint(v·10⁴) / 10⁴ is the same
    double whenever v·10⁴ is not within a hair of a half, and Python decides the others."""
    scaled = np.asarray(values, dtype=np.float64) * 10000
    rounded = (np.rint(scaled) / 10000).tolist()
    for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6).tolist():
        rounded[i] = round(float(values[i]), 4)
    return rounded


class Scored(list[Match]):
    """The matches in the order of their candidates, with each candidate's BM25 for each of
    the message's words (the scorer's gather read them), which centrality adds up."""

    weights: Mapping[str, float] | None = None
    entry_ids: list[str]
    own: np.ndarray


class Scorer:
    def __init__(self, index: Index, entry_ids: Sequence[str]) -> None:
        self._ids = list(entry_ids)
        self._index = index
        self._idf_unknown = idf(0, max(len(index.doc_entry), 1))

    def score(
        self,
        candidates: Sequence[tuple[int, float]],
        norm_query: str,
        weights: Mapping[str, float],
        query_bigrams: set[str],
    ) -> list[Match]:
        """Matches for (entry index, BM25 score) candidates, in the order given."""
        ix = self._index
        rows = np.array([entry for entry, _ in candidates], dtype=np.int64)
        words = list(weights)
        n = len(words)
        w = np.array([weights[t] for t in words])
        term_cols = [ix.term(t) for t in words]
        sound_cols = [ix.sound_id.get(pinyin_key(t), -1) if len(t) >= 2 else -1 for t in words]
        pair_ids = [ix.pair_id.get(b, -1) for b in query_bigrams]
        pair_cols = sorted(i for i in pair_ids if i >= 0)
        _, answer_at, sound_at, pair_at = ix.cell_offsets
        cols = [
            *term_cols,
            *(c + answer_at if c >= 0 else -1 for c in term_cols),
            *(c + sound_at if c >= 0 else -1 for c in sound_cols),
            *(c + pair_at for c in pair_cols),
        ]
        block = gather(
            ix.cells, ix.cell_columns, rows, cols
        )  # one read for words, answers, sounds and pairs
        own = block[:, :n]
        credit = np.where(
            own > 0,
            w,
            np.where(
                block[:, 2 * n : 3 * n] > 0,
                HOMOPHONE_CREDIT * w,
                np.where(block[:, n : 2 * n] > 0, ANSWER_CREDIT * w, 0.0),
            ),
        )
        coverage = credit.sum(axis=1) / (w.sum() or 1.0)
        precision, similarity, best = self._best_paraphrases(rows, term_cols, credit, norm_query)
        char_coverage = self._char_coverage(block[:, 3 * n :] > 0, pair_ids, pair_cols)
        k = SCORE_WEIGHTS
        score = k[0] * coverage + k[1] * char_coverage + k[2] * precision + k[3] * similarity
        bm25 = np.array([bm for _, bm in candidates], dtype=np.float64)
        values = (np.minimum(score, 1.0), coverage, char_coverage, precision, similarity, bm25)
        rounded = round4(np.concatenate(values))
        size = len(rows)
        columns = [rounded[i * size : (i + 1) * size] for i in range(len(values))]
        # Each entry's words by credit, highest first: those with credit come before the rest.
        orders = np.argsort(-credit, axis=1, kind="stable").tolist()
        counts = (credit > 0).sum(axis=1).tolist()
        entry_ids = [self._ids[entry] for entry in rows.tolist()]
        matches = Scored(
            Match(  # in the fields' order: positional arguments make a tuple fastest
                entry_id,
                total,
                tuple([words[i] for i in order[:count]]),
                question,
                cov,
                chars,
                prec,
                sim,
                bm,
            )
            for entry_id, order, count, question, total, cov, chars, prec, sim, bm in zip(
                entry_ids, orders, counts, best, *columns, strict=True
            )
        )
        matches.weights, matches.entry_ids, matches.own = weights, entry_ids, own
        return matches

    def _best_paraphrases(
        self, rows: np.ndarray, term_cols: list[int], credit: np.ndarray, norm_query: str
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Per entry: precision and similarity of its best paraphrase, and that paraphrase."""
        ix = self._index
        starts = ix.doc_start[rows]
        sizes = ix.doc_end[rows] - starts
        owner = np.repeat(np.arange(len(rows)), sizes)
        first = np.cumsum(sizes) - sizes  # where each entry's paraphrases start among `docs`
        docs = np.arange(len(owner)) + np.repeat(starts - first, sizes)
        credited = credit[owner] > 0  # per doc: which message words its entry explains
        held = gather(
            ix.doc_words, ix.docs, docs, term_cols, present=True
        )  # a paraphrase's words, weighed by idf
        word_idf = ix.idf[np.array(term_cols, dtype=np.int64)] * (np.array(term_cols) >= 0)
        found = (np.where(held, word_idf, 0.0) * credited).sum(axis=1)
        doc_precision = found / ix.doc_weight[docs]
        # The candidates' texts, one after the other, as one string and in the message's own
        # alphabet, and where each text starts and ends in it.
        at = ix.doc_offsets
        spans = zip(at[starts].tolist(), at[starts + sizes].tolist(), strict=True)
        joined = "".join([ix.doc_text[a:b] for a, b in spans])
        length = at[docs + 1] - at[docs]
        ends = np.cumsum(length).tolist()
        begins = [0, *ends[:-1]]
        query, blob = recode(norm_query, joined)
        texts = [blob[a:b] for a, b in zip(begins, ends, strict=True)]
        whole = cdist([query], texts, scorer=fuzz.ratio, dtype=np.float64)[0]
        picks = self._choose(texts, length, sizes, owner, query, doc_precision, whole)
        chosen = np.array([i for i, _ in picks], dtype=np.int64)
        precision = np.zeros(len(chosen))
        precision[chosen >= 0] = doc_precision[chosen[chosen >= 0]]
        return (
            precision,
            np.array([similarity for _, similarity in picks]),
            [joined[begins[i] : ends[i]] if i >= 0 else "" for i, _ in picks],
        )

    def _choose(
        self,
        texts: Sequence[str | bytes],
        lengths: np.ndarray,
        sizes: np.ndarray,
        owner: np.ndarray,
        norm_query: str | bytes,
        doc_precision: np.ndarray,
        whole: np.ndarray,
    ) -> list[tuple[int, float]]:
        """Per entry (`sizes`: how many of the `texts` are its paraphrases, one entry after the
        other; `owner`: each text's entry), the first of its paraphrases with the highest
        precision + similarity, similarity being max(ratio, 0.85·partial_ratio) / 100, and that
        similarity; (-1, 0.0) where the highest is 0.

        partial_ratio is only computed where it can decide. A window of the longer text has at
        most `ov` characters in common (in order) with the shorter one, of length n, where ov
        is the longest common subsequence of the two texts, known from their ratio; so
        partial_ratio <= 200·ov / (n + ov). Paraphrases of an entry are tried from the highest
        bound down, until no bound can reach the best total found, with a score_cutoff below
        which the paraphrase could not reach it either."""
        if not len(owner):
            return [(-1, 0.0)] * len(sizes)
        length = lengths.astype(np.float64)
        n = np.minimum(length, len(norm_query))
        common = whole * (length + len(norm_query)) / 200 + 1e-6  # ratio = 200·LCS / (m + n)
        ov = np.minimum(common, n)
        bound = np.where(n > 0, 200 * ov / np.maximum(n + ov, 1), 100)
        whole = np.where(length > 0, whole, 0.0)
        lower = doc_precision + whole / 100  # the total without partial_ratio
        # A paraphrase without text (the keywords) gets no partial_ratio.
        reach = doc_precision + np.maximum(whole, PARTIAL_SIMILARITY * bound) / 100
        upper = np.where(length > 0, reach, -np.inf)
        bests = np.maximum.reduceat(lower, np.cumsum(sizes) - sizes)  # every entry has a doc
        tried = np.flatnonzero(upper >= bests[owner] - 1e-9)
        tried = tried[np.lexsort((-upper[tried], owner[tried]))]  # from the highest bound down
        # each entry's first text whose total without partial_ratio is its best, if above 0
        hits = np.flatnonzero(lower == bests[owner])
        firsts = hits[np.flatnonzero(np.diff(owner[hits], prepend=-1))]
        picked = np.full(len(sizes), -1)
        picked[owner[firsts]] = firsts
        picks, best_of = np.where(bests > 0, picked, -1).tolist(), bests.tolist()
        scaled_at: dict[int, float] = {}
        partial_ratio, done = fuzz.partial_ratio, -1
        # only the texts tried are read as Python numbers
        for i, e, upper_i, own, similar in zip(
            tried.tolist(),
            owner[tried].tolist(),
            upper[tried].tolist(),
            doc_precision[tried].tolist(),
            whole[tried].tolist(),
            strict=True,
        ):
            best = best_of[e]
            if e == done or upper_i < best - 1e-9:
                done = e
                continue
            need = (best - own) * 100 / PARTIAL_SIMILARITY - 1e-6  # max() spelt out
            cutoff = max(need, 0.0)
            scaled = PARTIAL_SIMILARITY * partial_ratio(texts[i], norm_query, score_cutoff=cutoff)
            reached = own + (scaled if scaled > similar else similar) / 100
            if reached > best or (reached == best and i < picks[e]):
                best_of[e], picks[e], scaled_at[i] = reached, i, scaled
        similar_of = whole[picks].tolist()  # at -1 for an entry without pick: not read
        return [
            (-1, 0.0) if i < 0 else (i, max(s, scaled_at.get(i, 0.0)) / 100)
            for i, s in zip(picks, similar_of, strict=True)
        ]

    def _char_coverage(self, held: np.ndarray, ids: list[int], cols: list[int]) -> np.ndarray:
        """The idf of the message's pairs an entry holds (`held`, one column for each of the
        known pairs `cols`), added in the order of the pairs' ids (as a sparse row times a
        vector adds them), over that of all the message's pairs (`ids`, -1 for unknown)."""
        ix = self._index
        known = iter(ix.pair_idf[[i for i in ids if i >= 0]].tolist())
        values = [next(known) if i >= 0 else self._idf_unknown for i in ids]
        total = sum(values)
        found = np.zeros(len(held))
        if not cols:
            return found
        # Added pair after pair: a running sum is the sequential sum of the loop it replaces.
        found = np.cumsum(np.where(held, ix.pair_idf[cols], 0.0), axis=1)[:, -1]
        return found / (total or 1.0)
