"""Counting a build's (row, word) pairs, and bm25s's default BM25 over them (the Lucene
variant, k1 = 1.5, b = 0.75, float32) reproduced to the bit: tests/test_index.py builds bm25s
beside it."""

from __future__ import annotations

import math

import numpy as np

from .sparse import CHUNK

K1, B = 1.5, 0.75


def idf(df: int, n: int) -> float:
    """BM25's (Lucene) inverse document frequency, as bm25s and the scorer compute it."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


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
    out = np.empty(len(rows), dtype=np.float32)
    for a in range(0, len(rows), CHUNK):  # in slices: float64 temporaries stay small
        at = slice(a, a + CHUNK)
        tf64 = tf[at].astype(np.float32).astype(np.float64)
        part = tf64 / (k[rows[at]] + tf64)
        out[at] = weights[cols[at]].astype(np.float64) * part
    return out


def unique(values: np.ndarray) -> np.ndarray:
    """np.unique(values) by sorting: numpy 2's hashing unique is many times slower on the
    millions of integer keys of a build."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    new = np.empty(len(ordered), dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    return ordered[new]


def distinct(
    rows: np.ndarray, cols: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (row, col) pairs, sorted, with how often each occurred."""
    keys = rows.astype(np.int64)
    keys *= max(width, 1)
    keys += cols
    keys.sort()  # in place, and by sorting: see unique()
    new = np.empty(len(keys), dtype=bool)
    new[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    del new
    counts = np.diff(np.append(starts, len(keys)))
    keys = keys[starts]
    rows, cols = np.empty(len(keys), np.int32), np.empty(len(keys), np.int32)
    np.floor_divide(keys, max(width, 1), out=rows, casting="unsafe")  # no int64 copies
    np.remainder(keys, max(width, 1), out=cols, casting="unsafe")
    return rows, cols, counts
