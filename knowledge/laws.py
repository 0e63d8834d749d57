"""The bundled law texts: articles, versions, aliases and repealed laws."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import KnowledgeError
from .normalize import tidy
from .numerals import parse_article_number


@dataclass(frozen=True)
class Article:
    law_key: str
    label: str  # 第一千零七十九条
    chapter: str
    text: str


@dataclass(frozen=True)
class RepealedParagraph:
    """One paragraph (款) repealed after the bundled snapshot; the rest of the article stands."""

    paragraph: int
    repealed_on: str
    notice: str
    text: str


@dataclass(frozen=True, eq=False)
class Law:
    key: str
    title: str
    version: str
    status: str  # current | outdated
    notice: str
    aliases: tuple[str, ...]
    local: bool
    articles: dict[str, Article] = field(repr=False)
    repealed_paragraphs: dict[str, tuple[RepealedParagraph, ...]] = field(
        default_factory=dict, repr=False
    )

    @property
    def outdated(self) -> bool:
        return self.status == "outdated"


@dataclass(frozen=True)
class RepealedLaw:
    key: str
    title: str
    repealed_on: str
    replaced_by: str
    aliases: tuple[str, ...]
    articles: dict[str, tuple[str, ...]]  # old label -> labels in the replacing law


@dataclass(frozen=True)
class Reference:
    """An article a resident asked for, such as 民法典第1079条."""

    law_key: str
    label: str | None
    repealed: bool


class LawLibrary:
    def __init__(self, laws: dict[str, Law], repealed: dict[str, RepealedLaw]) -> None:
        self.laws = laws
        self.repealed = repealed
        self._alias: dict[str, str] = {}
        named: list[Law | RepealedLaw] = [*laws.values(), *repealed.values()]
        for law in named:
            short = law.title.removeprefix("中华人民共和国")
            for name in (law.key, law.title, short, *law.aliases):
                self._alias.setdefault(name, law.key)
        names = sorted(self._alias, key=len, reverse=True)
        self._reference = re.compile(
            "(?P<law>" + "|".join(re.escape(n) for n in names) + ")"
            r"[的]?(?:第?\s*(?P<num>\d{1,4}|[零〇一二两三四五六七八九十百千]{1,8})\s*条?"
            r"(?P<suffix>之[一二三四五六七八九十]+)?)?"
        )

    @classmethod
    def load(cls, data_dir: Path) -> LawLibrary:
        laws: dict[str, Law] = {}
        for path in sorted((data_dir / "laws").glob("*.json")):
            raw = json.loads(path.read_text(encoding="utf-8"))
            articles = {
                a["label"]: Article(raw["key"], a["label"], a["chapter"], a["text"])
                for a in raw["articles"]
            }
            laws[raw["key"]] = Law(
                key=raw["key"],
                title=raw["title"],
                version=raw["version"],
                status=raw["status"],
                notice=tidy(raw["notice"]),
                aliases=tuple(raw["aliases"]),
                local=raw["local"],
                articles=articles,
                repealed_paragraphs=_repealed_paragraphs(raw, articles),
            )
        if not laws:
            raise KnowledgeError(f"no law texts under {data_dir / 'laws'}; run `pufa laws import`")
        return cls(laws, _load_repealed(data_dir / "repealed.yaml"))

    def resolve(self, name: str) -> str | None:
        """The key of a law or repealed law by key, title or alias."""
        return self._alias.get(name.strip().strip("《》"))

    def law(self, name: str) -> Law:
        key = self.resolve(name)
        if key is None or key not in self.laws:
            raise KnowledgeError(f"unknown law: {name}")
        return self.laws[key]

    def article(self, name: str, number: int | str) -> Article:
        law = self.law(name)
        label = parse_article_number(number)
        try:
            return law.articles[label]
        except KeyError:
            raise KnowledgeError(f"《{law.title}》没有{label}") from None

    def find_reference(self, text: str) -> Reference | None:
        """Find the first law (and article) a message names, e.g. 婚姻法第三十二条."""
        match = self._reference.search(text)
        if not match:
            return None
        key = self._alias[match.group("law")]
        label = None
        if match.group("num"):
            try:
                label = parse_article_number(
                    match.group("num") + "条" + (match.group("suffix") or "")
                )
            except ValueError:
                label = None
        return Reference(key, label, key in self.repealed)

    @property
    def article_count(self) -> int:
        return sum(len(law.articles) for law in self.laws.values())


def _repealed_paragraphs(
    raw: dict[str, Any], articles: dict[str, Article]
) -> dict[str, tuple[RepealedParagraph, ...]]:
    found: dict[str, list[RepealedParagraph]] = {}
    for part in raw.get("repealed_paragraphs", []):
        label = part["article"]
        paragraphs = articles[label].text.split("\n") if label in articles else []
        number = int(part["paragraph"])
        if not 1 <= number <= len(paragraphs):
            raise KnowledgeError(f"{raw['key']}: {label} has no paragraph {number}")
        found.setdefault(label, []).append(
            RepealedParagraph(
                number, str(part["repealed_on"]), tidy(part["notice"]), paragraphs[number - 1]
            )
        )
    return {label: tuple(parts) for label, parts in found.items()}


def _load_repealed(path: Path) -> dict[str, RepealedLaw]:
    if not path.exists():
        return {}
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    repealed: dict[str, RepealedLaw] = {}
    for item in items:
        mapping = {
            parse_article_number(old): tuple(parse_article_number(n) for n in new)
            for old, new in (item.get("articles") or {}).items()
        }
        repealed[item["law"]] = RepealedLaw(
            key=item["law"],
            title=item["title"],
            repealed_on=str(item["repealed_on"]),
            replaced_by=item["replaced_by"],
            aliases=tuple(item.get("aliases") or ()),
            articles=mapping,
        )
    return repealed
