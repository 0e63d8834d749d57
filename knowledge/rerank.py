"""Reordering the first candidates: which sibling the message asks for.

The engine's score says how much of the message an entry explains. Siblings (custody and child
support, the victim and the driver at fault, suing and enforcing a judgment) explain about as
much, so the reranker reads finer evidence for each of the first `TOP` candidates: how typical the
message's words, and the words of its ask (`focus.ask_part`), are of the entry's paraphrases,
how much of its title the ask holds, words that set it apart from the other candidates, and
whether the entry's paraphrases make kinds of ask, or tell of sides, that the message does not
(`cues.py`). A linear model (weights in `data/rerank.yaml`, fitted by `bench/fit_rerank.py`)
scores them; only the order changes, never a score. The file says whether it is switched on."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from . import cues
from .focus import ask_part
from .kb import Entry
from .kept import Kept
from .normalize import normalize
from .results import Match
from .tokenize import LegalTokenizer

DATA_FILE = Path(__file__).parent / "data" / "rerank.yaml"
# An entry's number → its title and paraphrases, normalised, and the words of each
# (`Index.paraphrases`).
Paraphrases = Callable[[int], tuple[list[str], list[list[str]]]]
TOP = 8
# Profiles kept at most: a worker of a large knowledge base meets more entries over its life
# than it needs to remember (up to about 10 KB each); the oldest go first.
PROFILES_KEPT = 5_000
FEATURES = (
    "score",  # the engine's score
    "rank",  # the engine's place, 0 for the first, over TOP
    "centrality",  # BM25 over the entry's paraphrases together, relative to the best
    "coverage",
    "char_coverage",
    "similarity",
    "typical",  # the message's word weight, each word by the share of paraphrases using it
    "ask_typical",  # the same for the words of the ask
    "distinct",  # message weight explained by words few other candidates explain
    "topic_share",  # share of the candidates' score in the entry's topic
    "title_ask",  # share of the title's character pairs found in the ask
    "ask_miss",  # kinds of ask (how much, where, whose…) its paraphrases make and the ask does not
    "side_miss",  # side and stage words (我把…打了, 被…撞, 判了, 老板…) it uses, the message not
    "breadth",  # log of the number of words its title and paraphrases use
    "answer_length",  # log of its answer's length
)


def _pairs(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


@dataclass(frozen=True)
class Profile:
    """What the reranker knows of one entry, from its own title, paraphrases and answer."""

    topic: str
    texts: tuple[str, ...]  # its title and paraphrases, normalised
    typical: Mapping[str, float]  # word → share of the entry's title and paraphrases using it
    sides: np.ndarray  # share of them with each side or stage word (cues.SIDES)
    breadth: float
    answer_length: float

    # Read by the reranker's own order only, not by the answer-first decision.
    @cached_property
    def title_pairs(self) -> frozenset[str]:
        return _pairs(self.texts[0])

    @cached_property
    def asks(self) -> np.ndarray:
        """Share of the texts making each kind of ask (cues.ASKS)."""
        return np.mean([cues.asks(t) for t in self.texts], axis=0)


def profile(entry: Entry, texts: Sequence[str], words: Sequence[Collection[str]]) -> Profile:
    """`texts`: the entry's title and paraphrases, normalised; `words`: the words of each."""
    counts: Counter[str] = Counter()
    for found in words:
        counts.update(set(found))
    return Profile(
        entry.topic,
        tuple(texts),
        {t: n / len(texts) for t, n in counts.items()},
        cues.side_shares(texts),
        math.log1p(len(counts)),
        math.log(1 + len(entry.answer)),
    )


class Reranker:
    def __init__(
        self,
        entries: Sequence[Entry],
        tokenizer: LegalTokenizer,
        paraphrases: Paraphrases,
        path: Path = DATA_FILE,
    ) -> None:
        self._tokenizer = tokenizer
        self._entries = {e.id: (i, e) for i, e in enumerate(entries)}
        self._paraphrases = paraphrases
        # Switched on, a knowledge base of at most PROFILES_KEPT entries has every profile built
        # with the index (`build_profiles`, stored with the index cache), so no message waits
        # for one; a larger one works them out for the candidates a message meets and keeps the
        # latest.
        self._built: dict[str, Profile] = {}
        self._profiles: Kept[str, Profile] = Kept(PROFILES_KEPT)
        self.weights: np.ndarray | None = None
        if path.exists():
            raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
            if raw.get("enabled"):
                self.weights = np.array([float(raw["weights"][name]) for name in FEATURES])

    def features(
        self,
        query: str,
        weights: Mapping[str, float],
        matches: Sequence[Match],
        centrality: Mapping[str, float],
    ) -> np.ndarray:
        """One row of FEATURES for each of the first TOP candidates of `matches`."""
        top = matches[:TOP]
        norm = normalize(query)
        ask = ask_part(query)
        asked = set(self._tokenizer.tokens(ask)) & weights.keys() if ask else weights.keys()
        ask_norm = normalize(ask) if ask else norm
        ask_total = sum(weights[t] for t in asked) or 1.0
        total = sum(weights.values()) or 1.0
        ask_pairs = _pairs(ask_norm)
        kinds = 1.0 - np.array(cues.asks(ask_norm), dtype=np.float64)
        side = 1.0 - np.array(cues.sides(norm), dtype=np.float64)
        spread = Counter(t for m in top for t in m.matched_terms)
        profiles = [self._profile(m.entry_id) for m in top]
        by_topic = _topic_shares(top, profiles)
        rows = np.empty((len(top), len(FEATURES)))
        for rank, (m, p) in enumerate(zip(top, profiles, strict=True)):
            typical = p.typical
            rows[rank] = (
                m.score,
                rank / TOP,
                centrality.get(m.entry_id, 0.0),
                m.coverage,
                m.char_coverage,
                m.similarity,
                _typical(weights, typical) / total,
                _typical(weights, typical, asked) / ask_total,
                sum(weights[t] * (1 - (spread[t] - 1) / len(top)) for t in m.matched_terms) / total,
                by_topic[p.topic],
                len(p.title_pairs & ask_pairs) / (len(p.title_pairs) or 1),
                float(kinds @ p.asks) / len(kinds),
                float(side @ p.sides) / len(side),
                p.breadth,
                p.answer_length,
            )
        return rows

    def build_profiles(self) -> None:
        """Every entry's profile, when the reranker is switched on and there are at most
        PROFILES_KEPT entries."""
        if self.weights is not None and len(self._entries) <= PROFILES_KEPT:
            for entry_id, (number, entry) in self._entries.items():
                found = profile(entry, *self._paraphrases(number))
                _ = found.title_pairs, found.asks  # cached with it
                self._built[entry_id] = found

    def _profile(self, entry_id: str) -> Profile:
        if (found := self._built.get(entry_id)) is not None:
            return found
        if (found := self._profiles.get(entry_id)) is None:
            number, entry = self._entries[entry_id]
            found = self._profiles.keep(entry_id, profile(entry, *self._paraphrases(number)))
        return found

    def order(
        self,
        query: str,
        weights: Mapping[str, float],
        matches: list[Match],
        centrality: Mapping[str, float],
    ) -> list[Match]:
        """The first TOP candidates in the model's order (ties keep the engine's), the rest
        as they were. Switched off, the engine's order."""
        if self.weights is None or len(matches) < 2:
            return matches
        values = self.features(query, weights, matches, centrality) @ self.weights
        order = np.argsort(-values, kind="stable").tolist()
        return [matches[i] for i in order] + matches[TOP:]


def _typical(
    weights: Mapping[str, float],
    typical: Mapping[str, float],
    among: AbstractSet[str] | None = None,
) -> float:
    """The weight of the message's words (of `among` only, if given), each by the share of
    paraphrases using it."""
    common = weights.keys() & typical.keys()
    return sum(weights[t] * typical[t] for t in (common if among is None else common & among))


def _topic_shares(top: Sequence[Match], profiles: Sequence[Profile]) -> dict[str, float]:
    """Each topic's share of the candidates' score."""
    by_topic: dict[str, float] = {}
    for m, p in zip(top, profiles, strict=True):
        by_topic[p.topic] = by_topic.get(p.topic, 0.0) + m.score
    total = sum(by_topic.values()) or 1.0
    return {topic: score / total for topic, score in by_topic.items()}
