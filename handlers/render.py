"""Turning entries, cases, articles and match results into the text a resident reads."""

from __future__ import annotations

from knowledge.kb import Case, Citation, Entry, KnowledgeBase
from knowledge.laws import Article, Reference
from knowledge.matcher import Match

from .context import Context


def cite(kb: KnowledgeBase, citation: Citation) -> str:
    law = kb.laws.law(citation.law)
    if citation.article is None or law.outdated:
        return f"《{law.title}》"
    return f"《{law.title}》{citation.article}"


def citation_line(kb: KnowledgeBase, citations: tuple[Citation, ...]) -> str:
    """《民法典》第一条、第二条；《土地管理法》第十四条 — one mention per law, in citation order."""
    by_law: dict[str, list[str]] = {}
    for citation in citations:
        law = kb.laws.law(citation.law)
        labels = by_law.setdefault(law.title, [])
        if citation.article and not law.outdated and citation.article not in labels:
            labels.append(citation.article)
    return "；".join(f"《{title}》" + "、".join(labels) for title, labels in by_law.items())


def version_line(kb: KnowledgeBase, citations: tuple[Citation, ...]) -> str:
    versions = dict.fromkeys(
        f"{law.title.removeprefix('中华人民共和国')} {law.version}"
        for law in (kb.laws.law(c.law) for c in citations)
        if not law.outdated
    )
    return "、".join(versions)


def outdated_notices(kb: KnowledgeBase, citations: tuple[Citation, ...]) -> list[str]:
    laws = dict.fromkeys(kb.laws.law(c.law) for c in citations)
    return [law.notice for law in laws if law.outdated and law.notice]


def entry_text(entry: Entry, ctx: Context) -> str:
    kb = ctx.kb
    parts = [f"【{entry.title}】", entry.answer]
    if entry.next_steps:
        parts.append(f"怎么办：{entry.next_steps}")
    parts.append(ctx.text("answer_footer", citations=citation_line(kb, entry.citations)))
    versions = version_line(kb, entry.citations)
    if versions:
        parts.append(ctx.text("version_note", versions=versions))
    parts += outdated_notices(kb, entry.citations)
    parts.append(ctx.text("local_help"))
    if entry.cases:
        parts.append(ctx.text("case_hint"))
    parts.append(ctx.text("disclaimer"))
    return "\n".join(parts)


def case_text(case: Case, ctx: Context) -> str:
    parts = [
        f"【以案说法】{case.title}",
        case.story,
        f"【法律怎么说】{case.ruling}",
        f"【提个醒】{case.lesson}",
    ]
    if case.citations:
        parts.append(ctx.text("answer_footer", citations=citation_line(ctx.kb, case.citations)))
    parts.append(ctx.text("disclaimer"))
    return "\n".join(parts)


def choices_text(matches: list[Match], ctx: Context) -> str:
    lines = [ctx.text("choices_header")]
    lines += [f"{i}. {ctx.kb.entry(m.entry_id).title}" for i, m in enumerate(matches, 1)]
    lines.append(ctx.text("choices_footer"))
    return "\n".join(lines)


def law_text(articles: tuple[Article, ...], ctx: Context) -> str:
    """The long tail: no entry fits, so the law's own words, labelled as such, and who to ask."""
    laws = ctx.kb.laws
    parts = [ctx.text("law_text")]
    for article in articles:
        law = laws.law(article.law_key)
        parts += [f"《{law.title}》{article.label}", article.text]
    titles = dict.fromkeys(laws.law(a.law_key) for a in articles)
    versions = "、".join(f"{t.title.removeprefix('中华人民共和国')} {t.version}" for t in titles)
    parts += [
        ctx.text("version_note", versions=versions),
        ctx.text("local_help"),
        ctx.text("disclaimer"),
    ]
    return "\n".join(parts)


def related_text(matches: list[Match], ctx: Context) -> str:
    """“相关问题：回复 2 看…，回复 3 看…”: numbered after the answer itself, which is 1."""
    items = "，".join(
        f"回复 {i} 看“{ctx.kb.entry(m.entry_id).title}”" for i, m in enumerate(matches, 2)
    )
    return ctx.text("related", items=items)


def crisis_text(kinds: tuple[str, ...], ctx: Context) -> str:
    lines = [ctx.text(f"crisis_{kind}") for kind in kinds] + [ctx.text("crisis_contacts")]
    return ctx.text("crisis", crisis_lines="\n".join(lines))


def article_text(reference: Reference, ctx: Context) -> str:
    """The text of the article a resident asked for, with repeal and revision notices."""
    laws = ctx.kb.laws
    if reference.repealed:
        old = laws.repealed[reference.law_key]
        year, month, day = (int(x) for x in old.repealed_on.split("-"))
        title = old.title.removeprefix("中华人民共和国")
        parts = [ctx.text("article_repealed", old=title, date=f"{year}年{month}月{day}日")]
        new_labels = old.articles.get(reference.label or "", ())
        if not new_labels:
            parts.append(ctx.text("article_unmapped"))
            return "\n".join(parts)
        parts.append(
            ctx.text(
                "article_mapped", old_label=reference.label or "", new_labels="、".join(new_labels)
            )
        )
        current = laws.law(old.replaced_by)
        parts += [
            f"{label} {current.articles[label].text}"
            for label in new_labels
            if label in current.articles
        ]
        parts.append(ctx.text("version_note", versions=f"民法典 {current.version}"))
        parts.append(ctx.text("disclaimer"))
        return "\n".join(parts)
    law = laws.laws[reference.law_key]
    if law.outdated:
        return law.notice
    article = law.articles.get(reference.label or "")
    if article is None:
        return ctx.text("article_missing", title=law.title, label=reference.label or "")
    return "\n".join(
        [
            f"《{law.title}》{article.label}",
            article.text,
            *(part.notice for part in law.repealed_paragraphs.get(article.label, ())),
            ctx.text(
                "version_note", versions=f"{law.title.removeprefix('中华人民共和国')} {law.version}"
            ),
        ]
    )
