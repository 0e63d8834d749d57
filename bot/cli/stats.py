"""`pufa stats` and `pufa demo-data`: the leaders' figures from the command line."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from bot.cli.common import open_store, settings_of
from bot.settings import Settings
from knowledge.errors import PufaError
from knowledge.kb import load_knowledge


def _settings() -> Settings:
    return settings_of()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"日期格式应为 2026-01-31，收到：{text}") from None


@click.command("stats")
@click.option("--from", "start", required=True, help="开始日期，如 2026-01-01")
@click.option("--to", "end", required=True, help="结束日期（含当天），如 2026-12-31")
@click.option("--village", default=None, help="只看某个村")
@click.option(
    "--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), help="同时导出 Excel 工作簿"
)
@click.option("--demo", "include_demo", is_flag=True, help="包含演示数据（编造的，不能用于汇报）")
def stats(start: str, end: str, village: str | None, xlsx: Path | None, include_demo: bool) -> None:
    """打印一段时间的咨询与推送数据（可导出 Excel）。演示数据和试运行推送默认不计入。"""
    from bot.store.export import OUTCOME_NAMES, workbook
    from bot.store.journal import Journal
    from bot.store.stats import compute, report_paragraph

    settings = _settings()
    first, last = _day(start), _day(end)
    if last < first:
        raise click.BadParameter("结束日期不能早于开始日期")
    store = open_store(settings)
    figures = compute(
        store.engine,
        load_knowledge(),
        first,
        last,
        settings.push.timezone,
        village,
        include_demo=include_demo,
    )
    click.echo(f"{first} 至 {last}{'，' + village if village else ''}")
    click.echo(
        f"咨询 {figures.questions} 人次，{figures.residents} 人（新 {figures.new_residents}，老 {figures.returning_residents}）"
    )
    click.echo(
        "、".join(f"{OUTCOME_NAMES.get(k, k)} {v}" for k, v in figures.outcomes.most_common())
    )
    click.echo("话题：" + "、".join(f"{t} {n}" for t, n in figures.by_topic.most_common(8)))
    click.echo("村：" + "、".join(f"{v} {n}" for v, n in figures.by_village.most_common()))
    if figures.satisfaction is not None:
        click.echo(
            f"满意度：有用 {figures.helpful}，没用 {figures.unhelpful}（{figures.satisfaction:.0%}）"
        )
    click.echo(f"推送：{figures.pushes_sent} 次，覆盖 {figures.reach} 人次")
    if figures.demo_rows:
        click.echo(
            f"注意：其中 {figures.demo_rows} 条是编造的演示数据，不能用于汇报"
            "（pufa demo-data --clear 可清除）"
        )
    left_out = [
        f"演示数据 {figures.left_out_demo} 条（加 --demo 可看）" if figures.left_out_demo else "",
        f"试运行推送 {figures.left_out_dryrun} 次" if figures.left_out_dryrun else "",
    ]
    if any(left_out):
        click.echo("未计入：" + "、".join(part for part in left_out if part))
    if waiting := Journal(settings.server.journal).count():
        click.echo(
            f"注意：数据库故障期间暂存了 {waiting} 条居民消息，尚未补录"
            "（数据库恢复后由定时任务进程或网页服务启动时自动补录）"
        )
    click.echo(report_paragraph(figures, settings.township.name))
    if xlsx:
        xlsx.write_bytes(workbook(figures, settings.township.name))
        click.echo(f"已导出 {xlsx}")
    store.dispose()


@click.command("demo-data")
@click.option("--days", default=365, show_default=True, help="演示数据覆盖过去多少天")
@click.option("--people", default=300, show_default=True, help="演示居民人数")
@click.option("--clear", is_flag=True, help="只清除演示数据")
def demo_data(days: int, people: int, clear: bool) -> None:
    """写入演示用的咨询数据（OpenID 以 demo- 开头）。只在本地试用配置下可用。"""
    from bot.store.demo import clear_demo, seed_demo

    settings = _settings()
    if not clear and not settings.server.simulator:
        raise PufaError("这是正式部署的配置（server.simulator = false），不能写入演示数据")
    store = open_store(settings)
    if clear:
        clear_demo(store.engine)
        click.echo("已清除演示数据")
        return
    villages = [v.name for v in settings.township.villages] or ["演示村"]
    count = seed_demo(store.engine, load_knowledge(), villages, days, people)
    today = datetime.now(ZoneInfo(settings.push.timezone)).date()
    click.echo(f"已写入 {count} 条演示咨询（{people} 位演示居民，过去 {days} 天，截至 {today}）")
    store.dispose()


@click.command("retention")
def retention() -> None:
    """按 privacy.retention_days 立即删除过期的提问原文（统计数字保留；调度进程每天也会做）。"""
    from bot.store.retention import purge_old_texts

    settings = _settings()
    store = open_store(settings)
    removed = purge_old_texts(store.engine, settings.privacy.retention_days)
    click.echo(
        f"已删除 {removed} 条过期提问的原文（保留期限 {settings.privacy.retention_days} 天，0 表示不删除）"
    )
    store.dispose()
