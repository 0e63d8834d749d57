"""Answer first or offer a short list: a calibrated probability that the top entry is right.

The model is a logistic regression over the evidence below, fitted by `bench/fit_decision.py`
on the labelled question sets and stored in `data/decision.yaml`, so the engine needs no
fitting library at run time."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
)


def evidence(
    query: str,
    ranked: Sequence[Match],
    weights: Mapping[str, float],
    is_legal: Callable[[str], bool],
    topic_of: Callable[[str], str],
) -> dict[str, float]:
    top = ranked[0]
    second = ranked[1] if len(ranked) > 1 else None
    legal = {t: w for t, w in weights.items() if is_legal(t)}
    legal_total = sum(legal.values())
    legal_found = sum(w for t, w in legal.items() if t in top.matched_terms)
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
    }


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
