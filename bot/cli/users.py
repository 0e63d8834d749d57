"""`pufa user …`: staff accounts, roles, passwords and login locks."""

from __future__ import annotations

import sys

import click

from bot.cli.common import open_store, settings_of
from bot.store import users as accounts


def _new_username(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """Runs before any password prompt, so an existing name is refused straight away."""
    if accounts.user_exists(open_store().engine, value):
        raise accounts.UserError(f"用户 {value} 已存在（改密码用 pufa user passwd {value}）")
    return value


def _password(given: str | None, from_stdin: bool) -> str:
    if given is not None:
        return given
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise click.UsageError("标准输入里没有密码（第一行即密码）")
        return line
    return str(click.prompt("密码", hide_input=True, confirmation_prompt="再输一次"))


password_options = [
    click.option("--password", default=None, help="密码（至少 8 位）；不给则提示输入"),
    click.option(
        "--password-stdin", is_flag=True, help="从标准输入的第一行读密码（脚本里用，不进命令历史）"
    ),
]


def _with_password(command):  # type: ignore[no-untyped-def]
    for option in reversed(password_options):
        command = option(command)
    return command


@click.group("user")
def user() -> None:
    """工作人员账号：add / passwd / disable / unlock / list。"""


@user.command("add")
@click.argument("username", callback=_new_username)
@click.option(
    "--role", "roles", required=True, help="角色，逗号分隔：admin,staff,reviewer,leader,helper"
)
@click.option("--name", "display_name", default="", help="显示的姓名")
@click.option("--village", default="", help="法律明白人（helper）所在的村")
@_with_password
def user_add(
    username: str,
    roles: str,
    display_name: str,
    village: str,
    password: str | None,
    password_stdin: bool,
) -> None:
    """新建账号。法律明白人：--role helper --village 村名。"""
    if village:
        known = [v.name for v in settings_of().township.villages]
        if village not in known:
            raise accounts.UserError(f"没有“{village}”，本镇的村有：{'、'.join(known)}")
    created = accounts.add_user(
        open_store().engine,
        username,
        _password(password, password_stdin),
        roles,
        display_name,
        village,
    )
    where = f"，{created.village}" if created.village else ""
    roles_shown = "、".join(accounts.ROLES[r] for r in sorted(created.roles))
    click.echo(f"已创建 {created.username}（{roles_shown}{where}）")


@user.command("bind-code")
@click.argument("username")
def user_bind_code(username: str) -> None:
    """生成一次性绑定码：本人用微信在公众号里发送“绑定 绑定码”，就绑定了这个账号。"""
    code = accounts.new_bind_code(open_store().engine, username)
    click.echo(
        f"请 {username} 用自己的微信在公众号里发送：绑定 {code}（{accounts.BIND_MINUTES} 分钟内有效）"
    )


@user.command("passwd")
@click.argument("username")
@_with_password
def user_passwd(username: str, password: str | None, password_stdin: bool) -> None:
    """修改密码。"""
    engine = open_store().engine
    accounts.get_user(engine, username)
    accounts.set_password(engine, username, _password(password, password_stdin))
    click.echo(f"已修改 {username} 的密码")


@user.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """停用账号（不删除，审计记录保留）。"""
    accounts.set_active(open_store().engine, username, False)
    click.echo(f"已停用 {username}")


@user.command("unlock")
@click.argument("username")
def user_unlock(username: str) -> None:
    """解除登录锁定（密码输错太多次后 15 分钟内不能登录）。"""
    accounts.unlock(open_store().engine, username)
    click.echo(f"已解除 {username} 的登录锁定")


@user.command("list")
def user_list() -> None:
    """列出账号。"""
    for item in accounts.list_users(open_store().engine):
        state = "" if item.active else "（已停用）"
        extra = "".join(
            part
            for part in (
                f"\t{item.village}" if item.village else "",
                "\t已绑定微信" if item.openid else "",
            )
        )
        click.echo(
            f"{item.username}\t{item.display_name}\t{','.join(sorted(item.roles))}{state}{extra}"
        )
