"""Match latency on the bundled knowledge base and on synthetic ones of 10k and 100k entries.

    python bench/match_speed.py [--sizes 10000 100000] [--queries 300] [--real PATH]
                                [--against REV]

Synthetic entries are the bundled ones re-worded (words swapped between paraphrases of the
same topic), so the vocabulary and sentence shapes stay those of residents' questions.
Times two kinds of question: the short ones below, and real residents' questions (average
45 characters) read at run time from `--real` (default ../shared/data/questions_dev.jsonl, not
copied into the repo). Prints build time, median and p99 match time for each kind, and the peak
resident memory of the process that built and queried the index (each size is measured in a
process of its own, so one size's memory does not hide the next one's), with the peak of the
build's tokenising workers beside it when there were any. `--against REV` measures the engine of
that git revision too, size by size in the same run (bench/same_answers.py explains how).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from knowledge.kb import KnowledgeBase, load_knowledge
from knowledge.matcher import Matcher

QUERIES = [
    "邻居把我家宅基地占了怎么办",
    "老板不给工钱咋个办",
    "离婚冷静期是好久",
    "借钱不还没打借条",
    "在工地上摔伤了算不算工伤",
    "今天天气怎么样",
    "你好",
    "骑摩托车撞了人跑了会怎么样",
    "儿女不养老人犯法不",
    "有人打电话说是公安局的要我转钱",
    "我屋头老汉儿走了遗产咋个分",
    "承包地村里要收回去",
    "买到假农药庄稼死了找哪个赔",
    "娃儿在学校遭欺负了",
]


def synthetic(kb: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    rng = random.Random(seed)
    by_topic: dict[str, list[str]] = {}
    for entry in kb.entries:
        by_topic.setdefault(entry.topic, []).extend(entry.questions)
    entries = []
    for n in range(size):
        base = kb.entries[n % len(kb.entries)]
        pool = by_topic[base.topic]
        questions = tuple(
            q[: len(q) // 2] + rng.choice(pool)[len(rng.choice(pool)) // 2 :]
            for q in base.questions
        )
        entries.append(
            dataclasses.replace(base, id=f"{base.id}-{n}", questions=questions, title=questions[0])
        )
    return kb.replace_entries(entries)


REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "questions_dev.jsonl"


def real_questions(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [str(json.loads(line)["question"]) for line in lines if line.strip()]


def _timings(matcher: Matcher, queries: list[str]) -> tuple[float, float]:
    if not queries:
        return float("nan"), float("nan")
    timings = []
    for query in queries:
        t0 = time.perf_counter()
        matcher.match(query)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p99 = timings[max(0, int(len(timings) * 0.99) - 1)]
    return round(statistics.median(timings), 2), round(p99, 2)


def measure(kb: KnowledgeBase, short: list[str], real: list[str]) -> dict[str, float]:
    started = time.perf_counter()
    matcher = Matcher(kb)
    build = time.perf_counter() - started
    matcher.match("预热")
    short_median, short_p99 = _timings(matcher, short)
    real_median, real_p99 = _timings(matcher, real)
    return {
        "entries": len(kb.entries),
        "build_s": round(build, 1),
        "short_median_ms": short_median,
        "short_p99_ms": short_p99,
        "real_median_ms": real_median,
        "real_p99_ms": real_p99,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "workers_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }


def _old_engine(rev: str, into: Path) -> Path:
    root = Path(__file__).resolve().parents[1]
    archive = subprocess.run(
        ["git", "archive", rev, "knowledge"], cwd=root, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    shutil.rmtree(into / "knowledge" / "data")
    shutil.copytree(root / "knowledge" / "data", into / "knowledge" / "data")
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--real", type=Path, default=REAL, help="JSONL of real questions")
    parser.add_argument("--against", help="also measure the engine of this git revision")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a size, in this process
    args = parser.parse_args()
    short = (QUERIES * (args.queries // len(QUERIES) + 1))[: args.queries]
    real = real_questions(args.real)[: args.queries]
    if args.one is not None:
        kb = load_knowledge()
        print(json.dumps(measure(synthetic(kb, args.one) if args.one else kb, short, real)))
        return
    print(f"{len(short)} short questions; {len(real)} real questions from {args.real}")
    print(
        "engine  entries  build_s  short median/p99 ms  real median/p99 ms  peak_rss_mb (workers)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        engines: list[tuple[str, Path | None]] = [("new", None)]
        if args.against:
            engines.insert(0, (args.against[:6], _old_engine(args.against, Path(tmp))))
        for size in [0, *args.sizes]:
            for name, path in engines:
                env = dict(os.environ)
                if path is not None:
                    env["PYTHONPATH"] = os.pathsep.join([str(path), str(Path(__file__).parents[1])])
                command = [
                    sys.executable,
                    __file__,
                    "--one",
                    str(size),
                    "--queries",
                    str(args.queries),
                ]
                command += ["--real", str(args.real)]
                out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
                row = json.loads(out.stdout.strip().splitlines()[-1])
                print(
                    f"{name:>6}  {row['entries']:>7}  {row['build_s']:>7}  "
                    f"{row['short_median_ms']:>8} / {row['short_p99_ms']:<8}  "
                    f"{row['real_median_ms']:>8} / {row['real_p99_ms']:<8}  "
                    f"{row['peak_rss_mb']:>10} ({row.get('workers_peak_rss_mb', 0)})",
                    flush=True,
                )


if __name__ == "__main__":
    main()
