"""Every labelled line's first reply, to compare two states of the knowledge base.

    python bench/first_replies.py --out before.json
    ... edit entries ...
    python bench/first_replies.py --out after.json --against before.json

Each line of every labelled set (golden, dev_labels_*, blind labels*) gets its first-reply kind
as `pufa eval` counts it (direct_right, direct_wrong, menu_right, menu_wrong, law_text,
fallback; for out-of-scope and gap lines: answered, article, choices, fallback …) and the first
entry. `--against` lists every line whose kind changed, worst first (a new wrong direct answer,
a gap or out-of-scope line newly answered, a right answer or menu lost), and exits 1 if any
line got worse. A line whose label changed between in scope and out of scope (a gap now
written for) is listed as relabelled.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from knowledge.evaluate import WITH_A_LAW, first_reply_kind, read_labelled
from knowledge.kb import load_knowledge
from knowledge.matcher import Matcher

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
RANK = {"direct_right": 0, "menu_right": 1, "menu_wrong": 2, "law_text": 2, "fallback": 2}
RANK_WRONG = 3  # direct_wrong, or an out-of-scope or gap line answered


def labelled_files() -> list[Path]:
    return [
        *sorted((DATA / "golden").glob("*.jsonl")),
        *sorted(DATA.glob("dev_labels_*.jsonl")),
        *sorted((DATA / "blind").glob("labels*.jsonl")),
    ]


def replies(matcher: Matcher) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {}
    for path in labelled_files():
        for item in read_labelled(path):
            outcome = matcher.match(item.question)
            first = outcome.best.entry_id if outcome.best else ""
            if item.expected:
                kind = first_reply_kind(matcher, outcome, item.expected)
            else:
                kind = "none:" + outcome.outcome
            result[f"{path.name}:{item.id}"] = {"kind": kind, "first": first}
    return result


def rank(kind: str) -> int:
    if kind.startswith("none:"):
        return RANK_WRONG if kind[5:] in WITH_A_LAW else 0
    return RANK.get(kind, RANK_WRONG)


def compare(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> int:
    worse = better = 0
    changed = []
    for key, now in after.items():
        was = before.get(key)
        if was is None or was["kind"] == now["kind"]:
            continue
        if was["kind"].startswith("none:") != now["kind"].startswith("none:"):
            print(
                f"{key}: relabelled, {was['kind']} ({was['first']}) -> {now['kind']} ({now['first']})"
            )
            continue
        delta = rank(now["kind"]) - rank(was["kind"])
        worse += delta > 0
        better += delta < 0
        changed.append((-delta, key, was, now))
    for _, key, was, now in sorted(changed):
        print(f"{key}: {was['kind']} ({was['first']}) -> {now['kind']} ({now['first']})")
    print(f"{len(after)} lines; {better} better, {worse} worse")
    return 1 if worse else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--against", type=Path, help="an earlier --out file to compare with")
    args = parser.parse_args()
    now = replies(Matcher(load_knowledge()))
    args.out.write_text(json.dumps(now, ensure_ascii=False, indent=0), encoding="utf-8")
    if args.against:
        return compare(json.loads(args.against.read_text(encoding="utf-8")), now)
    kinds = Counter(value["kind"] for value in now.values())
    print(json.dumps(kinds, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
