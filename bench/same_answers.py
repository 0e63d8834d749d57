"""The engine at REV and the one in this tree give every question the same answer.

    python bench/same_answers.py [--against main] [--synthetic 3000] [--keep DIR]

For every question of tests/data (golden, dev_labels_*, blind labels*/questions*) and the real
questions of ../shared/data/questions_dev.jsonl when present, both engines' results are written
to JSON, each in its own process: the outcome, the ranked entries with every score (to 4
decimals, as the engine rounds them), matched terms and best paraphrase, the confidence and its
evidence, the terms and the articles quoted. The older engine is `git archive REV knowledge`
unpacked into a temporary directory, given this tree's data files, and put first on the import
path. `--synthetic N` does the
same on the synthetic knowledge base of N entries of bench/match_speed.py. Both processes get
the same PYTHONHASHSEED (`--seed`, random by default): the older engine let the iteration order
of a set decide between two words with one pinyin key, and the new one keeps that order. Exits 1
on any difference, listing the first few. `--close` lets the confidence and its evidence differ
by float rounding (1e-12), for an engine that adds the same values in another order.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
REAL = ROOT.parent / "shared" / "data" / "questions_dev.jsonl"


def question_files() -> list[Path]:
    files = [
        *sorted((DATA / "golden").glob("*.jsonl")),
        *sorted(DATA.glob("dev_labels_*.jsonl")),
        *sorted((DATA / "blind").glob("labels*.jsonl")),
        *sorted((DATA / "blind").glob("questions*.jsonl")),
    ]
    return [*files, REAL] if REAL.exists() else files


def questions() -> list[str]:
    lines = [line for path in question_files() for line in path.read_text("utf-8").splitlines()]
    return list(dict.fromkeys(json.loads(line)["question"] for line in lines if line.strip()))


def dump(out: Path, synthetic: int) -> None:
    """Run in the engine's own process: every question's result, as JSON."""
    from bot.settings import load_settings
    from knowledge.kb import load_knowledge
    from knowledge.matcher import Matcher

    kb = load_knowledge()
    if synthetic:
        sys.path.insert(0, str(ROOT / "bench"))
        from match_speed import synthetic as make

        kb = make(kb, synthetic)
    matcher = Matcher(kb, load_settings().matching.engine())
    results = {}
    for q in questions():
        r = matcher.match(q)
        results[q] = {
            "outcome": r.outcome,
            "matches": [
                [
                    m.entry_id,
                    m.score,
                    m.coverage,
                    m.char_coverage,
                    m.precision,
                    m.similarity,
                    m.bm25,
                    list(m.matched_terms),
                    m.question,
                ]
                for m in r.matches
            ],
            "terms": list(r.terms),
            "crisis": list(r.crisis),
            "confidence": repr(r.confidence),
            "evidence": {k: repr(v) for k, v in r.evidence.items()},
            "articles": [str(a) for a in r.articles],
        }
    import knowledge

    out.write_text(
        json.dumps({"engine": knowledge.__file__, "results": results}, ensure_ascii=False)
    )


def run(path_first: Path | None, out: Path, synthetic: int, seed: str) -> None:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    if path_first is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(path_first), str(ROOT)])
    command = [sys.executable, __file__, "--dump", str(out), "--synthetic", str(synthetic)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def same(old: dict, new: dict | None, close: bool) -> bool:
    if not close or new is None:
        return old == new

    def near(x: str, y: str) -> bool:
        return abs(float(x) - float(y)) <= 1e-12

    exact = ("confidence", "evidence")
    return (
        {k: v for k, v in old.items() if k not in exact}
        == {k: v for k, v in new.items() if k not in exact}
        and near(old["confidence"], new["confidence"])
        and old["evidence"].keys() == new["evidence"].keys()
        and all(near(v, new["evidence"][k]) for k, v in old["evidence"].items())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", default="main", help="git revision of the older engine")
    parser.add_argument("--synthetic", type=int, default=0)
    parser.add_argument("--seed", default=str(random.randrange(1, 2**32)), help="PYTHONHASHSEED")
    parser.add_argument("--close", action="store_true", help="confidence and evidence to 1e-12")
    parser.add_argument("--keep", type=Path, help="keep both JSON files in this directory")
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        dump(args.dump, args.synthetic)
        return
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = Path(tmp) / "old"
        old_tree.mkdir()
        archive = subprocess.run(
            ["git", "archive", args.against, "knowledge"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(old_tree, filter="data")
        # The older engine's code on this tree's data: only the engine is compared.
        shutil.rmtree(old_tree / "knowledge" / "data")
        shutil.copytree(ROOT / "knowledge" / "data", old_tree / "knowledge" / "data")
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        old, new = out / "old.json", out / "new.json"
        run(old_tree, old, args.synthetic, args.seed)
        run(None, new, args.synthetic, args.seed)
        a, b = (json.loads(p.read_text("utf-8")) for p in (old, new))
    assert a["engine"].startswith(str(old_tree)), a["engine"]
    assert b["engine"].startswith(str(ROOT)), b["engine"]
    differ = [q for q in a["results"] if not same(a["results"][q], b["results"].get(q), args.close)]
    count = len(a["results"])
    matches = sum(len(r["matches"]) for r in a["results"].values())
    print(
        f"{count} questions, {matches} ranked matches compared "
        f"({args.against} vs this tree, synthetic={args.synthetic}, PYTHONHASHSEED={args.seed}"
        f"{', confidence and evidence to 1e-12' if args.close else ''}): "
        f"{len(differ)} differ"
    )
    for q in differ[:5]:
        print("  ", q, "\n    old:", a["results"][q], "\n    new:", b["results"].get(q))
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
