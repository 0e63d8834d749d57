"""Figures in answers that no cited article states: a list for the legal review.

    python bench/figure_audit.py [--json]

Every time limit, age, amount, multiple or share in an entry's answer or next steps ("30日内",
"三年", "满十六周岁", "2000元", "两倍", "30%") should be stated by an article the entry cites
(docs/kb-format.md). This reads each figure, in Arabic or Chinese numerals, and looks for the
same value and kind in the texts of the entry's cited articles. A figure no cited article holds
is listed, with the citations it was looked for in; so is a figure of an entry that cites only
whole laws (no article to hold it). It is a reviewer's list, not a gate: a figure may be right
and come from a law that is not bundled (the answer should then say so), or be the resident's
own story. Exits 0 either way; prints a count at the end.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.kb import Entry, KnowledgeBase, load_knowledge  # noqa: E402
from knowledge.numerals import from_chinese  # noqa: E402

_NUMBER = r"(\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)"
# The kinds of figure, each with the unit words that say it; 个月 before 月, 周岁 before 岁.
_UNITS = {
    "工作日": "workdays",
    "个工作日": "workdays",
    "日": "days",
    "天": "days",
    "个月": "months",
    "年": "years",
    "周岁": "age",
    "岁": "age",
    "万元": "yuan×10000",
    "元": "yuan",
    "倍": "times",
    "%": "percent",
    "小时": "hours",
}
_FIGURE = re.compile(
    r"(?<![\d.])" + _NUMBER + r"(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
)


def _value(text: str) -> float | None:
    try:
        return float(text) if text[0].isdigit() else float(from_chinese(text))
    except ValueError:
        return None


_PERCENT = re.compile(r"百分之" + _NUMBER + r"(?:(?:至|到)(?:百分之)?" + _NUMBER + r")?")
_DATE = re.compile(_NUMBER + r"月" + _NUMBER + r"日")


def figures(text: str) -> set[tuple[float, str]]:
    """(value, kind) of every figure in `text`; 万元 counts as yuan, 百分之二十至三十 as 20 % and
    30 %, and dates (2026年1月1日, 12月4日) are left out."""
    text = _DATE.sub("", text)
    found = {
        (v, "percent") for pair in _PERCENT.findall(text) for n in pair if n and (v := _value(n))
    }
    for number, unit in _FIGURE.findall(text):
        value, kind = _value(number), _UNITS[unit]
        if value is None or (kind == "years" and value >= 1900):
            continue
        if kind == "yuan×10000":
            value, kind = value * 10000, "yuan"
        found.add((value, kind))
    return found


def audit(kb: KnowledgeBase, entry: Entry) -> list[dict[str, object]]:
    cited, where = set(), []
    for citation in entry.citations:
        if citation.article is None:
            continue
        article = kb.laws.article(citation.law, citation.article)
        cited |= figures(article.text)
        where.append(f"{citation.law}{citation.article}")
    missing = []
    for part in ("answer", "next_steps"):
        for value, kind in sorted(figures(getattr(entry, part))):
            if (value, kind) not in cited:
                missing.append({"part": part, "value": value, "kind": kind, "cited": where})
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    kb = load_knowledge()
    report = {e.id: found for e in kb.entries if (found := audit(kb, e))}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for entry_id, found in report.items():
            shown = ", ".join(f"{f['value']:g} {f['kind']} ({f['part']})" for f in found)
            print(f"{entry_id}: {shown}")
    count = sum(len(found) for found in report.values())
    print(
        f"{count} figures in {len(report)} of {len(kb.entries)} entries not found in a cited article"
    )


if __name__ == "__main__":
    main()
