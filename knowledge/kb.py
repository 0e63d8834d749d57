"""Curated content: Q&A entries, 以案说法 cases and vocabulary, loaded from data files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from .errors import KnowledgeError
from .laws import LawLibrary
from .normalize import tidy
from .numerals import parse_article_number

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Citation:
    law: str  # the law key or an alias, as written in the file
    article: str | None  # canonical label such as 第一千零七十九条; None cites the whole law
    quote: str = ""


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    title: str
    questions: tuple[str, ...]
    answer: str
    next_steps: str
    citations: tuple[Citation, ...]
    keywords: tuple[str, ...]
    cases: tuple[str, ...]
    source: str = ""
    reviewed: str = ""  # when and against what the legal content was last checked
    see_also: tuple[str, ...] = ()  # entries to offer after this answer: its next steps


@dataclass(frozen=True)
class Case:
    id: str
    topic: str
    title: str
    story: str
    ruling: str
    lesson: str
    entries: tuple[str, ...]
    citations: tuple[Citation, ...]
    source: str = ""


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    cases: tuple[Case, ...]
    synonyms: Mapping[str, str]
    dictionary: tuple[str, ...]
    laws: LawLibrary

    @cached_property
    def _by_id(self) -> dict[str, Entry | Case]:
        items: list[Entry | Case] = [*self.cases, *self.entries]
        return {item.id: item for item in items}

    def has_entry(self, entry_id: str) -> bool:
        return isinstance(self._by_id.get(entry_id), Entry)

    def entry(self, entry_id: str) -> Entry:
        found = self._by_id.get(entry_id)
        if not isinstance(found, Entry):
            raise KnowledgeError(f"no entry with id {entry_id!r}")
        return found

    def case(self, case_id: str) -> Case:
        found = self._by_id.get(case_id)
        if not isinstance(found, Case):
            raise KnowledgeError(f"no case with id {case_id!r}")
        return found

    @property
    def topics(self) -> list[str]:
        return sorted({entry.topic for entry in self.entries})

    def replace_entries(self, entries: Iterable[Entry]) -> KnowledgeBase:
        """The same knowledge base with another set of entries (staff edits, benchmarks)."""
        return KnowledgeBase(tuple(entries), self.cases, self.synonyms, self.dictionary, self.laws)


def load_knowledge(data_dir: Path = DATA_DIR) -> KnowledgeBase:
    """Read every data file; raise KnowledgeError naming the file on malformed input."""
    laws = LawLibrary.load(data_dir)
    entries: list[Entry] = []
    for path, doc in _yaml_files(data_dir / "entries"):
        for item in _list(doc, "entries", path):
            entries.append(_entry(item, doc.get("topic", ""), path))
    cases: list[Case] = []
    for path, doc in _yaml_files(data_dir / "cases"):
        for item in _list(doc, "cases", path):
            cases.append(_case(item, doc.get("topic", ""), path))
    synonyms: dict[str, str] = {}
    for path, doc in _yaml_files(data_dir / "synonyms"):
        if not isinstance(doc, dict):
            raise KnowledgeError(f"{path.name}: expected a mapping of word: legal term")
        for key, value in doc.items():
            synonyms.setdefault(str(key).strip(), str(value).strip())
    words: list[str] = []
    for path in sorted((data_dir / "dict").glob("*.txt")):
        words += [w.split()[0] for w in path.read_text(encoding="utf-8").splitlines() if w.strip()]
    return KnowledgeBase(tuple(entries), tuple(cases), synonyms, tuple(dict.fromkeys(words)), laws)


def citation_from(raw: Mapping[str, Any], where: str) -> Citation:
    if not isinstance(raw, Mapping) or "law" not in raw:
        raise KnowledgeError(f"{where}: a citation needs `law:`")
    article = raw.get("article")
    try:
        label = parse_article_number(article) if article not in (None, "") else None
    except ValueError as exc:
        raise KnowledgeError(f"{where}: bad article number {article!r}") from exc
    return Citation(str(raw["law"]).strip(), label, str(raw.get("quote") or "").strip())


def _yaml_files(folder: Path) -> Iterable[tuple[Path, Any]]:
    for path in sorted(folder.glob("*.yaml")):
        try:
            yield path, yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise KnowledgeError(f"{path.name}: not valid YAML: {exc}") from exc


def _list(doc: Any, key: str, path: Path) -> list[Mapping[str, Any]]:
    items = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise KnowledgeError(f"{path.name}: expected a `{key}:` list")
    return items


def _text(item: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str | int) or not str(value).strip():
        raise KnowledgeError(f"{where}: `{key}` must be non-empty text")
    return tidy(str(value))


def _strings(item: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(tidy(str(v)) for v in item.get(key) or () if str(v).strip())


def _entry(item: Mapping[str, Any], topic: str, path: Path) -> Entry:
    where = f"{path.name}: {item.get('id', '?')}"
    return Entry(
        id=_text(item, "id", where),
        topic=str(item.get("topic") or topic),
        title=_text(item, "title", where),
        questions=_strings(item, "questions"),
        answer=_text(item, "answer", where),
        next_steps=_text(item, "next_steps", where, required=False),
        citations=tuple(citation_from(c, where) for c in item.get("citations") or ()),
        keywords=_strings(item, "keywords"),
        cases=_strings(item, "cases"),
        source=path.name,
        reviewed=_text(item, "reviewed", where, required=False),
        see_also=_strings(item, "see_also"),
    )


def _case(item: Mapping[str, Any], topic: str, path: Path) -> Case:
    where = f"{path.name}: {item.get('id', '?')}"
    return Case(
        id=_text(item, "id", where),
        topic=str(item.get("topic") or topic),
        title=_text(item, "title", where),
        story=_text(item, "story", where),
        ruling=_text(item, "ruling", where),
        lesson=_text(item, "lesson", where),
        entries=_strings(item, "entries"),
        citations=tuple(citation_from(c, where) for c in item.get("citations") or ()),
        source=path.name,
    )
