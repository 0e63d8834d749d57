"""Fit the reranker (knowledge/data/rerank.yaml) on the labelled sets, and prove it out of fold.

    python bench/fit_rerank.py [--first-runs] [--full] [--write [--enable]] [-C 0.03]

For every in-scope labelled question, the engine's first candidates (knowledge.rerank.TOP) and
their features are taken in the engine's own order, with the reranker off. A linear model over
the features gives each candidate a value, and the probability that the right candidate is
first is the softmax of the values over the list (a conditional logit, L2-regularised); only
lists holding both a right and a wrong candidate teach it anything. Each set is measured by a
model fitted on all the other sets (leave one set out): top-1 and top-3 before and after.
`--full` also runs `pufa eval`'s first-reply split on each held-out set with its fold's model in
place (the decision as it is). `--write` stores the model fitted on every set; the engine uses
it only when the file says `enabled: true` (`--enable`).

`--first-runs` takes the blind sets instead as they stood at their first runs (the knowledge base
of each one's first run, as `bench/fit_decision.py` rebuilds it): a resident's question is new to
the entries, and the labelled sets are so only once. Each set is then judged by a model fitted on
the others' first runs, and `--write` fits on all of them.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import minimize

from knowledge.evaluate import FIRST_REPLY, Labelled, evaluate, read_labelled
from knowledge.kb import load_knowledge
from knowledge.matcher import Matcher
from knowledge.rerank import DATA_FILE, FEATURES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data"
SETS = {
    "golden": sorted((DATA / "golden").glob("*.jsonl")),
    "dev": sorted(DATA.glob("dev_labels_*.jsonl")),
    "blind 1-3": [DATA / "blind" / f"labels{s}.jsonl" for s in ("", "_2", "_3")],
    **{f"blind {n}": [DATA / "blind" / f"labels_{n}.jsonl"] for n in range(4, 11)},
}
HELD_OUT = ("dev", *(f"blind {n}" for n in range(4, 11)))
POOLED = tuple(f"blind {n}" for n in range(6, 11))
C = 0.03


@dataclasses.dataclass
class Row:
    group: str
    features: np.ndarray  # one row per candidate, in the engine's order
    right: np.ndarray  # which candidates answer the question


def collect(matcher: Matcher) -> list[Row]:
    """The candidates as the engine orders them, with the reranker switched off."""
    return [
        row
        for group, files in SETS.items()
        for row in candidates(matcher, group, [i for path in files for i in read_labelled(path)])
    ]


def candidates(matcher: Matcher, group: str, items: list[Labelled]) -> list[Row]:
    """For each in-scope item, its first candidates' features in the engine's order (reranker
    off) and which of them are right."""
    rows: list[Row] = []
    reranker = matcher.reranker
    saved = reranker.weights
    reranker.weights = None
    captured: list[tuple[np.ndarray, list[str]]] = []
    plain = reranker.order

    def capture(query, weights, matches, centrality):  # type: ignore[no-untyped-def]
        features = reranker.features(query, weights, matches, centrality)
        captured.append((features, [m.entry_id for m in matches[: len(features)]]))
        return plain(query, weights, matches, centrality)

    reranker.order = capture  # type: ignore[method-assign]
    try:
        for item in items:
            if not item.expected:
                continue
            captured.clear()
            matcher.match(item.question)
            if not captured or not len(captured[-1][0]):
                rows.append(Row(group, np.zeros((0, len(FEATURES))), np.zeros(0, bool)))
                continue
            features, ids = captured[-1]
            rows.append(Row(group, features, np.array([e in item.expected for e in ids])))
    finally:
        del reranker.order
        reranker.weights = saved
    return rows


def collect_first_runs() -> list[Row]:
    """Every blind set's candidates over the knowledge base of its first run."""
    from bench.fit_decision import FIRST_RUNS, first_run

    rows: list[Row] = []
    for number, added in FIRST_RUNS.items():
        with first_run(number, added) as (matcher, items):
            rows += candidates(matcher, f"blind {number}", items)
        print(f"blind {number} at its first run ({added}^): {len(rows)} lists so far", flush=True)
    return rows


def fit(rows: list[Row], c: float = C) -> np.ndarray:
    """Weights maximising the log-probability of the right candidates, less |w|² / 2c, on
    features scaled to unit spread (the weights returned are for unscaled features)."""
    lists = [(r.features, r.right) for r in rows if r.right.any() and not r.right.all()]
    scale = np.vstack([f for f, _ in lists]).std(axis=0)
    scale[scale == 0] = 1.0
    lists = [(f / scale, right) for f, right in lists]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.5 / c * float(w @ w), w / c
        for f, right in lists:
            z = f @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            found = p[right].sum()
            total -= float(np.log(found))
            grad = grad - (p[right] @ f[right]) / found + p @ f
        return total, grad

    weights = minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B").x
    return weights / scale


def hits(rows: list[Row], weights: np.ndarray | None) -> tuple[int, int, int]:
    top1 = top3 = 0
    for row in rows:
        if not len(row.right):
            continue
        order = np.arange(len(row.right))
        if weights is not None:
            values = row.features @ weights
            order = np.array(sorted(order, key=lambda i: (-values[i], i)))
        top1 += bool(row.right[order[0]])
        top3 += bool(row.right[order[:3]].any())
    return top1, top3, len(rows)


def report(rows: list[Row], c: float) -> dict[str, np.ndarray]:
    models = {}
    pooled = np.zeros(6)
    print("set | n | top-1 before → after | top-3 before → after")
    for group in HELD_OUT:
        inside = [r for r in rows if r.group == group]
        models[group] = fit([r for r in rows if r.group != group], c)
        b1, b3, n = hits(inside, None)
        a1, a3, _ = hits(inside, models[group])
        print(f"{group} | {n} | {b1 / n:.1%} → {a1 / n:.1%} | {b3 / n:.1%} → {a3 / n:.1%}")
        if group in POOLED:
            pooled += [b1, a1, b3, a3, n, 0]
    b1, a1, b3, a3, n, _ = pooled
    print(
        f"blinds 6-10 pooled | {n:.0f} | {b1 / n:.1%} → {a1 / n:.1%} | {b3 / n:.1%} → {a3 / n:.1%}"
    )
    return models


def report_first_runs(rows: list[Row], c: float) -> None:
    """Each set at its first run by a model fitted on the other sets' first runs."""
    print("set at its first run | n | top-1 before → after | top-3 before → after")
    pools = {"all": np.zeros(5), "blinds 6-10": np.zeros(5), "blinds 19 on": np.zeros(5)}
    for group in dict.fromkeys(r.group for r in rows):
        inside = [r for r in rows if r.group == group]
        b1, b3, n = hits(inside, None)
        a1, a3, _ = hits(inside, fit([r for r in rows if r.group != group], c))
        print(f"{group} | {n} | {b1 / n:.1%} → {a1 / n:.1%} | {b3 / n:.1%} → {a3 / n:.1%}")
        number = int(group.split()[-1])
        for name, keep in (
            ("all", True),
            ("blinds 6-10", 6 <= number <= 10),
            ("blinds 19 on", number >= 19),
        ):
            if keep:
                pools[name] += [b1, a1, b3, a3, n]
    for name, (before1, after1, before3, after3, size) in pools.items():
        print(
            f"{name} pooled | {size:.0f} | {before1 / size:.1%} → {after1 / size:.1%} | "
            f"{before3 / size:.1%} → {after3 / size:.1%}"
        )


def first_replies(matcher: Matcher, models: dict[str, np.ndarray]) -> None:
    kinds = [k for k in FIRST_REPLY if k != "law_text"]
    print("\nset | " + " | ".join(k.replace("_", " ") for k in kinds) + " | top-1 | top-3")
    saved = matcher.reranker.weights
    pooled = {label: Counter[str]() for label in ("before", "after")}
    for group in HELD_OUT:
        items = [i for path in SETS[group] for i in read_labelled(path)]
        for label, weights in (("before", None), ("after", models[group])):
            matcher.reranker.weights = weights
            found = evaluate(matcher, items)
            if group in POOLED:
                pooled[label].update(found.first_reply)
                pooled[label].update(top1=found.top1, top3=found.top3, n=found.in_scope)
            s = found.summary()
            split = " | ".join(f"{s['first_reply'][k]:.1%}" for k in kinds)
            print(f"{group} {label} | {split} | {s['top1']:.1%} | {s['top3']:.1%}")
    matcher.reranker.weights = saved
    for label, c in pooled.items():
        split = " | ".join(f"{c[k] / c['n']:.1%}" for k in [*kinds, "top1", "top3"])
        print(f"blinds 6-10 pooled {label} | {split}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write knowledge/data/rerank.yaml")
    parser.add_argument("--enable", action="store_true", help="written switched on")
    parser.add_argument("--full", action="store_true", help="first-reply split per held-out set")
    parser.add_argument("-C", type=float, default=C, help="inverse regularisation strength")
    parser.add_argument("--first-runs", action="store_true", help="the blind sets' first runs")
    args = parser.parse_args()
    if args.first_runs:
        rows = collect_first_runs()
        report_first_runs(rows, args.C)
    else:
        matcher = Matcher(load_knowledge())
        rows = collect(matcher)
        models = report(rows, args.C)
        if args.full:
            first_replies(matcher, models)
    weights = fit(rows, args.C)
    print("\nweights " + ", ".join(f"{n} {w:+.3f}" for n, w in zip(FEATURES, weights, strict=True)))
    if args.write:
        DATA_FILE.write_text(
            "# Written by bench/fit_rerank.py; refit after changing the engine or the sets.\n"
            + yaml.safe_dump(
                {
                    "enabled": args.enable,
                    "fitted_on": "first runs" if args.first_runs else "labelled sets",
                    "C": args.C,
                    "weights": {
                        n: round(float(w), 4) for n, w in zip(FEATURES, weights, strict=True)
                    },
                },
                sort_keys=False,
            ),
            encoding="utf-8",
        )
        print(f"written to {DATA_FILE}")


if __name__ == "__main__":
    main()
