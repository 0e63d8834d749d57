"""Fit the learned ranking signal (knowledge/data/learned.npz), and prove it on held-out sets.

    python bench/fit_learned.py --write             # fit on everything, store it
    python bench/fit_learned.py --hold-out 28 27    # fit without those sets, measure them
    python bench/fit_learned.py --folds             # the fold models bench/fit_decision.py uses

A linear SVM (one entry against the rest) over character 1–3-grams, tf-idf, fitted on every
entry's title and paraphrases and on the in-scope lines of the golden and blind sets (each line
as an example of its first expected entry). The dev questions are never used: they are public
questions kept for measuring. Each entry keeps its KEEP largest weights, so the file stays small.

`--hold-out N…` fits without blind sets N… and prints, for their lines, top-1 and top-3 of the
engine without the signal and with it. `--folds` fits FOLDS models, fold k leaving out the blind
sets whose number is k modulo FOLDS, into .cache/learned/: the decision is fitted on each set's
evidence with a model that never saw that set.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.evaluate import Labelled, read_labelled  # noqa: E402
from knowledge.focus import main_problem  # noqa: E402
from knowledge.kb import KnowledgeBase, load_knowledge  # noqa: E402
from knowledge.learned import DATA_FILE, Learned, from_dense, grams  # noqa: E402

DATA = ROOT / "tests" / "data"
FOLD_DIR = ROOT / ".cache" / "learned"
FOLDS = 4
KEEP = 1000  # weights kept per entry
C = 0.5


def blind_number(path: Path) -> int:
    return 1 if path.stem == "labels" else int(path.stem.split("_")[1])


def labelled_files() -> list[Path]:
    return [
        *sorted((DATA / "golden").glob("*.jsonl")),
        *sorted((DATA / "blind").glob("labels*.jsonl")),
    ]


# A labelled line for fitting: its blind set's number (None for golden) and the line.
Lines = list[tuple[int | None, Labelled]]


def labelled_lines(files: list[Path]) -> Lines:
    return [
        (blind_number(path) if path.parent.name == "blind" else None, item)
        for path in files
        for item in read_labelled(path)
    ]


def examples(
    kb: KnowledgeBase, leave_out: Collection[int] = (), lines: Lines | None = None
) -> tuple[list[str], list[str]]:
    """`lines`: the labelled lines (default: read now from the files on disk)."""
    texts: list[str] = []
    labels: list[str] = []
    for entry in kb.entries:
        for text in (entry.title, *entry.questions):
            texts.append(text)
            labels.append(entry.id)
    known = {e.id for e in kb.entries}
    for number, item in labelled_lines(labelled_files()) if lines is None else lines:
        if number in leave_out:
            continue
        first = next((e for e in sorted(item.expected) if e in known), None)
        if first is not None:  # a two-problem line is labelled on its first problem
            texts.append(main_problem(item.question) or item.question)
            labels.append(first)
    return texts, labels


def fit(kb: KnowledgeBase, leave_out: Collection[int] = (), lines: Lines | None = None) -> Learned:
    texts, labels = examples(kb, leave_out, lines)
    vectorizer = TfidfVectorizer(analyzer=grams, sublinear_tf=True, min_df=2, dtype=np.float32)
    x = vectorizer.fit_transform(texts)
    model = LinearSVC(C=C).fit(x, labels)
    idf = vectorizer.idf_
    return from_dense(
        vectorizer.vocabulary_, idf, model.coef_, model.intercept_, list(model.classes_), KEEP
    )


def fold_path(fold: int) -> Path:
    return FOLD_DIR / f"fold{fold}.npz"


def fold_model(number: int) -> Learned:
    """The model that never saw blind set `number` (`--folds` writes them)."""
    path = fold_path(number % FOLDS)
    found = Learned.load(path)
    if found is None:
        raise SystemExit(f"{path} is missing: run python bench/fit_learned.py --folds first")
    return found


def hold_out(kb: KnowledgeBase, numbers: list[int]) -> None:
    from knowledge.matcher import Matcher

    matcher = Matcher(kb)
    lines = labelled_lines(labelled_files())
    with_it = fit(kb, numbers, lines)
    for number in sorted(set(numbers)):
        tally = {"without": [0, 0], "with": [0, 0]}
        items = [i for n, i in lines if n == number and i.expected]
        if not items:
            continue
        for name, model in (("without", None), ("with", with_it)):
            matcher.learned = model
            for item in items:
                ranked = [m.entry_id for m in matcher.match(item.question).matches]
                tally[name][0] += bool(ranked[:1] and ranked[0] in item.expected)
                tally[name][1] += bool(item.expected & set(ranked[:3]))
        n = len(items)
        print(
            f"blind {number} ({n} in scope): top-1 / top-3 without "
            f"{tally['without'][0] / n:.1%} / {tally['without'][1] / n:.1%}, with "
            f"{tally['with'][0] / n:.1%} / {tally['with'][1] / n:.1%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"fit on everything into {DATA_FILE}")
    parser.add_argument("--hold-out", type=int, nargs="+", metavar="N")
    parser.add_argument("--folds", action="store_true", help=f"write {FOLDS} fold models")
    args = parser.parse_args()
    kb = load_knowledge()
    if args.hold_out:
        hold_out(kb, args.hold_out)
    if args.folds:
        FOLD_DIR.mkdir(parents=True, exist_ok=True)
        # The labels are read once: a set committed or relabelled while the folds are fitted
        # must not reach some folds and not others.
        lines = labelled_lines(labelled_files())
        numbers = sorted({n for n, _ in lines if n is not None})
        print(f"{len(numbers)} blind sets, {numbers[0]}–{numbers[-1]}", flush=True)
        for fold in range(FOLDS):
            fit(kb, [n for n in numbers if n % FOLDS == fold], lines).save(fold_path(fold))
            print(f"fold {fold} written to {fold_path(fold)}", flush=True)
    if args.write:
        model = fit(kb)
        model.save(DATA_FILE)
        print(
            f"{len(model.entry_ids)} entries, {len(model.weights)} weights; written to {DATA_FILE}"
        )


if __name__ == "__main__":
    main()
