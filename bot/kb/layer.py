"""Staff changes to the knowledge base: proposed, reviewed by a second person, then live.

The bundled files stay untouched; approved changes in the database are laid over them
(the latest approved change of an entry wins), in every worker, without a restart.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from bot.kb import reviewed
from bot.kb.reviewed import ChangeError
from bot.store.storage import inserted_id, utcnow
from bot.store.tables import kb_changes
from bot.store.users import get_user
from knowledge.check import (
    MAX_ANSWER,
    MAX_NEXT_STEPS,
    MIN_QUESTIONS,
    check_citation,
    see_also_problems,
)
from knowledge.kb import Citation, Entry, KnowledgeBase
from knowledge.normalize import normalize, tidy
from knowledge.numerals import parse_article_number

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ARTICLE_TAIL = re.compile(
    r"第?\s*(?P<num>[0-9]+|[零一二三四五六七八九十百千]+)\s*条(?P<suffix>之[一二三四五六七八九十]+)?$"
)


@dataclass(frozen=True)
class Change:
    id: int
    entry_id: str
    action: str
    entry: Entry | None
    state: str
    author: str
    reviewer: str | None
    comment: str | None
    created_at: Any


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    data = dataclasses.asdict(entry)
    data.pop("source", None)
    return data


def entry_from_dict(data: dict[str, Any]) -> Entry:
    citations = tuple(
        Citation(c["law"], c.get("article"), c.get("quote", "")) for c in data.get("citations", [])
    )
    return Entry(
        id=str(data["id"]).strip(),
        topic=tidy(str(data["topic"])),
        title=tidy(str(data["title"])),
        questions=tuple(tidy(q) for q in data.get("questions", []) if str(q).strip()),
        answer=tidy(str(data["answer"])),
        next_steps=tidy(str(data.get("next_steps") or "")),
        citations=citations,
        keywords=tuple(tidy(k) for k in data.get("keywords", []) if str(k).strip()),
        cases=tuple(str(c).strip() for c in data.get("cases", []) if str(c).strip()),
        source="database",
        reviewed=tidy(str(data.get("reviewed") or "")),
        see_also=tuple(str(e).strip() for e in data.get("see_also", []) if str(e).strip()),
    )


def cite_text(citations: tuple[Citation, ...]) -> str:
    """One citation a line, its quote in 「」: what the console shows and the export writes."""
    return "\n".join(
        f"{c.law}{c.article or ''}" + (f"「{c.quote}」" if c.quote else "") for c in citations
    )


def parse_citations(text: str) -> tuple[Citation, ...]:
    """ "民法典第1079条「…」；劳动合同法第八十二条" -> citations; a bare law name cites the whole
    law. Separators inside a 「quote」 belong to the quote."""
    citations = []
    for part, quote in _citation_parts(text):
        match = _ARTICLE_TAIL.search(part)
        law = (part[: match.start()] if match else part).strip()
        if law.startswith("《") and law.endswith("》"):
            law = law[1:-1]
        if not law:
            raise ChangeError([f"看不懂这条依据：{part}（格式如：民法典第1079条）"])
        label = None
        if match:
            label = parse_article_number(match.group("num") + "条" + (match.group("suffix") or ""))
        elif quote:
            raise ChangeError([f"引用原文要写明第几条：{part}「{quote[:20]}…」"])
        citations.append(Citation(law, label, tidy(quote)))
    return tuple(citations)


def _citation_parts(text: str) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    head, quote, inside = "", "", False
    for char in text + "\n":
        if inside:
            if char == "」":
                inside = False
            else:
                quote += char
        elif char == "「":
            inside = True
        elif char in "；;、\n":
            if head.strip():
                parts.append((head.strip(), quote.strip()))
            elif quote.strip():
                raise ChangeError([f"这段引文前面缺法律名称和条号：「{quote.strip()[:20]}…」"])
            head, quote = "", ""
        else:
            head += char
    if inside:
        raise ChangeError(["引用原文的「」没有配对"])
    return parts


def question_owners(kb: KnowledgeBase) -> dict[str, set[str]]:
    """Normalised question -> the entries that have it. An import builds it once for all its
    rows, not once per row."""
    owners: dict[str, set[str]] = {}
    for other in kb.entries:
        for question in (*other.questions, other.title):
            owners.setdefault(normalize(question), set()).add(other.id)
    return owners


def validate(
    kb: KnowledgeBase, entry: Entry, owners: dict[str, set[str]] | None = None
) -> list[str]:
    """The same rules as `pufa kb check`, for one entry against the live knowledge base."""
    problems = []
    where = entry.id or "新条目"
    if not _ID.match(entry.id):
        problems.append("编号只能用小写字母、数字和连字符，例如 hunyin-cooling-off")
    if entry.topic not in kb.topics:
        problems.append(f"话题“{entry.topic}”不存在，可选：{'、'.join(kb.topics)}")
    if not entry.title:
        problems.append("标题不能为空")
    if len(entry.questions) < MIN_QUESTIONS:
        problems.append(f"至少要有 {MIN_QUESTIONS} 种问法，现在 {len(entry.questions)} 种")
    if not entry.answer or len(entry.answer) > MAX_ANSWER:
        problems.append(f"回答要写，且不超过 {MAX_ANSWER} 字（现在 {len(entry.answer)} 字）")
    if len(entry.next_steps) > MAX_NEXT_STEPS:
        problems.append(f"“怎么办”不超过 {MAX_NEXT_STEPS} 字")
    if not entry.citations:
        problems.append("至少要有一条法律依据")
    for citation in entry.citations:
        problems += check_citation(kb, citation, where)
    owners = question_owners(kb) if owners is None else owners
    clashes = {
        (other, question)
        for question in {normalize(q) for q in (*entry.questions, entry.title)}
        for other in owners.get(question, ())
        if other != entry.id
    }
    problems += [f"问法“{q}”已属于条目 {other}" for other, q in sorted(clashes)[:1]]
    known_cases = {c.id for c in kb.cases}
    problems += [f"没有这个案例：{c}" for c in entry.cases if c not in known_cases]
    problems += see_also_problems(entry, {e.id for e in kb.entries}, "推荐的相关条目")
    return problems


class KnowledgeLayer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def version(self) -> int:
        return reviewed.approved_version(self.engine, kb_changes)

    def fingerprint(self) -> str:
        """Digest of every approved change; with the bundle's, the key of the index cache."""
        digest = hashlib.sha256()
        with self.engine.connect() as conn:
            for row in conn.execute(
                select(
                    kb_changes.c.id,
                    kb_changes.c.action,
                    kb_changes.c.entry_id,
                    kb_changes.c.payload,
                )
                .where(kb_changes.c.state == "approved")
                .order_by(kb_changes.c.id)
            ):
                digest.update(f"{row.id}\t{row.action}\t{row.entry_id}\t{row.payload}\n".encode())
        return digest.hexdigest()

    def apply(self, base: KnowledgeBase) -> KnowledgeBase:
        """The bundled knowledge base with every approved change laid over it."""
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(kb_changes)
                    .where(kb_changes.c.state == "approved")
                    .order_by(kb_changes.c.id)
                )
                .mappings()
                .all()
            )
        if not rows:
            return base
        entries = {entry.id: entry for entry in base.entries}
        for row in rows:
            if row["action"] == "delete":
                entries.pop(row["entry_id"], None)
            else:
                entries[row["entry_id"]] = entry_from_dict(json.loads(row["payload"]))
        return base.replace_entries(entries.values())

    def propose(self, kb: KnowledgeBase, entry: Entry, author: str, action: str = "upsert") -> int:
        if not get_user(self.engine, author).can("staff"):
            raise ChangeError([f"用户 {author} 没有编辑知识库的权限"])
        problems = validate(kb, entry) if action == "upsert" else []
        if problems:
            raise ChangeError(problems)
        return self.propose_many([(entry, action)], author)[0]

    def propose_many(self, items: Iterable[tuple[Entry, str]], author: str) -> list[int]:
        """All proposals in one transaction: nothing is half-saved."""
        ids = []
        with self.engine.begin() as conn:
            for entry, action in items:
                ids.append(
                    inserted_id(
                        conn.execute(
                            insert(kb_changes).values(
                                entry_id=entry.id,
                                action=action,
                                payload=json.dumps(entry_to_dict(entry), ensure_ascii=False),
                                state="pending",
                                author=author,
                                created_at=utcnow(),
                            )
                        )
                    )
                )
        return ids

    def review(self, change_id: int, reviewer: str, approve: bool, comment: str = "") -> Change:
        change = self.get(change_id)
        reviewed.review(self.engine, kb_changes, change, change_id, reviewer, approve, comment)
        return self.get(change_id)

    def get(self, change_id: int) -> Change:
        return _change(reviewed.fetch(self.engine, kb_changes, change_id))

    def list(self, state: str | None = None, entry_id: str | None = None) -> list[Change]:
        rows = reviewed.listed(self.engine, kb_changes, state, entry_id=entry_id)
        return [_change(row) for row in rows]


def _change(row: Any) -> Change:
    payload = json.loads(row["payload"])
    return Change(
        id=row["id"],
        entry_id=row["entry_id"],
        action=row["action"],
        entry=entry_from_dict(payload) if row["action"] == "upsert" else None,
        state=row["state"],
        author=row["author"],
        reviewer=row["reviewer"],
        comment=row["comment"],
        created_at=row["created_at"],
    )
