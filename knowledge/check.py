"""Validation of the knowledge base: `pufa kb check` and the test suite run the same rules."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from .kb import Citation, Entry, KnowledgeBase
from .normalize import normalize
from .numerals import to_chinese

MAX_ANSWER = 300
MAX_NEXT_STEPS = 120
MAX_STORY = 250
MIN_QUESTIONS = 4
MIN_PER_TOPIC = 8
MAX_SEE_ALSO = 2


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_citation(kb: KnowledgeBase, citation: Citation, where: str) -> list[str]:
    """Problems with one citation: unknown law or article, repealed or outdated law, bad quote."""
    key = kb.laws.resolve(citation.law)
    if key is None:
        return [f"{where}：没有这部法律“{citation.law}”（见 knowledge/data/laws/）"]
    if key in kb.laws.repealed:
        repealed = kb.laws.repealed[key]
        return [
            f"{where}：《{citation.law}》已于 {repealed.repealed_on} 废止，请改引《{repealed.replaced_by}》"
        ]
    law = kb.laws.laws[key]
    if citation.article is None:
        return [] if not citation.quote else [f"{where}：引用原文要写明第几条"]
    if law.outdated:
        return [f"{where}：《{law.title}》在收录的文本之后已修订，只能整部引用，不能写条号"]
    article = law.articles.get(citation.article)
    if article is None:
        return [f"{where}：《{law.title}》没有{citation.article}"]
    if citation.quote and _squash(citation.quote) not in _squash(article.text):
        return [f"{where}：引文与《{law.key}》{citation.article}原文不一致：{citation.quote[:30]}…"]
    for part in law.repealed_paragraphs.get(citation.article, ()):
        if not citation.quote or _squash(citation.quote) in _squash(part.text):
            return [
                f"{where}：《{law.key}》{citation.article}第{to_chinese(part.paragraph)}款已于 "
                f"{part.repealed_on} 废止；请引用仍有效的那一款的原文，或改引取代它的规定"
            ]
    return []


def see_also_problems(entry: Entry, known: Collection[str], where: str) -> list[str]:
    problems = [
        f"{where}：推荐的相关条目没有这个编号 {e}" for e in entry.see_also if e not in known
    ]
    if entry.id in entry.see_also:
        problems.append(f"{where}：推荐的相关条目不能是它自己")
    if len(entry.see_also) > MAX_SEE_ALSO:
        problems.append(f"{where}：推荐的相关条目最多 {MAX_SEE_ALSO} 个")
    return problems


def check_knowledge(kb: KnowledgeBase) -> Report:
    report = Report()
    problems = report.problems
    entry_ids = Counter(e.id for e in kb.entries)
    case_ids = Counter(c.id for c in kb.cases)
    problems += [f"条目编号重复：{i}" for i, n in entry_ids.items() if n > 1]
    problems += [f"案例编号重复：{i}" for i, n in case_ids.items() if n > 1]
    if set(entry_ids) & set(case_ids):
        problems.append(f"条目和案例用了同一个编号：{sorted(set(entry_ids) & set(case_ids))}")

    owners: dict[str, set[str]] = defaultdict(set)
    for entry in kb.entries:
        where = f"{entry.source}: {entry.id}"
        if len(entry.questions) < MIN_QUESTIONS:
            problems.append(
                f"{where}：只有 {len(entry.questions)} 种问法，至少要 {MIN_QUESTIONS} 种"
            )
        if len(entry.answer) > MAX_ANSWER:
            problems.append(f"{where}：回答有 {len(entry.answer)} 字，最多 {MAX_ANSWER} 字")
        if len(entry.next_steps) > MAX_NEXT_STEPS:
            problems.append(
                f"{where}：“怎么办”有 {len(entry.next_steps)} 字，最多 {MAX_NEXT_STEPS} 字"
            )
        if not entry.citations:
            problems.append(f"{where}：没有法律依据")
        for citation in entry.citations:
            problems += check_citation(kb, citation, where)
        problems += [f"{where}：没有这个案例 {c}" for c in entry.cases if c not in case_ids]
        problems += see_also_problems(entry, entry_ids, where)
        for question in (*entry.questions, entry.title):
            owners[normalize(question)].add(entry.id)
    for question, ids in owners.items():
        if len(ids) > 1:
            problems.append(f"问法“{question}”同时属于几个条目：{sorted(ids)}")

    for case in kb.cases:
        where = f"{case.source}: {case.id}"
        if len(case.story) > MAX_STORY:
            problems.append(f"{where}：案例故事有 {len(case.story)} 字，最多 {MAX_STORY} 字")
        if not case.entries:
            problems.append(f"{where}：案例至少要关联一个条目")
        problems += [f"{where}：没有这个条目 {e}" for e in case.entries if e not in entry_ids]
        for citation in case.citations:
            problems += check_citation(kb, citation, where)

    per_topic = Counter(e.topic for e in kb.entries)
    problems += [
        f"话题“{topic}”只有 {n} 个条目，至少要 {MIN_PER_TOPIC} 个"
        for topic, n in sorted(per_topic.items())
        if n < MIN_PER_TOPIC
    ]
    for word, term in kb.synonyms.items():
        if not word or not term or word == term:
            problems.append(f"同义词“{word}”→“{term}”为空或指向自己")

    report.counts = {
        "entries": len(kb.entries),
        "topics": len(per_topic),
        "cases": len(kb.cases),
        "synonyms": len(kb.synonyms),
        "laws": len(kb.laws.laws),
        "articles": kb.laws.article_count,
    }
    return report


def _squash(text: str) -> str:
    return "".join(text.split())
