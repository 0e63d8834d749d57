"""BM25 over the character pairs of a list of texts (the laws' articles), built with array
operations and scored as bm25s's eager index scores them, to the last bit (`counts.bm25`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .counts import bm25, distinct, unique
from .sparse import Columns

_CODE_BITS = 21  # every Unicode code point fits


def _pair_codes(text: str) -> np.ndarray:
    """Each pair of neighbouring characters as one integer; a one-character text is its own."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if len(points) < 2:
        return (points << _CODE_BITS) | ((1 << _CODE_BITS) - 1)
    return (points[:-1] << _CODE_BITS) | points[1:]


class PairIndex:
    def __init__(self, texts: Sequence[str]) -> None:
        codes = [_pair_codes(t) for t in texts]
        lengths = np.array([len(c) for c in codes], dtype=np.int64)
        flat = np.concatenate(codes) if codes else np.zeros(0, np.int64)
        self.vocabulary = unique(flat)
        docs = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        rows, cols, tf = distinct(
            docs, np.searchsorted(self.vocabulary, flat), len(self.vocabulary)
        )
        shape = (len(texts), len(self.vocabulary))
        self.df = np.bincount(cols, minlength=shape[1])
        self._scores = Columns.build(rows, cols, bm25(rows, cols, tf, lengths, shape[1]), shape)

    def ids(self, pairs: Sequence[str]) -> np.ndarray:
        """The pairs' ids in the order given, leaving out pairs no text holds."""
        if not pairs or not len(self.vocabulary):
            return np.zeros(0, dtype=np.int64)
        codes = np.concatenate([_pair_codes(p) for p in pairs])
        at = np.minimum(np.searchsorted(self.vocabulary, codes), len(self.vocabulary) - 1)
        return at[self.vocabulary[at] == codes]

    def frequency(self, pair: str) -> int:
        """How many texts hold the pair."""
        found = self.ids([pair])
        return int(self.df[found[0]]) if len(found) else 0

    def scores(self, ids: np.ndarray) -> np.ndarray:
        """Every text's score for the pairs, added in the order given, as bm25s adds them."""
        return self._scores.accumulate(ids.tolist())
