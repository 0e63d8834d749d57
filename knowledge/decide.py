"""Answer first or offer a short list: a calibrated probability that the top entry is right.

The model is a logistic regression over the evidence below, fitted by `bench/fit_decision.py`
on every blind set as the knowledge base stood at its first run (a resident's question is new to
the entries, as a blind set is only once), and stored in `data/decision.yaml`, so the engine
needs no fitting library at run time."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import yaml

from .results import Match

DATA_FILE = Path(__file__).parent / "data" / "decision.yaml"
FEATURES = (
    "score",  # the top entry's calibrated score
    "lead",  # its lead over the runner-up
    "coverage",  # share of the message's word weight it explains
    "char_coverage",  # the same for character pairs
    "similarity",  # closeness to its best paraphrase
    "legal_coverage",  # share of the message's legal words it explains
    "coverage_lead",  # how much more of the message it explains than the runner-up
    "siblings",  # 1 when the two first entries share a topic
    "length",  # log of the message's length in characters
    "char_lead",  # how much more of the character pairs it explains than the runner-up
    "third_ratio",  # the third entry's score over its own: a crowd of near rivals
    "own_weight",  # share of the message's word weight it explains and the runner-up does not
    "precision",  # share of its best paraphrase's weight found in the message
    "clauses",  # log of the message's number of clauses: two problems in one message
    # From the finer evidence of `standing.Standing`:
    "typical_lead",  # how much more typical the message's words are of its paraphrases
    "side_miss_lead",  # how many more side and stage words it expects and the message lacks
    "topic_share",  # share of the first candidates' score in its topic
    "breadth",  # log of the number of words its title and paraphrases use
    # From the learned signal (`learned.Learned`), 0 without one:
    "learned",  # its margin: positive where the classifier names it
    "learned_lead",  # its margin over the best margin of the other candidates
)
LEARNED = FEATURES[-2:]
STANDING = FEATURES[-6:-2]
_CLAUSES = re.compile(r"[\s,.!;:，。！；：、…~?？]+")


def evidence(
    query: str,
    ranked: Sequence[Match],
    weights: Mapping[str, float],
    is_legal: Callable[[str], bool],
    topic_of: Callable[[str], str],
    standing: Mapping[str, float],
    linked: Callable[[str, str], bool] = lambda a, b: False,
    learned: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """The evidence for `ranked[0]`; `standing` is `Standing.of` the same list and `learned`
    the learned margins of its entries. Entries `linked` to the top one (its curated next
    steps) are not its rivals."""
    top = ranked[0]
    rivals = list(islice((m for m in ranked[1:] if not linked(top.entry_id, m.entry_id)), 2))
    second = rivals[0] if rivals else None
    third = rivals[1].score if len(rivals) > 1 else 0.0
    legal = {t: w for t, w in weights.items() if is_legal(t)}
    legal_total = sum(legal.values())
    legal_found = sum(w for t, w in legal.items() if t in top.matched_terms)
    rival = set(second.matched_terms) if second else set()
    own = sum(weights[t] for t in top.matched_terms if t not in rival and t in weights)
    return {
        "score": top.score,
        "lead": top.score - (second.score if second else 0.0),
        "coverage": top.coverage,
        "char_coverage": top.char_coverage,
        "similarity": top.similarity,
        "legal_coverage": legal_found / legal_total if legal_total else 0.0,
        "coverage_lead": top.coverage - (second.coverage if second else 0.0),
        "siblings": float(
            second is not None and topic_of(top.entry_id) == topic_of(second.entry_id)
        ),
        "length": math.log(1 + len(query.strip())),
        "char_lead": top.char_coverage - (second.char_coverage if second else 0.0),
        "third_ratio": third / top.score if top.score else 0.0,
        "own_weight": own / (sum(weights.values()) or 1.0),
        "precision": top.precision,
        "clauses": math.log(1 + len([c for c in _CLAUSES.split(query.strip()) if c])),
        **{name: standing[name] for name in STANDING},
        **_learned(top.entry_id, ranked, learned or {}),
    }


def _learned(top: str, ranked: Sequence[Match], margins: Mapping[str, float]) -> dict[str, float]:
    if not margins:
        return dict.fromkeys(LEARNED, 0.0)
    own = margins.get(top, 0.0)
    others = [margins.get(m.entry_id, 0.0) for m in ranked[1:]]
    return {"learned": own, "learned_lead": own - max(others, default=own)}


@dataclass(frozen=True)
class Calibration:
    intercept: float
    weights: dict[str, float]
    threshold: float  # the fitted operating point; settings may override it

    @classmethod
    def load(cls, path: Path = DATA_FILE) -> Calibration:
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        weights = {name: float(raw["weights"][name]) for name in FEATURES}
        return cls(float(raw["intercept"]), weights, float(raw["threshold"]))

    def probability(self, values: Mapping[str, float]) -> float:
        z = self.intercept + sum(w * values[name] for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-z))
