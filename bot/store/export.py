"""The period's figures as an Excel workbook, for the yearly 法治政府建设 report."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.store.stats import Figures, report_paragraph

OUTCOME_NAMES = {
    "answered": "直接解答",
    "article": "查询法条",
    "choices": "给出候选",
    "law_text": "法条原文作答（缺条目）",
    "fallback": "转交人工",
    "chat": "闲聊",
}


def workbook(figures: Figures, township: str) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "概况"
    rows = [
        ("统计期间", f"{figures.start} 至 {figures.end}"),
        ("村", figures.village or "全部"),
        ("咨询人次", figures.questions),
        ("咨询人数", figures.residents),
        ("新用户", figures.new_residents),
        ("老用户", figures.returning_residents),
        *((f"{name}率", round(figures.rate(key), 4)) for key, name in OUTCOME_NAMES.items()),
        ("“有用”反馈", figures.helpful),
        ("“没用”反馈", figures.unhelpful),
        ("满意度", round(figures.satisfaction, 4) if figures.satisfaction is not None else "—"),
        ("推送次数", figures.pushes_sent),
        ("推送覆盖人次", figures.reach),
        ("普法答题参与人数", figures.quiz.participants),
        ("普法答题人次", figures.quiz.attempts),
        ("其中演示数据行（编造）", figures.demo_rows),
        ("未计入的演示数据行", figures.left_out_demo),
        ("未计入的试运行推送", figures.left_out_dryrun),
        ("报告段落", report_paragraph(figures, township)),
    ]
    for row in rows:
        summary.append(row)
    summary.column_dimensions["A"].width = 16
    summary.column_dimensions["B"].width = 100
    _sheet(book, "按日", ("日期", "咨询人次"), sorted(figures.by_day.items()))
    _sheet(book, "按周", ("周", "咨询人次"), sorted(figures.by_week.items()))
    _sheet(book, "按月", ("月份", "咨询人次"), sorted(figures.by_month.items()))
    _sheet(book, "按话题", ("话题", "咨询人次"), figures.by_topic.most_common())
    _sheet(book, "按村", ("村", "咨询人次"), figures.by_village.most_common())
    _sheet(
        book,
        "话题×村",
        ("话题", "村", "咨询人次"),
        [(t, v, n) for (t, v), n in sorted(figures.topic_village.items())],
    )
    _sheet(book, "时段", ("小时", "咨询人次"), [(h, figures.by_hour[h]) for h in range(24)])
    _sheet(book, "常问问题", ("条目", "次数"), figures.top_entries)
    _sheet(
        book,
        "推送",
        ("编号", "标题", "日程", "渠道", "成功投递", "失败", "覆盖人次"),
        [
            (p["id"], p["title"], p["campaign"], p["channel"], p["sent"], p["failed"], p["reached"])
            for p in figures.pushes
        ],
    )
    _sheet(
        book,
        "普法答题",
        ("分组", "名称", "参与人数", "答题人次", "平均得分", "满分"),
        [
            (group, name, g.participants, g.attempts, round(g.average, 2), g.total)
            for group, rows in (
                ("题库", figures.quiz.by_quiz),
                ("村", figures.quiz.by_village),
                ("宣传活动", figures.quiz.by_campaign),
            )
            for name, g in rows.items()
        ],
    )
    _sheet(
        book,
        "答题难题",
        ("题库", "题目", "作答次数", "答对次数", "答对率"),
        [
            (h["quiz"], h["question"], h["answered"], h["right"], round(h["share"], 4))
            for h in figures.quiz.hardest
        ],
    )
    ledger = [*figures.tickets.rows.values(), figures.tickets.total]
    _sheet(
        book,
        "转介台账",
        ("村", "登记工单", "按时联系", "已办结", "超时转司法所", "尚未联系"),
        [
            (r.village, r.opened, r.contacted_in_time, r.resolved, r.escalated, r.waiting)
            for r in ledger
        ],
    )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(
    book: Workbook, title: str, header: tuple[str, ...], rows: Sequence[tuple[object, ...]]
) -> None:
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
