"""Sparse matrices without scipy: stored by column to add a message's words for every row,
by row to read a few rows at the columns of a message."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, groupby

import numpy as np

from .native import native

CHUNK = 1 << 21  # values handled at once where temporaries would be large
SAMPLE = 16  # Columns.top samples about SAMPLE·k of the values it adds
SAMPLED_ROWS = 100_000  # and only on a matrix of this many rows or more


@dataclass
class Columns:
    """A sparse matrix stored by column (CSC without scipy), to add up a message's few columns
    over all rows. `data` may hold the values of the first stored positions only (those of the
    first columns); the others are 1."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    rows: int

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(native(state))

    @classmethod
    def build(
        cls, rows: np.ndarray, cols: np.ndarray, data: np.ndarray, shape: tuple[int, int]
    ) -> Columns:
        """From (row, col) pairs sorted by row, then column."""
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=shape[0]))])
        values, by_row, col_ptr = by_column(indptr, cols, shape[1], data)
        return cls(col_ptr, by_row, values, shape[0])

    @classmethod
    def of(cls, by_row: Rows, n_cols: int) -> Columns:
        """The same matrix stored by column."""
        values = np.ones(len(by_row.indices), np.int8) if by_row.data is None else by_row.data
        values, rows, indptr = by_column(by_row.indptr, by_row.indices, n_cols, values)
        data = np.ones(0, np.float32) if by_row.data is None else values
        return cls(indptr, rows, data, len(by_row.indptr) - 1)

    def values(self, at: np.ndarray) -> np.ndarray:
        """The values stored at positions `at`."""
        if len(self.data) == len(self.indices):
            return self.data[at]
        out = np.ones(len(at), dtype=self.data.dtype)
        inside = at < len(self.data)
        out[inside] = self.data[at[inside]]
        return out

    def accumulate(self, cols: Sequence[int]) -> np.ndarray:
        """The sum of `cols` for every row, added column after column in the matrix's dtype, as
        bm25s adds a query's words (the order decides the last bit of a float32)."""
        return self._add(cols, 0)[0]

    def top(self, cols: Sequence[int], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The (at most) `k` rows with the highest sum of `cols` above 0, highest first and,
        between equal sums, the lower row first; and their sums."""
        if not len(cols) or k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, self.data.dtype)
        total, sample = self._add(cols, SAMPLE * k)
        if self.rows < SAMPLED_ROWS:  # the sample is every row the columns hold
            return best_first(sample, total[sample], k)
        # The k-th best of some rows is at most the k-th best of all: the rows of a sample of
        # the values added give a floor that leaves few rows to sort.
        floor = 0.0
        if len(sample) >= k:
            sums = total[sample]
            floor = float(np.partition(sums, len(sums) - k)[len(sums) - k])
        rows = np.flatnonzero(total >= floor) if floor > 0 else np.flatnonzero(total)
        return best_first(rows, total[rows], k)

    def _add(self, cols: Sequence[int], sample: int) -> tuple[np.ndarray, np.ndarray]:
        """The sums of `cols`, and the distinct rows of about `sample` of the values added (of
        all of them, for a matrix of fewer than SAMPLED_ROWS rows, whose rows the columns hold
        are few enough to sort; none for a `sample` of 0). np.add.at adds values in the order
        given, so the columns, read one after the other in batches of about CHUNK values, are
        added in the order asked."""
        total = np.zeros(self.rows, dtype=self.data.dtype)
        wanted = np.asarray(cols, dtype=np.int64)
        starts, ends = self.indptr[wanted].tolist(), self.indptr[wanted + 1].tolist()
        step = max(1, (sum(ends) - sum(starts)) // max(sample, 1))
        if self.rows < SAMPLED_ROWS:
            step = 1
        seen = []
        for batch in _batches(list(zip(starts, ends, strict=True))):
            rows, values = self._read(batch)
            rows = rows.astype(np.intp)  # one conversion for the index operations below
            np.add.at(total, rows, values)
            if sample:
                seen.append(rows[::step])
        return total, _distinct(np.concatenate(seen)) if seen else np.zeros(0, np.int32)

    def _read(self, spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """The rows and values stored at the spans of positions, one span after the other."""
        rows = np.concatenate([self.indices[a:b] for a, b in spans])
        if len(self.data) == len(self.indices):
            return rows, np.concatenate([self.data[a:b] for a, b in spans])
        return rows, self.values(np.concatenate([np.arange(a, b) for a, b in spans]))

    def gather(self, rows: np.ndarray, cols: Sequence[int], present: bool = False) -> np.ndarray:
        """What Rows.gather gives (`present`: True where a value is stored), read column by
        column: the work grows with how many rows hold the columns. `rows` are distinct."""
        block = np.zeros((len(rows), len(cols)), dtype=bool if present else self.data.dtype)
        first = _firsts(cols)
        if not first or not len(rows):
            return block
        picked, sizes = _spans(self.indptr, np.fromiter(first, np.int64, len(first)))
        table = _table(self.rows)
        table[rows] = np.arange(len(rows))
        try:
            at = table[self.indices[picked]]
        finally:
            table[rows] = -1
        hit = np.flatnonzero(at >= 0)
        j = np.repeat(np.fromiter(first.values(), np.int64, len(first)), sizes)[hit]
        block[at[hit], j] = True if present else self.values(picked[hit])
        return _repeats(block, cols, first)

    def volume(self, cols: Sequence[int]) -> int:
        """How many values the columns hold (-1: none)."""
        wanted = np.asarray([c for c in cols if c >= 0], dtype=np.int64)
        return int((self.indptr[wanted + 1] - self.indptr[wanted]).sum())


@dataclass
class Rows:
    """A sparse matrix stored by row (CSR without scipy), to read a few rows at the columns of
    a message: the work grows with the rows read, not with the size of the index."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray | None  # None: every stored value is True
    width: int = 0  # one more than the highest column stored
    # When set, `data` holds only each row's first values, row r's at
    # data[data_ptr[r] : data_ptr[r + 1]]; the row's other values are 1.
    data_ptr: np.ndarray | None = None

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(native(state))

    @classmethod
    def build(
        cls, rows: np.ndarray, cols: np.ndarray, data: np.ndarray | None, n_rows: int
    ) -> Rows:
        """From (row, col) pairs sorted by row, then column."""
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))])
        width = int(cols.max()) + 1 if len(cols) else 0
        return cls(indptr.astype(np.int64), cols.astype(np.int32, copy=False), data, width)

    def values(self, at: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The values stored at positions `at`, of rows `rows`."""
        assert self.data is not None
        if self.data_ptr is None:
            return self.data[at]
        at = at - self.indptr[rows] + self.data_ptr[rows]
        out = np.ones(len(at), dtype=self.data.dtype)
        inside = at < self.data_ptr[rows + 1]
        out[inside] = self.data[at[inside]]
        return out

    def gather(self, rows: np.ndarray, cols: Sequence[int]) -> np.ndarray:
        """Dense rows × cols of stored values (float32, or bool); a column of -1 is all zero.
        The rows' stored columns are looked up in a table of the matrix's width (one per
        thread, -1 except while a gather uses it)."""
        dtype = bool if self.data is None else self.data.dtype
        block = np.zeros((len(rows), len(cols)), dtype=dtype)
        first = _firsts(cols)
        if not first or not len(rows):
            return block
        stored, sizes = _spans(self.indptr, rows)
        keys = np.fromiter(first, np.int64, len(first))
        table = _table(max(self.width, int(keys.max()) + 1))
        table[keys] = np.fromiter(first.values(), np.int64, len(first))
        try:
            at = table[self.indices[stored]]
        finally:
            table[keys] = -1
        hit = np.flatnonzero(at >= 0)
        owner = np.repeat(np.arange(len(rows)), sizes)[hit]
        block[owner, at[hit]] = True if self.data is None else self.values(stored[hit], rows[owner])
        return _repeats(block, cols, first)


def gather(
    by_row: Rows, by_col: Columns, rows: np.ndarray, cols: Sequence[int], present: bool = False
) -> np.ndarray:
    """One matrix stored both ways, gathered the way that reads fewer stored values: by
    column for a few rare columns, by row for a few rows of a large matrix. `rows` distinct."""
    per_row = len(by_row.indices) / max(len(by_row.indptr) - 1, 1)
    if by_col.volume(cols) < len(rows) * per_row:
        return by_col.gather(rows, cols, present)
    block = by_row.gather(rows, cols)
    return block.astype(bool) if present and block.dtype != bool else block


def best_first(rows: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The `k` rows of highest score above 0, by score, then row: an order that does not
    depend on how a selection algorithm visits ties."""
    positive = scores > 0
    rows, scores = rows[positive], scores[positive]
    if len(rows) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        rows, scores = rows[scores >= kth], scores[scores >= kth]
    order = np.lexsort((rows, -scores))[:k]
    return rows[order].astype(np.int64, copy=False), scores[order]


def _firsts(cols: Sequence[int]) -> dict[int, int]:
    """Where each column asked for (not -1) is first asked."""
    first: dict[int, int] = {}
    for j, col in enumerate(cols):
        if col >= 0:
            first.setdefault(col, j)
    return first


def _batches(spans: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """The spans of positions in runs of about CHUNK values: a run ends where the running
    count of values passes a multiple of CHUNK."""
    ends = accumulate(end - start for start, end in spans)
    runs = groupby(zip(spans, ends, strict=True), key=lambda span_end: span_end[1] // CHUNK)
    return [[span for span, _ in run] for _, run in runs]


def _distinct(rows: np.ndarray) -> np.ndarray:
    """`rows` without repeats, in no particular order (np.unique sorts or hashes): a row
    keeps the one of its places that this thread's lookup table holds once all are written."""
    table = _table(int(rows.max()) + 1 if len(rows) else 0)
    places = np.arange(len(rows))
    table[rows] = places
    try:
        return rows[table[rows] == places]
    finally:
        table[rows] = -1


def _spans(indptr: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the values stored in rows (or columns) `at`, one after the other, and
    how many each holds."""
    starts = indptr[at]
    sizes = indptr[at + 1] - starts
    ends = np.cumsum(sizes)
    total = int(ends[-1]) if len(ends) else 0
    return np.arange(total) + np.repeat(starts - (ends - sizes), sizes), sizes


def _repeats(block: np.ndarray, cols: Sequence[int], first: dict[int, int]) -> np.ndarray:
    """A column asked twice: the first holds the values, the others get a copy."""
    if len(first) < len(cols):
        for j, col in enumerate(cols):
            if col >= 0 and first[col] != j:
                block[:, j] = block[:, first[col]]
    return block


_TABLES = threading.local()


def _table(size: int) -> np.ndarray:
    """This thread's lookup table of at least `size` slots, all -1."""
    table: np.ndarray | None = getattr(_TABLES, "table", None)
    if table is None or len(table) < size:
        table = _TABLES.table = np.full(size, -1, dtype=np.int64)
    return table


def by_column(
    indptr: np.ndarray, cols: np.ndarray, n_cols: int, data: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a matrix stored by row (`indptr`, `cols`, `data`): its values in column order (rows
    ascending within a column), their rows and the column pointers. scipy's counting sort,
    imported for builds only: loading a built index needs no scipy."""
    from scipy.sparse import csr_matrix

    n_rows = len(indptr) - 1
    small = np.int32 if max(len(cols), n_rows, n_cols) < 2**31 else np.int64  # scipy's dtype
    by_row = (data, cols.astype(small, copy=False), indptr.astype(small, copy=False))
    csc = csr_matrix(by_row, shape=(n_rows, n_cols), copy=False).tocsc()
    return csc.data, csc.indices.astype(np.int32, copy=False), csc.indptr.astype(np.int64)
