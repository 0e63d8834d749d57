"""Match latency on the bundled knowledge base and on synthetic ones of 10k and 100k entries.

    python bench/match_speed.py [--sizes 10000 100000] [--queries 300]

Synthetic entries are the bundled ones re-worded (words swapped between paraphrases of the
same topic), so the vocabulary and sentence shapes stay those of residents' questions.
Prints build time, median and p99 match time, and resident memory for each size.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import statistics
import time

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


def measure(kb: KnowledgeBase, queries: list[str]) -> dict[str, float]:
    started = time.perf_counter()
    matcher = Matcher(kb)
    build = time.perf_counter() - started
    matcher.match("预热")
    timings = []
    for query in queries:
        t0 = time.perf_counter()
        matcher.match(query)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return {
        "entries": len(kb.entries),
        "build_s": round(build, 1),
        "median_ms": round(statistics.median(timings), 2),
        "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 2),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    kb = load_knowledge()
    queries = (QUERIES * (args.queries // len(QUERIES) + 1))[: args.queries]
    print("entries  build_s  median_ms  p99_ms  max_rss_mb")
    for data in [kb, *(synthetic(kb, size) for size in args.sizes)]:
        row = measure(data, queries)
        print(
            f"{row['entries']:>7}  {row['build_s']:>7}  {row['median_ms']:>9}  {row['p99_ms']:>6}  {row['max_rss_mb']:>10}"
        )


if __name__ == "__main__":
    main()
