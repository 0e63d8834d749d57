"""Fit the answer-first decision (knowledge/data/decision.yaml) on the labelled sets.

    python bench/fit_decision.py [--write] [--wrong-cost 10] [--menu-cost 1]

Each labelled question gives the engine's evidence for its top entry and whether that entry is
right (out-of-scope and gap questions: answering is always wrong). A logistic regression turns
the evidence, each feature scaled to unit variance for the penalty, into a probability; the
coefficients are written back in the features' own units. Every set is predicted by a model fitted on the other sets, so
the curve below is out of sample; the operating point is chosen on it by the stated cost:
a right direct answer costs 0, a menu costs `menu-cost` (the resident writes again) and a
wrong direct answer costs `wrong-cost`. The threshold of the lowest cost is taken, and a near tie
does not go to more direct answers: the fitting sets' content was sharpened after their first
runs, so out of fold they look better calibrated than a new writer's questions are, and blinds
13 and 14 both paid for the lean (docs/evaluation.md). A held-out set is added here only after
its first run.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression

from knowledge.decide import DATA_FILE, FEATURES
from knowledge.evaluate import read_labelled
from knowledge.kb import load_knowledge
from knowledge.matcher import Matcher

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = {
    "golden": sorted((DATA / "golden").glob("*.jsonl")),
    "dev": sorted(DATA.glob("dev_labels_*.jsonl")),
    "blind 1-3": [DATA / "blind" / f"labels{s}.jsonl" for s in ("", "_2", "_3")],
    "blind 4": [DATA / "blind" / "labels_4.jsonl"],
    "blind 5": [DATA / "blind" / "labels_5.jsonl"],
    "blind 6": [DATA / "blind" / "labels_6.jsonl"],
    "blind 7": [DATA / "blind" / "labels_7.jsonl"],
    "blind 8": [DATA / "blind" / "labels_8.jsonl"],
    "blind 9": [DATA / "blind" / "labels_9.jsonl"],
    "blind 10": [DATA / "blind" / "labels_10.jsonl"],
    "blind 11": [DATA / "blind" / "labels_11.jsonl"],
    "blind 12": [DATA / "blind" / "labels_12.jsonl"],
    "blind 13": [DATA / "blind" / "labels_13.jsonl"],
    "blind 14": [DATA / "blind" / "labels_14.jsonl"],
}
# The sets in residents' own style that the entries were not written against.
REAL_STYLE = (
    "dev",
    "blind 4",
    "blind 7",
    "blind 8",
    "blind 9",
    "blind 10",
    "blind 11",
    "blind 12",
    "blind 13",
    "blind 14",
)
THRESHOLDS = [0.5, 0.6, 0.7, 0.75, 0.8, 0.84, 0.86, 0.88, 0.89, 0.9, 0.91, 0.92, 0.95]
# The penalty on the scaled coefficients, chosen out of fold (docs/evaluation.md).
C = 1.0


@dataclasses.dataclass
class Row:
    group: str
    features: list[float]
    right: bool  # the top entry answers the question
    in_scope: bool
    allowed: bool  # the engine's other guards would let it answer directly
    menu_right: bool  # the short list holds a right entry


def collect(matcher: Matcher) -> list[Row]:
    rows: list[Row] = []
    for group, files in SETS.items():
        for item in (i for path in files for i in read_labelled(path)):
            result = matcher.match(item.question)
            if not result.evidence:
                continue
            offered = {m.entry_id for m in matcher.choices(result)}
            rows.append(
                Row(
                    group,
                    [result.evidence[name] for name in FEATURES],
                    result.best is not None and result.best.entry_id in item.expected,
                    bool(item.expected),
                    result.outcome == "answered",
                    bool(offered & item.expected),
                )
            )
    return rows


@dataclasses.dataclass
class Model:
    intercept: float
    coef: np.ndarray  # in the features' own units

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.intercept + x @ self.coef)))


def fit(rows: list[Row]) -> Model:
    x = np.array([r.features for r in rows])
    y = np.array([r.right for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=5000).fit((x - mean) / scale, y)
    coef = model.coef_[0] / scale
    return Model(float(model.intercept_[0] - coef @ mean), coef)


def out_of_fold(rows: list[Row]) -> np.ndarray:
    p = np.zeros(len(rows))
    for group in SETS:
        inside = [i for i, r in enumerate(rows) if r.group == group]
        model = fit([r for r in rows if r.group != group])
        p[inside] = model.probability(np.array([rows[i].features for i in inside]))
    return p


def first_replies(rows: list[Row], p: np.ndarray, threshold: float) -> str:
    """Direct right / wrong, menu right / wrong, in % of the in-scope questions."""
    kinds = [0, 0, 0, 0]
    for r, q in zip(rows, p, strict=True):
        if r.in_scope:
            direct = r.allowed and q >= threshold
            kinds[(0 if r.right else 1) if direct else (2 if r.menu_right else 3)] += 1
    return " | ".join(f"{k / max(sum(kinds), 1):.1%}" for k in kinds)


def curve(rows: list[Row], p: np.ndarray, wrong_cost: float, menu_cost: float) -> float:
    print(
        "threshold | direct rate | direct precision | direct wrong | cost/question | out-of-scope answered"
    )
    costs = []  # per threshold, each question's cost
    for threshold in THRESHOLDS:
        direct = np.array([r.allowed and q >= threshold for r, q in zip(rows, p, strict=True)])
        right = np.array([r.right for r in rows]) & direct
        scoped = np.array([r.in_scope for r in rows])
        wrong = direct & ~right
        each = np.where(wrong, wrong_cost, np.where(direct, 0.0, menu_cost * scoped))
        costs.append(each)
        n = int(scoped.sum())
        print(
            f"{threshold:.2f} | {(direct & scoped).sum() / n:.1%} | "
            f"{right.sum() / max((direct & scoped).sum(), 1):.1%} | {(wrong & scoped).sum() / n:.1%} | "
            f"{each.mean():.3f} | {int((direct & ~scoped).sum())}"
        )
    best = int(np.argmin([c.mean() for c in costs]))
    within = [t for t, c in zip(THRESHOLDS, costs, strict=True) if _within_one_se(c, costs[best])]
    print(f"lowest cost at {THRESHOLDS[best]}; within one standard error: {within}")
    return THRESHOLDS[best]


def _within_one_se(each: np.ndarray, best: np.ndarray) -> bool:
    diff = each - best  # paired per question
    return bool(diff.mean() <= diff.std(ddof=1) / np.sqrt(len(diff)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write knowledge/data/decision.yaml")
    parser.add_argument("--wrong-cost", type=float, default=10.0)
    parser.add_argument("--menu-cost", type=float, default=1.0)
    args = parser.parse_args()
    # Let every guarded candidate through, so the model alone decides in the figures below.
    matcher = Matcher(load_knowledge())
    matcher.settings = dataclasses.replace(matcher.settings, answer_confidence=1e-9)
    rows = collect(matcher)
    print(
        f"{len(rows)} labelled questions; top entry right for {np.mean([r.right for r in rows]):.1%}"
    )
    every = out_of_fold(rows)
    for group in SETS:
        print(f"\n== {group}, predicted by a model fitted on the other sets")
        inside = [i for i, r in enumerate(rows) if r.group == group]
        curve([rows[i] for i in inside], every[inside], args.wrong_cost, args.menu_cost)
    print("\n== all sets together, out of fold")
    curve(rows, every, args.wrong_cost, args.menu_cost)
    # The point is chosen on the sets in residents' own style, not on our tidy paraphrases.
    real = [i for i, r in enumerate(rows) if r.group in REAL_STYLE]
    print(f"\n== {' + '.join(REAL_STYLE)}, out of fold: the operating point is chosen here")
    threshold = curve([rows[i] for i in real], every[real], args.wrong_cost, args.menu_cost)
    print(f"\nout of fold at {threshold}: direct right | direct wrong | menu right | menu wrong")
    for name in (*REAL_STYLE, "pooled"):
        inside = real if name == "pooled" else [i for i in real if rows[i].group == name]
        print(f"{name} | {first_replies([rows[i] for i in inside], every[inside], threshold)}")
    model = fit(rows)
    weights = {name: round(float(w), 4) for name, w in zip(FEATURES, model.coef, strict=True)}
    print(f"\noperating point {threshold}; weights {weights}; intercept {model.intercept:.4f}")
    if args.write:
        DATA_FILE.write_text(
            "# Written by bench/fit_decision.py; refit after changing the engine or the sets.\n"
            + yaml.safe_dump(
                {
                    "intercept": round(model.intercept, 4),
                    "threshold": threshold,
                    "costs": {"right": 0, "menu": args.menu_cost, "wrong": args.wrong_cost},
                    "weights": weights,
                },
                allow_unicode=True,
                sort_keys=False,
            ),
            encoding="utf-8",
        )
        print(f"written to {DATA_FILE}")


if __name__ == "__main__":
    main()
