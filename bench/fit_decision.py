"""Fit the answer-first decision (knowledge/data/decision.yaml) on blind sets at their first runs.

    python bench/fit_decision.py [--write] [--wrong-cost 10] [--menu-cost 1]

A resident's question is new to the knowledge base. A blind set is like that only once: at its
first run, before its misses were fixed. Each set's evidence is therefore worked out by this
engine over the knowledge base as it stood at that first run (the entries, cases, synonyms and
dictionary of the parent of the commit that added the set, read with `git archive`), against the
labels of that commit: no `also_after_first_run` help. For each labelled question: the evidence
for the top entry and whether that entry is right (out-of-scope and gap questions: answering is
always wrong). A logistic regression turns the evidence, each feature scaled to unit variance for
the penalty, into a probability; the coefficients are written back in the features' own units.

Every set is predicted by a model fitted on the other sets, so the curve is out of sample. The
cost is the stated one: a right direct answer costs 0, a menu costs `menu-cost` (the resident
writes again) and a wrong direct answer costs `wrong-cost`. The curve is flat near its lowest
point, and which threshold is lowest there flipped as sets joined (0.91, 0.89, 0.92), so the
operating point is the lowest threshold whose cost is within one standard error of the lowest
(the paired per-question difference): the cost cannot tell those apart, and of them it answers
most often. The rule was fixed before blind 19 was written. A new blind set joins FIRST_RUNS only
after its first run.

The learned ranking signal (`knowledge/learned.py`) is, for each set, the fold model of
`bench/fit_learned.py --folds` that never saw that set. `--drop NAME…` fits without those
features (their weights 0), to compare.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import yaml
from fit_learned import fold_model
from sklearn.linear_model import LogisticRegression

from knowledge.decide import DATA_FILE, FEATURES
from knowledge.evaluate import Labelled, read_labelled
from knowledge.kb import DATA_DIR, load_knowledge
from knowledge.matcher import Matcher

ROOT = Path(__file__).resolve().parent.parent
# Blind set → the commit that added it, recorded with its first run.
FIRST_RUNS = {
    1: "ed98b11",
    2: "6a4da60",
    3: "52953eb",
    4: "2e18c02",
    5: "2f67fdd",
    6: "f5d9588",
    7: "dbf2081",
    8: "26adf46",
    9: "302eb0a",
    10: "23ab283",
    11: "eff85d2",
    12: "59c1a02",
    13: "8b8a37b",
    14: "bee3c60",
    15: "1736dfc",
    16: "05ae4a9",
    17: "dcef111",
    18: "e59fae0",
    19: "92a0e84",
    20: "b193199",
    21: "ddaa107",
    22: "ed3514e",
    23: "f9f2376",
    24: "19d9e06",
    25: "979f24b",
    26: "67b0706",
    27: "8634978",
    28: "26c0fcb",
    29: "b28799f",
    30: "b96e7a7",
    31: "e4dfe64",
    32: "d623d39",
    33: "3e44728",
    34: "bd9dca1",
    35: "e2384b7",
    36: "e9d1752",
    37: "0318e94",
    38: "b5954cf",
    39: "2e50198",
    40: "238ebbc",
}
CONTENT = ("entries", "cases", "synonyms", "dict")  # what content rounds change
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


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True).stdout


def _content_at(rev: str, into: Path) -> Path:
    """The data directory with the content of `rev` and everything else as it is now."""
    data = into / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns(*CONTENT))
    archive = _git("archive", rev, *(f"knowledge/data/{part}" for part in CONTENT))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into / "then", filter="data")
    for part in CONTENT:
        shutil.copytree(into / "then" / "knowledge" / "data" / part, data / part)
    return data


@contextmanager
def first_run(number: int, added: str) -> Iterator[tuple[Matcher, list[Labelled]]]:
    """A matcher over the knowledge base of blind set `number`'s first run (`added`: the commit
    that added the set), and the set's labels as first written."""
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        matcher = Matcher(load_knowledge(_content_at(f"{added}^", where)))
        matcher.learned = fold_model(number)
        labels = where / "labels.jsonl"
        file_name = "labels.jsonl" if number == 1 else f"labels_{number}.jsonl"
        labels.write_bytes(_git("show", f"{added}:tests/data/blind/{file_name}"))
        yield matcher, read_labelled(labels)


def first_run_rows(number: int, added: str) -> list[Row]:
    with first_run(number, added) as (matcher, items):
        # Let every guarded candidate through, so the model alone decides in the figures.
        matcher.settings = dataclasses.replace(matcher.settings, answer_confidence=1e-9)
        rows: list[Row] = []
        for item in items:
            result = matcher.match(item.question)
            if not result.evidence:
                continue
            offered = {m.entry_id for m in matcher.choices(result)}
            rows.append(
                Row(
                    f"blind {number}",
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


DROPPED: set[int] = set()  # feature columns left out (--drop)


def fit(rows: list[Row]) -> Model:
    x = np.array([r.features for r in rows])
    x[:, sorted(DROPPED)] = 0.0
    y = np.array([r.right for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=5000).fit((x - mean) / scale, y)
    coef = model.coef_[0] / scale
    return Model(float(model.intercept_[0] - coef @ mean), coef)


def out_of_fold(rows: list[Row]) -> np.ndarray:
    p = np.zeros(len(rows))
    for group in dict.fromkeys(r.group for r in rows):
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
    return min(within)


def _within_one_se(each: np.ndarray, best: np.ndarray) -> bool:
    diff = each - best  # paired per question
    return bool(diff.mean() <= diff.std(ddof=1) / np.sqrt(len(diff)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write knowledge/data/decision.yaml")
    parser.add_argument("--wrong-cost", type=float, default=10.0)
    parser.add_argument("--menu-cost", type=float, default=1.0)
    parser.add_argument("--drop", nargs="+", default=[], choices=FEATURES, metavar="NAME")
    args = parser.parse_args()
    DROPPED.update(FEATURES.index(name) for name in args.drop)
    rows = []
    for number, added in FIRST_RUNS.items():
        rows += first_run_rows(number, added)
        print(f"blind {number} at its first run ({added}^): {len(rows)} rows so far", flush=True)
    print(
        f"{len(rows)} labelled questions; top entry right for {np.mean([r.right for r in rows]):.1%}"
    )
    every = out_of_fold(rows)
    for group in dict.fromkeys(r.group for r in rows):
        print(f"\n== {group} at its first run, predicted by a model fitted on the other sets")
        inside = [i for i, r in enumerate(rows) if r.group == group]
        curve([rows[i] for i in inside], every[inside], args.wrong_cost, args.menu_cost)
    print("\n== all sets at their first runs, out of fold: the operating point is chosen here")
    threshold = curve(rows, every, args.wrong_cost, args.menu_cost)
    print(f"\nout of fold at {threshold}: direct right | direct wrong | menu right | menu wrong")
    for name in (*dict.fromkeys(r.group for r in rows), "pooled"):
        inside = [i for i, r in enumerate(rows) if name in ("pooled", r.group)]
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
