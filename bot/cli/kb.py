"""`pufa kb …` and `pufa laws …`: checking, exporting and refreshing the knowledge."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TextIO

import click

from bot.cli.common import open_store, progress, settings_of
from knowledge.check import check_knowledge
from knowledge.kb import DATA_DIR, load_knowledge
from knowledge.lawtext import import_laws, law_sources
from knowledge.quizzes import check_quizzes, load_quizzes


@click.group()
def kb() -> None:
    """知识库：检查、导出。"""


@kb.command("check")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出数量和问题")
def kb_check(as_json: bool) -> None:
    """检查知识库和答题题库：引用的法条是否存在、原文是否一致、编号是否重复……有问题时退出码为 1。"""
    knowledge = load_knowledge()
    report = check_knowledge(knowledge)
    quizzes = load_quizzes()
    report.counts["quizzes"] = len(quizzes)
    report.problems += check_quizzes(knowledge, quizzes)
    if as_json:
        click.echo(
            json.dumps(
                {"counts": report.counts, "problems": report.problems}, ensure_ascii=False, indent=2
            )
        )
    else:
        click.echo("  ".join(f"{k}={v}" for k, v in report.counts.items()))
        for problem in report.problems:
            click.echo(f"✗ {problem}")
        click.echo("知识库检查通过。" if report.ok else f"发现 {len(report.problems)} 个问题。")
    if not report.ok:
        raise SystemExit(1)


@kb.command("export")
@click.option("--jsonl", "jsonl", is_flag=True, required=True, help="每个条目一行 JSON")
@click.argument("output", type=click.File("w", encoding="utf-8"), default="-")
def kb_export(jsonl: bool, output: TextIO) -> None:
    """导出全部条目（内置文件加上已审核通过的工作人员修改）。"""
    from bot.kb.layer import KnowledgeLayer

    store = open_store()
    knowledge = KnowledgeLayer(store.engine).apply(load_knowledge())
    store.dispose()
    for entry in knowledge.entries:
        record = {
            "id": entry.id,
            "topic": entry.topic,
            "title": entry.title,
            "questions": list(entry.questions),
            "answer": entry.answer,
            "next_steps": entry.next_steps,
            "citations": [dataclasses.asdict(c) for c in entry.citations],
            "keywords": list(entry.keywords),
            "cases": list(entry.cases),
            "see_also": list(entry.see_also),
        }
        output.write(json.dumps(record, ensure_ascii=False) + "\n")


@click.group()
def laws() -> None:
    """法律文本：从 Markdown 原文重新生成内置数据。"""


@laws.command("import")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
def laws_import(source: Path) -> None:
    """从 SOURCE 目录（及其 related/）导入法律文本到 knowledge/data/laws/。"""
    with progress(law_sources(source), "导入法律法规") as sources:
        keys = import_laws(source, DATA_DIR / "law_meta.yaml", DATA_DIR / "laws", sources)
    click.echo(f"已导入 {len(keys)} 部法律法规。请运行 pufa kb check 检查引用。")


@click.command("eval")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--misses", is_flag=True, help="同时列出每一个答错的问题")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option(
    "--baseline", is_flag=True, help="同时给出普通 BM25（无词典、同义词、重排）在同一批条目上的成绩"
)
def evaluate_command(files: tuple[Path, ...], misses: bool, as_json: bool, baseline: bool) -> None:
    """用标注好的问题（{"id","question","expected"}）衡量回答质量。"""
    from bot.kb.live import bundled_matcher
    from knowledge.evaluate import evaluate, read_labelled

    matching = settings_of().matching
    matcher = bundled_matcher(matching.engine(), matching.cache_path())
    items = [item for path in files for item in read_labelled(path)]
    with progress(items, f"评测 {len(items)} 个问题", quiet=as_json) as shown:
        result = evaluate(matcher, shown)
    summary = result.summary()
    if misses:
        summary["misses"] = result.misses
    if baseline:
        from knowledge.baseline import PlainBM25
        from knowledge.evaluate import evaluate_baseline

        summary["baseline_bm25"] = evaluate_baseline(PlainBM25(matcher.kb), items)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    first = summary["first_reply"]
    click.echo(
        f"范围内 {summary['in_scope']} 条，第一次回复：直接答对 {first['direct_right']:.1%}，"
        f"直接答错 {first['direct_wrong']:.1%}，候选里有对的 {first['menu_right']:.1%}，"
        f"候选里没有 {first['menu_wrong']:.1%}，法条原文 {first['law_text']:.1%}，"
        f"兜底 {first['fallback']:.1%}\n"
        f"  一次解决（直接答对 + 候选有对）{summary['solved_first_turn']:.1%}；"
        f"直接作答率 {summary['direct_rate']:.1%}，其中答对 {summary['direct_precision']:.1%}\n"
        f"  排序：top-1 {summary['top1']:.1%}，top-3 {summary['top3']:.1%}，"
        f"兜底率 {summary['fallback_rate_in_scope']:.1%}\n"
        f"范围外 {summary['out_of_scope']} 条（其中缺条目 {summary['gaps']} 条，"
        f"占法律问题 {summary['gap_rate']:.1%}）：用法律作答的 "
        f"{summary['false_answer_rate_out_of_scope']:.1%}"
    )
    if baseline:
        plain = summary["baseline_bm25"]
        click.echo(
            f"普通 BM25 基线：top-1 {plain['top1']:.1%}，top-3 {plain['top3']:.1%}（总是作答）"
        )
    for row in summary["worst_confusions"]:
        click.echo(f"  混淆 {row['expected']} → {row['got']} ×{row['count']}")
    for miss in summary.get("misses", []):
        click.echo(f"  ✗ {json.dumps(miss, ensure_ascii=False)}")
