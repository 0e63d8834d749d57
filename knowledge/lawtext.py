"""Convert the published Markdown law texts into pufa's bundled JSON files.

Runs only when staff refresh the law set (`pufa laws import`), never at start-up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from .errors import KnowledgeError
from .numerals import parse_article_number

_ARTICLE_LINE = re.compile(
    r"^(第[零一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)\s+(.*)$"
)
_HEADING = re.compile(r"^(#{2,5})\s*(.*)$")
_FILE_DATE = re.compile(r"^(?P<key>.+?)(?:\((?P<date>\d{4}-\d{2}-\d{2})\))?\.md$")


def parse_markdown(text: str) -> dict[str, Any]:
    """Split one law file into title, history lines and articles with their chapter."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# "):
        raise KnowledgeError("law file must start with '# <title>'")
    title = lines[0][2:].strip()
    try:
        info_end = lines.index("<!-- INFO END -->")
    except ValueError as exc:
        raise KnowledgeError(f"{title}: missing '<!-- INFO END -->'") from exc
    history = [line.strip() for line in lines[1:info_end] if line.strip()]
    articles: list[dict[str, str]] = []
    headings: dict[int, str] = {}
    for raw in lines[info_end + 1 :]:
        line = raw.strip()
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            headings = {k: v for k, v in headings.items() if k < level}
            if heading.group(2):
                headings[level] = re.sub(r"\s+", " ", heading.group(2))
            continue
        article = _ARTICLE_LINE.match(line)
        if article:
            chapter = " ".join(headings[k] for k in sorted(headings))
            articles.append(
                {"label": article.group(1), "chapter": chapter, "text": article.group(2)}
            )
        elif articles:
            articles[-1]["text"] += "\n" + line
    labels = [a["label"] for a in articles]
    duplicates = {label for label in labels if labels.count(label) > 1}
    if duplicates:
        raise KnowledgeError(f"{title}: duplicate articles {sorted(duplicates)}")
    return {"title": title, "history": history, "articles": articles}


def law_sources(source_dir: Path) -> list[Path]:
    return sorted(source_dir.glob("*.md")) + sorted((source_dir / "related").glob("*.md"))


def import_laws(
    source_dir: Path, meta_file: Path, out_dir: Path, sources: Iterable[Path] | None = None
) -> list[str]:
    """Write one JSON file per law from `source_dir` (and its `related/`), or from the given
    `sources` of it; return the keys."""
    meta = yaml.safe_load(meta_file.read_text(encoding="utf-8"))
    known = meta.get("laws", {})
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for path in law_sources(source_dir) if sources is None else sources:
        match = _FILE_DATE.match(path.name)
        if path.name == "SOURCES.md" or not match:
            continue
        key = match.group("key")
        parsed = parse_markdown(path.read_text(encoding="utf-8"))
        extra = known.get(key, {})
        version = extra.get("version") or match.group("date")
        if not version:
            raise KnowledgeError(f"{key}: no version date in the file name or law_meta.yaml")
        record = {
            "key": key,
            "title": parsed["title"],
            "aliases": extra.get("aliases", []),
            "version": version,
            "status": extra.get("status", "current"),
            "notice": extra.get("notice", "").strip(),
            "revised_on": extra.get("revised_on"),
            "repealed_paragraphs": [
                {
                    **part,
                    "article": parse_article_number(part["article"]),
                    "notice": part["notice"].strip(),
                }
                for part in extra.get("repealed_paragraphs", [])
            ],
            "local": "重庆" in key or "酉阳" in key,
            "kind": "related" if path.parent.name == "related" else "law",
            "snapshot": meta.get("snapshot"),
            "source": path.name,
            "history": parsed["history"],
            "articles": parsed["articles"],
        }
        target = out_dir / f"{key}.json"
        target.write_text(json.dumps(record, ensure_ascii=False, indent=0), encoding="utf-8")
        written.append(key)
    unknown = set(known) - set(written)
    if unknown:
        raise KnowledgeError(
            f"law_meta.yaml names laws that have no source file: {sorted(unknown)}"
        )
    return written
