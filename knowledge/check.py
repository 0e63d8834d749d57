"""Validation of the knowledge base: `pufa kb check` and the test suite run the same rules."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .kb import Citation, KnowledgeBase
from .normalize import normalize
from .numerals import to_chinese

MAX_ANSWER = 300
MAX_NEXT_STEPS = 120
MAX_STORY = 250
MIN_QUESTIONS = 4
MIN_PER_TOPIC = 8


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
        return [f"{where}: unknown law {citation.law!r}"]
    if key in kb.laws.repealed:
        repealed = kb.laws.repealed[key]
        return [
            f"{where}: {citation.law} was repealed on {repealed.repealed_on}; cite {repealed.replaced_by}"
        ]
    law = kb.laws.laws[key]
    if citation.article is None:
        return [] if not citation.quote else [f"{where}: a quote needs an article number"]
    if law.outdated:
        return [
            f"{where}: 《{law.title}》 was revised after the bundled text; cite it without an article number"
        ]
    article = law.articles.get(citation.article)
    if article is None:
        return [f"{where}: 《{law.title}》 has no {citation.article}"]
    if citation.quote and _squash(citation.quote) not in _squash(article.text):
        return [
            f"{where}: quote does not match {law.key}{citation.article}: {citation.quote[:30]}…"
        ]
    for part in law.repealed_paragraphs.get(citation.article, ()):
        if not citation.quote or _squash(citation.quote) in _squash(part.text):
            return [
                f"{where}: {law.key}{citation.article}第{to_chinese(part.paragraph)}款 was repealed on "
                f"{part.repealed_on}; quote a paragraph still in force, or cite what replaced it"
            ]
    return []


def check_knowledge(kb: KnowledgeBase) -> Report:
    report = Report()
    problems = report.problems
    entry_ids = Counter(e.id for e in kb.entries)
    case_ids = Counter(c.id for c in kb.cases)
    problems += [f"duplicate entry id {i}" for i, n in entry_ids.items() if n > 1]
    problems += [f"duplicate case id {i}" for i, n in case_ids.items() if n > 1]
    if set(entry_ids) & set(case_ids):
        problems.append(
            f"ids used by both an entry and a case: {sorted(set(entry_ids) & set(case_ids))}"
        )

    owners: dict[str, set[str]] = defaultdict(set)
    for entry in kb.entries:
        where = f"{entry.source}: {entry.id}"
        if len(entry.questions) < MIN_QUESTIONS:
            problems.append(
                f"{where}: {len(entry.questions)} question paraphrases, need {MIN_QUESTIONS}"
            )
        if len(entry.answer) > MAX_ANSWER:
            problems.append(f"{where}: answer has {len(entry.answer)} characters, max {MAX_ANSWER}")
        if len(entry.next_steps) > MAX_NEXT_STEPS:
            problems.append(
                f"{where}: next_steps has {len(entry.next_steps)} characters, max {MAX_NEXT_STEPS}"
            )
        if not entry.citations:
            problems.append(f"{where}: no citation")
        for citation in entry.citations:
            problems += check_citation(kb, citation, where)
        problems += [f"{where}: unknown case {c}" for c in entry.cases if c not in case_ids]
        for question in (*entry.questions, entry.title):
            owners[normalize(question)].add(entry.id)
    for question, ids in owners.items():
        if len(ids) > 1:
            problems.append(f"paraphrase {question!r} belongs to several entries: {sorted(ids)}")

    for case in kb.cases:
        where = f"{case.source}: {case.id}"
        if len(case.story) > MAX_STORY:
            problems.append(f"{where}: story has {len(case.story)} characters, max {MAX_STORY}")
        if not case.entries:
            problems.append(f"{where}: a case must link to at least one entry")
        problems += [f"{where}: unknown entry {e}" for e in case.entries if e not in entry_ids]
        for citation in case.citations:
            problems += check_citation(kb, citation, where)

    per_topic = Counter(e.topic for e in kb.entries)
    problems += [
        f"topic {topic} has {n} entries, need {MIN_PER_TOPIC}"
        for topic, n in sorted(per_topic.items())
        if n < MIN_PER_TOPIC
    ]
    for word, term in kb.synonyms.items():
        if not word or not term or word == term:
            problems.append(f"synonym {word!r} -> {term!r} is empty or maps to itself")

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
