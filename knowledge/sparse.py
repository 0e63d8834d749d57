"""Sparse matrices without scipy, and bm25s's default BM25 (the Lucene variant, k1 = 1.5,
b = 0.75, float32) reproduced to the bit: tests/test_index.py builds bm25s beside it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

K1, B = 1.5, 0.75


def idf(df: int, n: int) -> float:
    """BM25's (Lucene) inverse document frequency, as bm25s and the scorer compute it."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


@dataclass
class Columns:
    """A sparse matrix stored by column (CSC without scipy), to add up a message's few columns
    over all rows."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    rows: int

    @classmethod
    def build(
        cls, rows: np.ndarray, cols: np.ndarray, data: np.ndarray, shape: tuple[int, int]
    ) -> Columns:
        order = np.lexsort((rows, cols))
        indptr = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=shape[1]))])
        return cls(indptr.astype(np.int64), rows[order].astype(np.int32), data[order], shape[0])

    def accumulate(self, cols: Sequence[int]) -> np.ndarray:
        """The sum of `cols` for every row, added column after column in the matrix's dtype, as
        bm25s adds a query's words (the order decides the last bit of a float32)."""
        total = np.zeros(self.rows, dtype=self.data.dtype)
        for col in cols:
            a, b = self.indptr[col], self.indptr[col + 1]
            total[self.indices[a:b]] += self.data[a:b]
        return total


@dataclass
class Rows:
    """A sparse matrix stored by row (CSR without scipy), to read a few rows at the columns of
    a message: the work grows with the rows read, not with the size of the index."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray | None  # None: every stored value is True

    @classmethod
    def build(
        cls, rows: np.ndarray, cols: np.ndarray, data: np.ndarray | None, n_rows: int
    ) -> Rows:
        order = np.lexsort((cols, rows))
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))])
        kept = None if data is None else data[order]
        return cls(indptr.astype(np.int64), cols[order].astype(np.int32), kept)

    def gather(self, rows: np.ndarray, cols: Sequence[int]) -> np.ndarray:
        """Dense rows × cols of stored values (float32, or bool); a column of -1 is all zero."""
        wanted = np.asarray(cols, dtype=np.int64)
        dtype = bool if self.data is None else self.data.dtype
        block = np.zeros((len(rows), len(wanted)), dtype=dtype)
        if not len(wanted) or not len(rows):
            return block
        order = np.argsort(wanted, kind="stable")
        keys = wanted[order]
        starts = self.indptr[rows]
        sizes = self.indptr[rows + 1] - starts
        ends = np.cumsum(sizes)
        stored = np.arange(int(ends[-1])) + np.repeat(starts - (ends - sizes), sizes)
        found = self.indices[stored]
        at = np.minimum(np.searchsorted(keys, found), len(keys) - 1)
        hit = np.flatnonzero(keys[at] == found)
        owner = np.repeat(np.arange(len(rows)), sizes)[hit]
        block[owner, order[at[hit]]] = True if self.data is None else self.data[stored[hit]]
        if len(set(cols)) < len(wanted):  # a column asked twice: the first holds the values
            first: dict[int, int] = {}
            for j, col in enumerate(cols):
                if first.setdefault(col, j) != j:
                    block[:, j] = block[:, first[col]]
        return block


def bm25(
    rows: np.ndarray, cols: np.ndarray, tf: np.ndarray, lengths: np.ndarray, n_cols: int
) -> np.ndarray:
    """bm25s's score matrix for (row, col, term frequency) triples: idf in float32, the
    term-frequency part in float64, the product stored as float32."""
    n = len(lengths)
    df = np.bincount(cols, minlength=n_cols)
    weights = np.array([idf(d, n) if d else 0.0 for d in df.tolist()], dtype=np.float32)
    l_avg = lengths.mean()
    k = K1 * ((1 - B) + B * lengths.astype(np.float64) / l_avg)
    tf64 = tf.astype(np.float32).astype(np.float64)
    part = tf64 / (k[rows] + tf64)
    return (weights[cols].astype(np.float64) * part).astype(np.float32)


def distinct(
    rows: np.ndarray, cols: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (row, col) pairs, sorted, with how often each occurred."""
    keys, counts = np.unique(rows.astype(np.int64) * max(width, 1) + cols, return_counts=True)
    return keys // max(width, 1), keys % max(width, 1), counts
