"""The sparse shortcuts of the scorer read what the plain computations read: a gather by
column equals one by row (and a dense lookup), columns are added as a loop adds them, and the
best rows are those a full sort puts first."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from knowledge import sparse
from knowledge.joins import one_after_other, side_by_side
from knowledge.sparse import Columns, Rows, gather


def _matrix(seed: int, n_rows: int = 60, n_cols: int = 90) -> tuple[np.ndarray, Rows, Columns]:
    rng = np.random.default_rng(seed)
    dense = (rng.random((n_rows, n_cols)) < 0.08) * rng.random((n_rows, n_cols))
    dense = dense.astype(np.float32)
    rows, cols = np.nonzero(dense)
    data = dense[rows, cols]
    by_row = Rows.build(rows.astype(np.int64), cols.astype(np.int64), data, n_rows)
    by_col = Columns.build(rows.astype(np.int64), cols.astype(np.int64), data, dense.shape)
    return dense, by_row, by_col


def test_gathers_by_row_and_by_column_agree() -> None:
    for seed in range(20):
        dense, by_row, by_col = _matrix(seed)
        rng = np.random.default_rng(100 + seed)
        rows = rng.choice(len(dense), size=int(rng.integers(1, 30)), replace=False)
        cols = [int(c) for c in rng.integers(-1, dense.shape[1], size=int(rng.integers(0, 25)))]
        cols += cols[:3]  # columns asked twice
        expected = np.zeros((len(rows), len(cols)), dtype=np.float32)
        for j, col in enumerate(cols):
            if col >= 0:
                expected[:, j] = dense[rows, col]
        assert by_row.gather(rows, cols).tobytes() == expected.tobytes()
        assert by_col.gather(rows, cols).tobytes() == expected.tobytes()
        assert gather(by_row, by_col, rows, cols).tobytes() == expected.tobytes()
        present = gather(by_row, by_col, rows, cols, present=True)
        assert (present == (expected != 0)).all()
        assert (by_col.gather(rows, cols, present=True) == present).all()


def test_accumulate_adds_column_after_column() -> None:
    for seed in range(20):
        dense, _, by_col = _matrix(seed)
        cols = np.random.default_rng(seed).integers(0, dense.shape[1], size=12).tolist()
        expected = np.zeros(len(dense), dtype=np.float32)
        for col in cols:
            expected += dense[:, col]
        assert by_col.accumulate(cols).tobytes() == expected.tobytes()


@pytest.mark.parametrize("small", [False, True])
def test_top_rows_are_those_a_full_sort_puts_first(small: bool, monkeypatch) -> None:
    if small:  # a sampled floor and several batches, as on a matrix of 100,000 rows
        monkeypatch.setattr(sparse, "SAMPLED_ROWS", 1)
        monkeypatch.setattr(sparse, "CHUNK", 50)
    for seed in range(40):
        rng = np.random.default_rng(seed)
        n_rows, n_cols = int(rng.integers(5, 3000)), 40
        # few distinct values, so that many rows tie, also at the k-th place; some columns
        # rare and high, others common and low, as words are
        share = rng.choice([0.02, 0.3], size=n_cols)
        dense = (rng.random((n_rows, n_cols)) < share) * rng.integers(1, 4, (n_rows, n_cols))
        dense = (dense * np.where(share < 0.1, 7.3, 0.11)).astype(np.float32)
        rows, cols = np.nonzero(dense)
        by_col = Columns.build(rows, cols, dense[rows, cols], dense.shape)
        wanted = rng.integers(0, n_cols, size=int(rng.integers(1, 12))).tolist()
        k = int(rng.integers(1, 200))
        total = by_col.accumulate(wanted)
        order = sorted((r for r in range(n_rows) if total[r] > 0), key=lambda r: (-total[r], r))
        got, sums = by_col.top(wanted, k)
        assert got.tolist() == order[:k]
        assert sums.tobytes() == total[order[:k]].tobytes()
    assert [len(part) for part in by_col.top([], 5)] == [0, 0]


def test_side_by_side_keeps_the_first_parts_values_and_reads_the_others_as_one() -> None:
    for seed in range(10):
        first, first_rows, first_cols = _matrix(seed, n_cols=40)
        second, second_rows, _ = _matrix(50 + seed, n_cols=30)
        dense = np.hstack([first, (second != 0).astype(np.float32)])
        second_rows.data = None
        by_row = side_by_side([first_rows, second_rows], [0, 40])
        by_col = one_after_other([first_cols, Columns.of(second_rows, 30)])
        rows = np.arange(len(dense))
        cols = list(range(dense.shape[1]))
        assert by_row.gather(rows, cols).tobytes() == dense.tobytes()
        assert by_col.gather(rows, cols).tobytes() == dense.tobytes()
        assert np.allclose(by_col.accumulate(cols), dense.sum(axis=1))


def test_unpickled_matrices_use_numpys_own_dtypes() -> None:
    """An unpickled array's dtype is an equal copy of numpy's, with which np.add.at is slow."""
    _, by_row, by_col = _matrix(3)
    for matrix in (by_row, by_col):
        again = pickle.loads(pickle.dumps(matrix, protocol=pickle.HIGHEST_PROTOCOL))
        assert again.indices.dtype is np.dtype(np.int32)
        assert again.data is not None
        assert again.data.dtype is np.dtype(np.float32)
    assert by_col.accumulate([1, 2]).tobytes() == again.accumulate([1, 2]).tobytes()
