"""A learned signal for the ranking: which entry residents' own wording points to.

BM25 finds entries whose paraphrases share the message's words. This is a linear classifier over
the message's character n-grams, fitted offline by `bench/fit_learned.py` on the entries' titles
and paraphrases and on the project's labelled questions in residents' style (never on the dev
questions), so it weighs words by how well they tell entries apart. It is stored in
`data/learned.npz` as plain arrays: the engine needs no fitting library at run time.

An entry the model has not seen (a staff entry added since the fit) gets the median of the
candidates' margins when they are ordered: neither pushed up nor down. First among them, it
counts for the decision as sure as its best rival (`Learned.for_decision`), so a new entry's own
paraphrases are still answered directly."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .native import native
from .normalize import normalize

DATA_FILE = Path(__file__).parent / "data" / "learned.npz"
NGRAMS = (1, 2, 3)
# A feature with weights for this many entries or more is also kept as a dense row, so a
# message's margins for a few candidates read those rows' columns instead of gathering every
# weight of its common n-grams (about 36,000 a real message, nearly all in these rows).
DENSE_AT = 100


def grams(text: str) -> list[str]:
    """The character n-grams of a normalised message; the fit and the engine share this."""
    norm = normalize(text)
    return [norm[i : i + n] for n in NGRAMS for i in range(len(norm) - n + 1)]


_TF = np.array([0.0, *(1.0 + math.log(n) for n in range(1, 256))], dtype=np.float32)


def _sublinear(counts: np.ndarray) -> np.ndarray:
    """1 + ln n for each count n, in float32, from math.log (np.log may differ in the last bit)."""
    if counts.max() < len(_TF):
        return _TF[counts]
    return np.fromiter((1.0 + math.log(n) for n in counts.tolist()), np.float32, len(counts))


@dataclass
class Learned:
    vocabulary: dict[str, int]  # n-gram → feature number
    idf: np.ndarray  # per feature
    indptr: np.ndarray  # the weights by feature, compressed rows: feature → its entries
    entries: np.ndarray  # entry number of each stored weight
    weights: np.ndarray
    bias: np.ndarray  # per entry
    entry_ids: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = DATA_FILE) -> Learned | None:
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as raw:
            return cls(
                {g: i for i, g in enumerate(raw["grams"].tolist())},
                raw["idf"].astype(np.float32),
                raw["indptr"],
                raw["entries"],
                raw["weights"].astype(np.float32),
                raw["bias"].astype(np.float32),
                tuple(raw["entry_ids"].tolist()),
            )

    def save(self, path: Path) -> None:
        by_number = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        np.savez_compressed(
            path,
            grams=np.array(by_number),
            idf=self.idf.astype(np.float32),
            indptr=self.indptr.astype(np.int32),
            entries=self.entries.astype(np.int32),
            weights=self.weights.astype(np.float16),
            bias=self.bias.astype(np.float32),
            entry_ids=np.array(self.entry_ids),
        )

    def __post_init__(self) -> None:
        self._number = {entry_id: i for i, entry_id in enumerate(self.entry_ids)}
        common = np.flatnonzero(np.diff(self.indptr) >= DENSE_AT)
        self._dense_row = np.full(len(self.indptr) - 1, -1, dtype=np.int64)
        self._dense_row[common] = np.arange(len(common))
        # float16 when every weight is one (learned.npz stores them so): widening back is exact
        half = np.array_equal(
            self.weights.astype(np.float16).astype(self.weights.dtype), self.weights
        )
        self._dense = np.zeros(
            (len(common), len(self.entry_ids)), dtype=np.float16 if half else np.float32
        )
        at, lengths = self._runs(common)
        self._dense[np.repeat(np.arange(len(common)), lengths), self.entries[at]] = self.weights[at]

    def __getstate__(self) -> dict[str, object]:
        """Stored without the dense rows, which are rebuilt from the weights on load."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_dense", "_dense_row")}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(native(state))
        self.__post_init__()

    def _runs(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The places of every stored weight of `features`, feature by feature, in one gather,
        and how many weights each feature has."""
        starts = self.indptr[features]
        lengths = self.indptr[features + 1] - starts
        before = np.cumsum(lengths) - lengths
        return np.repeat(starts - before, lengths) + np.arange(int(lengths.sum())), lengths

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The message's known features and their values: sublinear tf × idf, unit length."""
        features, counts = self._counts(text)
        if not len(features):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        values = _sublinear(counts) * self.idf[features]
        return features, values / float(np.linalg.norm(values))

    def _counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The features of the message's n-grams the model knows, in the order `grams` first
        meets them, and how often each is met. One dict lookup a gram: a search of a sorted
        array of the vocabulary missed the cache at every step."""
        counted = Counter(f for f in map(self.vocabulary.get, grams(text)) if f is not None)
        return (
            np.fromiter(counted, np.int64, len(counted)),
            np.fromiter(counted.values(), np.int64, len(counted)),
        )

    def margins(self, text: str) -> np.ndarray:
        """Every known entry's margin for the message: positive where the model says it."""
        return self._margins_of(text, np.arange(len(self.entry_ids)))

    def _margins_of(self, text: str, numbers: np.ndarray) -> np.ndarray:
        """The margins of the entries `numbers`: the common features' dense rows read at those
        columns, the rare ones' weights gathered. Each product is the same float32 as a full
        gather's and the sums are kept in float64, as `np.bincount` keeps them."""
        features, values = self.vector(text)
        rows = self._dense_row[features]
        common = rows >= 0
        products = self._dense[np.ix_(rows[common], numbers)].astype(np.float32)
        products *= values[common, None]
        scores = products.sum(axis=0, dtype=np.float64)
        rare, rare_values = features[~common], values[~common]
        if len(rare):
            at, lengths = self._runs(rare)
            scores += np.bincount(
                self.entries[at],
                self.weights[at] * np.repeat(rare_values, lengths),
                len(self.entry_ids),
            )[numbers]
        return scores.astype(np.float32) + self.bias[numbers]

    def knows(self, entry_id: str) -> bool:
        return entry_id in self._number

    def for_decision(self, top: str, margins: dict[str, float]) -> dict[str, float]:
        """The candidates' margins as the decision reads them: an entry the model has not seen,
        first among them, counts as sure as its best rival."""
        if not margins or self.knows(top):
            return margins
        rivals = (value for entry_id, value in margins.items() if entry_id != top)
        return {**margins, top: max(rivals, default=margins[top])}

    def of(self, text: str, entry_ids: Iterable[str]) -> dict[str, float]:
        """The margins of `entry_ids`; one the model has not seen gets the median of the rest."""
        wanted = list(entry_ids)
        numbers = [self._number.get(e, -1) for e in wanted]
        if all(n < 0 for n in numbers):  # no margin to read: each gets the median of none
            return dict.fromkeys(wanted, 0.0)
        known_numbers = np.array([n for n in numbers if n >= 0], dtype=np.int64)
        read = self._margins_of(text, known_numbers).tolist()
        if -1 not in numbers:  # the usual case: no median needed
            return dict(zip(wanted, read, strict=True))
        known = dict(
            zip((e for e, n in zip(wanted, numbers, strict=True) if n >= 0), read, strict=True)
        )
        middle = float(np.median(list(known.values()))) if known else 0.0
        return {e: known.get(e, middle) for e in wanted}


def from_dense(
    vocabulary: dict[str, int],
    idf: Sequence[float],
    coef: np.ndarray,
    bias: Sequence[float],
    entry_ids: Sequence[str],
    keep: int,
) -> Learned:
    """A stored model from a fitted dense one (entries × features): each entry keeps its `keep`
    largest weights by size. Every feature stays in the vocabulary, as the message's length
    (the norm of its vector) counts them all."""
    coef = np.asarray(coef, dtype=np.float32).copy()
    if keep < coef.shape[1]:
        dropped = np.argpartition(-np.abs(coef), keep, axis=1)[:, keep:]
        np.put_along_axis(coef, dropped, 0.0, axis=1)
    by_feature = coef.T  # features × entries
    rows, cols = np.nonzero(by_feature)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=by_feature.shape[0]))])
    return Learned(
        dict(vocabulary),
        np.asarray(idf, dtype=np.float32),
        indptr.astype(np.int32),
        cols.astype(np.int32),
        by_feature[rows, cols].astype(np.float32),
        np.asarray(bias, dtype=np.float32),
        tuple(entry_ids),
    )
