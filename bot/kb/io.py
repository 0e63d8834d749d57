"""Entries to and from Excel (.xlsx) and CSV, with a row-by-row error report on import."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook, load_workbook

from bot.kb.layer import (
    ChangeError,
    cite_text,
    entry_from_dict,
    parse_citations,
    question_owners,
    validate,
)
from knowledge.kb import Entry, KnowledgeBase

COLUMNS = [
    "id",
    "topic",
    "title",
    "questions",
    "answer",
    "next_steps",
    "citations",
    "keywords",
    "cases",
    "reviewed",
    "see_also",
]
HEADERS = [
    "编号",
    "话题",
    "标题",
    "问法（每行一种）",
    "回答",
    "怎么办",
    "法律依据（每行一条，如 民法典第1079条「引用原文」）",
    "关键词（用、分隔）",
    "案例编号（用、分隔）",
    "法律核对记录（日期和核对了什么）",
    "答完推荐的相关条目编号（用、分隔，最多 2 个）",
]
REQUIRED_HEADERS = len(HEADERS) - 2  # files exported before the last two columns still import
MAX_ROWS = 5000


def entry_row(entry: Entry) -> list[str]:
    return [
        entry.id,
        entry.topic,
        entry.title,
        "\n".join(entry.questions),
        entry.answer,
        entry.next_steps,
        cite_text(entry.citations),
        "、".join(entry.keywords),
        "、".join(entry.cases),
        entry.reviewed,
        "、".join(entry.see_also),
    ]


def to_xlsx(entries: Iterable[Entry]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "知识库"
    sheet.append(HEADERS)
    for entry in entries:
        sheet.append(entry_row(entry))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv(entries: Iterable[Entry]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for entry in entries:
        writer.writerow(entry_row(entry))
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets Excel open it as UTF-8


def read_rows(data: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception:  # openpyxl raises many kinds on a damaged file
            raise ChangeError(
                ["打不开这个 Excel 文件：文件可能已损坏，或不是 .xlsx 格式"]
            ) from None
        rows = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    elif filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ChangeError(["CSV 文件须是 UTF-8 编码（Excel 里“另存为 CSV UTF-8”）"]) from None
        rows = list(csv.reader(io.StringIO(text)))
    else:
        raise ChangeError(["只支持 .xlsx 或 .csv 文件"])
    if len(rows) > MAX_ROWS + 1:
        raise ChangeError([f"一次最多导入 {MAX_ROWS} 行"])
    return rows


def entries_from_rows(
    kb: KnowledgeBase, rows: list[list[str]]
) -> tuple[list[Entry], list[tuple[int, str]]]:
    """Entries parsed and validated; errors as (row number, reason). Use only when errors is empty."""
    header = [h.strip() for h in rows[0][: len(HEADERS)]] if rows else []
    if header not in (HEADERS[:n] for n in range(REQUIRED_HEADERS, len(HEADERS) + 1)):
        return [], [(1, "第一行须是导出文件的表头：" + "、".join(HEADERS))]
    entries: list[Entry] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    owners = question_owners(kb)
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(COLUMNS, [*row, *[""] * len(COLUMNS)], strict=False))
        try:
            entry = _entry(cells)
        except ChangeError as exc:
            errors += [(number, problem) for problem in exc.problems]
            continue
        if entry.id in seen:
            errors.append((number, f"编号 {entry.id} 与第 {seen[entry.id]} 行重复"))
            continue
        seen[entry.id] = number
        errors += [(number, problem) for problem in validate(kb, entry, owners)]
        entries.append(entry)
    return entries, errors


def _entry(cells: dict[str, str]) -> Entry:
    def items(text: str, separators: str) -> list[str]:
        for sep in separators:
            text = text.replace(sep, "\n")
        return [part.strip() for part in text.split("\n") if part.strip()]

    data: dict[str, Any] = {
        "id": cells["id"].strip(),
        "topic": cells["topic"].strip(),
        "title": cells["title"].strip(),
        "questions": items(cells["questions"], "｜|"),
        "answer": cells["answer"].strip(),
        "next_steps": cells["next_steps"].strip(),
        "keywords": items(cells["keywords"], "、,，"),
        "cases": items(cells["cases"], "、,，"),
        "citations": [],
        "reviewed": cells["reviewed"].strip(),
        "see_also": items(cells["see_also"], "、,，"),
    }
    entry = entry_from_dict(data)
    citations = parse_citations(cells["citations"]) if cells["citations"].strip() else ()
    return Entry(
        **{**{f: getattr(entry, f) for f in entry.__dataclass_fields__}, "citations": citations}
    )
