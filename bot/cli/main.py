"""The one command line, `pufa`: a thin click layer over the library."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from bot.cli.common import open_store, settings_of
from bot.cli.db import backup_command, db, restore_command
from bot.cli.kb import evaluate_command, kb, laws
from bot.cli.push import campaigns, push, scheduler_command
from bot.cli.stats import demo_data, retention, stats
from bot.cli.users import user
from knowledge.errors import PufaError


class PufaFailure(click.ClickException):
    """A PufaError as the user sees it: one Chinese line, exit code 1, no traceback."""

    def show(self, file: Any = None) -> None:
        click.echo(f"错误：{self.format_message()}", file=file, err=True)


class PufaGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PufaError as exc:
            raise PufaFailure(str(exc)) from exc


@click.group(cls=PufaGroup)
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    envvar="PUFA_CONFIG",
    help="配置文件（TOML）；不给则用内置的本地默认配置。也可用环境变量 PUFA_CONFIG。",
)
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """pufa 普法助手：乡镇公众号的法律问答与普法宣传。"""
    ctx.obj = {"config": config, "settings": None}


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """创建数据库表（可重复执行）。"""
    settings = settings_of(ctx)
    open_store(settings, create=True)
    click.echo(f"数据库已就绪：{settings.database.url}")


@main.command()
@click.option("--host", default=None, help="监听地址，默认取配置 server.host")
@click.option("--port", default=None, type=int, help="监听端口，默认取配置 server.port")
@click.option(
    "--scheduler/--no-scheduler",
    "with_scheduler",
    default=None,
    help="在本进程里顺带运行推送调度（本地配置默认开启；正式部署请单独运行 pufa scheduler）",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str | None, port: int | None, with_scheduler: bool | None
) -> None:
    """启动网页服务（/wechat 接口；本地配置下还有 /simulator 聊天模拟页）。"""
    from bot.web.app import create_app

    settings = settings_of(ctx)
    app = create_app(settings)
    host = host or settings.server.host
    port = port or settings.server.port
    click.echo(f"pufa 已启动：http://{host}:{port}/  （微信接口 /wechat）")
    if settings.server.simulator:
        click.echo(f"聊天模拟页：http://{host}:{port}/simulator")
    if settings.server.simulator if with_scheduler is None else with_scheduler:
        from bot.push.process import build

        build(settings, background=True, services=app.extensions["pufa"].services).scheduler.start()
        click.echo("推送调度已在本进程中运行（单进程本地试用）。")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command()
@click.argument("question", required=False)
@click.option(
    "--json", "as_json", is_flag=True, help="输出 JSON：回复、结果类型、条目、分数、候选、依据"
)
@click.option(
    "--file",
    "file",
    type=click.File("r", encoding="utf-8"),
    help='逐行回答 JSONL 文件里的 {"id", "question"}',
)
@click.pass_context
def ask(ctx: click.Context, question: str | None, as_json: bool, file: Any) -> None:
    """像居民一样问一个问题，打印 pufa 的回复。"""
    from bot.ask import Asker

    if not question and file is None:
        raise click.UsageError("请给出问题，或用 --file 指定问题文件")
    asker = Asker(settings_of(ctx))
    if file is None:
        assert question is not None
        result = asker.explain(question)
        click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else result["reply"])
        return
    for number, line in enumerate(file, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = str(item["question"])
        except (ValueError, KeyError, TypeError):
            raise PufaError(
                f'第 {number} 行应是一行 JSON，带 "question"（可选 "id"），例如 '
                '{"id": "q1", "question": "离婚冷静期多久"}'
            ) from None
        result = {"id": item.get("id"), **asker.explain(text)}
        click.echo(
            json.dumps(result, ensure_ascii=False)
            if as_json
            else f"[{item.get('id')}] {result['reply']}\n"
        )


@main.command()
@click.pass_context
def chat(ctx: click.Context) -> None:
    """在终端里当居民聊天（输入 退出 结束）。"""
    from bot.ask import Asker

    asker = Asker(settings_of(ctx))
    click.echo("您好，请提问（输入“退出”结束）。")
    for line in (
        sys.stdin
        if not sys.stdin.isatty()
        else iter(lambda: click.prompt("我", prompt_suffix="："), None)
    ):
        text = line.strip()
        if text in ("退出", "exit", "quit"):
            break
        if text:
            click.echo(f"助手：{asker.reply(text)}\n")


for command in (
    db,
    backup_command,
    restore_command,
    kb,
    laws,
    evaluate_command,
    user,
    push,
    campaigns,
    scheduler_command,
    stats,
    demo_data,
    retention,
):
    main.add_command(command)


if __name__ == "__main__":
    main()
