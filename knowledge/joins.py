"""Parts of a sparse matrix, built one by one, joined into one matrix (index builds only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .sparse import CHUNK, Columns, Rows


def side_by_side(parts: list[Rows], offsets: Sequence[int]) -> Rows:
    """The parts in one matrix, part i's columns moved right by offsets[i] (increasing, beyond
    the previous part's columns), with the first part's values; the others' read as 1.
    Empties `parts`, freeing each part once copied."""
    sizes = [np.diff(p.indptr) for p in parts]
    indptr = np.concatenate([[0], np.cumsum(np.sum(sizes, axis=0))]).astype(np.int64)
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    before = indptr[:-1].copy()  # where each row's next part goes
    width = max([at + p.width for p, at in zip(parts, offsets, strict=True) if p.width] or [0])
    data, data_ptr = parts[0].data, parts[0].indptr
    for size, at in zip(sizes, offsets, strict=True):
        part = parts.pop(0)
        step = max(1, len(size) * CHUNK // max(len(part.indices), 1))
        for r in range(0, len(size), step):  # a few rows at a time: small temporaries
            rows = slice(r, r + step)
            a, b = part.indptr[r], part.indptr[min(r + step, len(size))]
            dest = np.repeat(before[rows] - part.indptr[:-1][rows], size[rows]) + np.arange(a, b)
            indices[dest] = part.indices[a:b] + np.int32(at)
        before += size
    return Rows(indptr, indices, data, width, data_ptr)


def one_after_other(parts: list[Columns]) -> Columns:
    """The parts' columns in one matrix, one part after the other, with the first part's
    values; the others' read as 1. Empties `parts`, freeing each part once copied."""
    starts = np.cumsum([0, *(p.indptr[-1] for p in parts)])
    indptr = [p.indptr[1:] + at for p, at in zip(parts, starts, strict=False)]
    indices = np.empty(int(starts[-1]), dtype=np.int32)
    data, rows = parts[0].data, parts[0].rows
    for at in starts[:-1].tolist():
        part = parts.pop(0)
        indices[at : at + len(part.indices)] = part.indices
    return Columns(np.concatenate([[0], *indptr]).astype(np.int64), indices, data, rows)
