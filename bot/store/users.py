"""Staff accounts and roles: who may write, review, and read the figures."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from bot.store.storage import utcnow
from bot.store.tables import login_attempts, users
from bot.store.unit import begin, connect
from knowledge.errors import PufaError

ROLES = {
    "admin": "管理员",
    "staff": "工作人员",
    "reviewer": "审核人",
    "leader": "领导",
    "helper": "法律明白人",
}
BIND_MINUTES = 30
MIN_PASSWORD = 8
HASH_METHOD = "scrypt"  # werkzeug's strong default; the tests swap in a fast one
UNLOCKED = "pufa user unlock"  # the address of the record that ends a login lock


class UserError(PufaError):
    """A user that does not exist, a wrong role or a weak password."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    roles: frozenset[str]
    active: bool
    village: str = ""
    openid: str = ""

    @property
    def helper_only(self) -> bool:
        """A village 法律明白人 with no other role sees only tickets and the binding page."""
        return self.roles == frozenset({"helper"})

    def can(self, role: str) -> bool:
        return self.active and (role in self.roles or "admin" in self.roles)


def _roles(text: str) -> frozenset[str]:
    roles = frozenset(r.strip() for r in text.split(",") if r.strip())
    unknown = roles - set(ROLES)
    if not roles or unknown:
        raise UserError(f"角色只能是 {', '.join(ROLES)}，收到：{text}")
    return roles


def add_user(
    engine: Engine,
    username: str,
    password: str,
    roles: str,
    display_name: str = "",
    village: str = "",
) -> User:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 位")
    parsed = _roles(roles)
    if "helper" in parsed and not village:
        raise UserError("法律明白人（helper）要写明是哪个村的：--village 村名")
    try:
        with begin(engine) as conn:
            conn.execute(
                insert(users).values(
                    username=username,
                    display_name=display_name or username,
                    roles=",".join(sorted(parsed)),
                    password_hash=generate_password_hash(password, method=HASH_METHOD),
                    active=True,
                    created_at=utcnow(),
                    village=village or None,
                )
            )
    except IntegrityError:
        raise UserError(f"用户 {username} 已存在") from None
    return get_user(engine, username)


def get_user(engine: Engine, username: str) -> User:
    with connect(engine) as conn:
        row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    if row is None:
        raise UserError(f"没有用户 {username}")
    return _user(row)


def _user(row: Any) -> User:
    return User(
        row["username"],
        row["display_name"],
        frozenset(row["roles"].split(",")),
        bool(row["active"]),
        row["village"] or "",
        row["openid"] or "",
    )


def check_password(engine: Engine, username: str, password: str) -> User | None:
    with connect(engine) as conn:
        row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    if row is None or not row["active"] or not check_password_hash(row["password_hash"], password):
        return None
    return get_user(engine, username)


def set_password(engine: Engine, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 位")
    get_user(engine, username)
    with begin(engine) as conn:
        conn.execute(
            update(users)
            .where(users.c.username == username)
            .values(password_hash=generate_password_hash(password, method=HASH_METHOD))
        )


def set_active(engine: Engine, username: str, active: bool) -> None:
    get_user(engine, username)
    with begin(engine) as conn:
        conn.execute(update(users).where(users.c.username == username).values(active=active))


def list_users(engine: Engine) -> list[User]:
    with connect(engine) as conn:
        names = conn.execute(select(users.c.username).order_by(users.c.username)).scalars().all()
    return [get_user(engine, name) for name in names]


def user_exists(engine: Engine, username: str) -> bool:
    with connect(engine) as conn:
        found = conn.execute(select(users.c.username).where(users.c.username == username))
        return found.first() is not None


def unlock(engine: Engine, username: str) -> None:
    """End a login lock now: the lock counts failures since the account's last success."""
    get_user(engine, username)
    with begin(engine) as conn:
        conn.execute(
            insert(login_attempts).values(username=username, address=UNLOCKED, ok=True, at=utcnow())
        )


def new_bind_code(engine: Engine, username: str) -> str:
    """A one-time code the user sends as "绑定 <code>" to tie their WeChat to the account."""
    get_user(engine, username)
    code = f"{secrets.randbelow(900000) + 100000}"
    with begin(engine) as conn:
        conn.execute(
            update(users)
            .where(users.c.username == username)
            .values(bind_code=code, bind_code_expires=utcnow() + timedelta(minutes=BIND_MINUTES))
        )
    return code


def bind_openid(engine: Engine, code: str, openid: str) -> User | None:
    """The user whose live code this is, now bound to `openid`; None for a wrong or old code."""
    with begin(engine) as conn:
        row = (
            conn.execute(
                select(users).where(
                    and_(
                        users.c.bind_code == code,
                        users.c.bind_code_expires > utcnow(),
                        users.c.active.is_(True),
                    )
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        conn.execute(update(users).where(users.c.openid == openid).values(openid=None))
        conn.execute(
            update(users)
            .where(users.c.id == row["id"])
            .values(openid=openid, bind_code=None, bind_code_expires=None)
        )
    return get_user(engine, row["username"])


def user_by_openid(engine: Engine, openid: str) -> User | None:
    with connect(engine) as conn:
        row = conn.execute(select(users).where(users.c.openid == openid)).mappings().first()
    return _user(row) if row is not None and row["active"] else None


def village_helpers(engine: Engine, village: str) -> list[User]:
    with connect(engine) as conn:
        rows = conn.execute(
            select(users)
            .where(and_(users.c.village == village, users.c.active.is_(True)))
            .order_by(users.c.username)
        ).mappings()
        found = [_user(row) for row in rows]
    return [user for user in found if "helper" in user.roles]
