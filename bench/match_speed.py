"""Match latency on the bundled knowledge base and on synthetic ones of 10k and 100k entries.

    python bench/match_speed.py [--sizes 10000 100000] [--queries 300] [--real PATH]

Synthetic entries are the bundled ones re-worded (words swapped between paraphrases of the
same topic), so the vocabulary and sentence shapes stay those of residents' questions.
Times two kinds of question: the short ones below, and real residents' questions (average
45 characters) read at run time from `--real` (default ../shared/data/questions_dev.jsonl, not
copied into the repo). Prints build time, median and p99 match time for each kind, and resident
memory, for each size.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import resource
import statistics
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
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--real", type=Path, default=REAL, help="JSONL of real questions")
    args = parser.parse_args()
    kb = load_knowledge()
    short = (QUERIES * (args.queries // len(QUERIES) + 1))[: args.queries]
    real = real_questions(args.real)[: args.queries]
    print(f"{len(short)} short questions; {len(real)} real questions from {args.real}")
    print("entries  build_s  short median/p99 ms  real median/p99 ms  max_rss_mb")
    for data in [kb, *(synthetic(kb, size) for size in args.sizes)]:
        row = measure(data, short, real)
        print(
            f"{row['entries']:>7}  {row['build_s']:>7}  "
            f"{row['short_median_ms']:>8} / {row['short_p99_ms']:<8}  "
            f"{row['real_median_ms']:>8} / {row['real_p99_ms']:<8}  {row['max_rss_mb']:>10}"
        )


if __name__ == "__main__":
    main()
