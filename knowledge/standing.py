"""How the first candidate stands against the others on finer evidence, for the answer-first
decision (`decide.py`): how typical the message's words are of each entry's paraphrases, which
side and stage words they use that the message does not, the topic's share of the candidates'
score, and the entry's breadth.

Worked out with the index for every entry at once: its side and stage cues (one regex pass over
all texts) and how many of its texts use each word (a sparse entry × word matrix, whose row
lengths are the breadth); a message reads its words from the first candidates' rows. So a fresh
worker pays nothing more for an entry it has not met, at any size of knowledge base."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from . import cues
from .index import Index
from .kb import Entry
from .native import native
from .normalize import normalize
from .rerank import TOP
from .results import Match
from .sparse import Rows

BUILD_STEP = 10_000  # entries read at once while building


class Standing:
    def __init__(self, index: Index, entries: Sequence[Entry]) -> None:
        self._index = index
        self._row = {entry.id: i for i, entry in enumerate(entries)}
        self._topic = [entry.topic for entry in entries]
        # An entry's texts are its docs but the last, which holds its keywords; every entry
        # has one at least, its title.
        self._first = index.doc_start.astype(np.int64)
        self._count = (index.doc_end - index.doc_start - 1).astype(np.int64)
        self.sides = np.zeros((len(entries), len(cues.SIDES)))
        used: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for at in range(0, len(entries), BUILD_STEP):  # a step at a time: little memory
            rows = np.arange(at, min(at + BUILD_STEP, len(entries)))
            counts = self._count[rows]
            docs = _ranges(self._first[rows], counts)
            told = cues.sides_told(index.texts(docs))
            found = np.add.reduceat(told, np.cumsum(counts) - counts, axis=0, dtype=np.float64)
            self.sides[rows] = found / counts[:, None]
            used.append(_words_used(index, docs, np.repeat(rows, counts)))
        # Entry × word: how many of the entry's texts use the word.
        owner, word, texts = (np.concatenate(parts) for parts in zip(*used, strict=True))
        self._uses = Rows.build(owner, word, texts, len(entries))
        # math.log1p, as the profile takes it: numpy's differs in the last bit for some counts.
        words = np.diff(self._uses.indptr).tolist()
        self.breadth = np.array([math.log1p(n) for n in words], dtype=np.float64)

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(native(state))

    def of(
        self, query: str, weights: Mapping[str, float], matches: Sequence[Match]
    ) -> dict[str, float]:
        """The standing of `matches[0]` among the first TOP of `matches`."""
        top = matches[:TOP]
        rows = np.array([self._row[m.entry_id] for m in top], dtype=np.int64)
        typical = self._typical(rows, weights) / (sum(weights.values()) or 1.0)
        side = 1.0 - np.array(cues.sides(normalize(query)), dtype=np.float64)
        side_miss = self.sides[rows] @ side / len(side)
        by_topic: dict[str, float] = {}
        for m in top:
            topic = self._topic[self._row[m.entry_id]]
            by_topic[topic] = by_topic.get(topic, 0.0) + m.score

        def lead(values: np.ndarray) -> float:
            return float(values[0] - values[1:].max()) if len(values) > 1 else 0.0

        return {
            "typical_lead": lead(typical),
            "side_miss_lead": lead(side_miss),
            "topic_share": by_topic[self._topic[rows[0]]] / (sum(by_topic.values()) or 1.0),
            "breadth": float(self.breadth[rows[0]]),
        }

    def _typical(self, rows: np.ndarray, weights: Mapping[str, float]) -> np.ndarray:
        """Per entry, the message's word weight, each word by the share of the entry's texts
        using it."""
        uses = self._uses.gather(rows, [self._index.term(t) for t in weights])
        shares = uses / self._count[rows][:, None]
        return shares @ np.fromiter(weights.values(), np.float64, len(weights))


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """start, start + 1, … for each (start, size), one range after the other."""
    offsets = np.cumsum(sizes) - sizes
    return np.arange(int(sizes.sum())) + np.repeat(starts - offsets, sizes)


def _words_used(
    index: Index, docs: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(entry, word, how many of its `docs` use the word), by entry then word, from `docs`
    and their entries `owner`; "" stands in for a text without words and is not one."""
    at, ids = index.doc_words.indptr, index.doc_words.indices
    sizes = at[docs + 1] - at[docs]
    words = ids[_ranges(at[docs], sizes)].astype(np.int64)
    entries = np.repeat(owner, sizes)
    if (blank := index.term_id.get("")) is not None:
        words, entries = words[words != blank], entries[words != blank]
    width = len(index.terms)
    pairs, texts = np.unique(entries * width + words, return_counts=True)
    return pairs // width, pairs % width, texts.astype(np.uint16)
