"""Calls to the WeChat API with one token owner and a clear retry policy.

wechatpy's own retry on 40001/42001 recurses without bound, so the client runs with
auto_retry=False and this module does exactly one refresh and one retry. Quota (45009)
and permission (48001) errors fail at once; 5xx and timeouts get bounded back-off.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.engine import Engine
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from bot.settings import Settings
from bot.store.statements import DIALECT_INSERT
from bot.store.tables import tokens
from knowledge.errors import PufaError

log = logging.getLogger(__name__)

TOKEN_ERRORS = {40001, 40014, 42001}
MESSAGES = {
    45009: "接口调用次数已达上限（群发次数用完），请明天再发或联系管理员",
    48001: "公众号没有这个接口的权限（例如未认证的订阅号不能群发）",
    45015: "居民 48 小时内没有和公众号互动，不能发客服消息",
    45047: "客服消息已达条数上限",
    40003: "OpenID 无效",
    45065: "相同 clientmsgid 的群发已存在",
}


class ApiError(PufaError):
    def __init__(self, errcode: int | None, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.errcode = errcode
        self.retryable = retryable


class DatabaseSession(SessionStorage):
    """wechatpy session storage on the shared database, so every process sees one token."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def expires_at(self, key: str) -> datetime | None:
        with self.engine.connect() as conn:
            return conn.execute(select(tokens.c.expires_at).where(tokens.c.name == key)).scalar()

    def get(self, key: str, default: Any = None) -> Any:
        expires = self.expires_at(key)
        if expires is None or expires - datetime.now(UTC) <= timedelta(seconds=60):
            return default
        with self.engine.connect() as conn:
            return conn.execute(select(tokens.c.value).where(tokens.c.name == key)).scalar()

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        expires = datetime.now(UTC) + timedelta(seconds=ttl or 7200)
        insert = DIALECT_INSERT[self.engine.dialect.name]
        statement = insert(tokens).values(name=key, value=value, expires_at=expires)
        statement = statement.on_conflict_do_update(
            index_elements=["name"], set_={"value": value, "expires_at": expires}
        )
        with self.engine.begin() as conn:
            conn.execute(statement)

    def delete(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(tokens.delete().where(tokens.c.name == key))


class _Client(WeChatClient):
    """Fetches tokens with POST /cgi-bin/stable_token, which does not invalidate the old one."""

    force_next = False
    owner = True

    def fetch_access_token(self) -> dict[str, Any]:
        if not self.owner:
            raise ApiError(
                None, "还没有可用的 access_token：请确认调度进程（pufa scheduler）在运行"
            )
        body = {
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self.secret,
            "force_refresh": self.force_next,
        }
        response = self._http.post(
            f"{self.API_BASE_URL}stable_token", json=body, timeout=self.timeout
        )
        response.raise_for_status()
        result = response.json()
        if result.get("errcode"):
            raise ApiError(result["errcode"], f"获取 access_token 失败：{result.get('errmsg')}")
        self.session.set(
            self.access_token_key, result["access_token"], int(result.get("expires_in", 7200))
        )
        return dict(result)


class WeChatApi:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        sleep: Callable[[float], None] = time.sleep,
        owner: bool = True,
    ) -> None:
        """`owner` is true only in the scheduler process; others read the shared token."""
        secrets = settings.secrets
        self.client = _Client(
            secrets.appid,
            secrets.appsecret,
            session=DatabaseSession(engine),
            timeout=settings.push.http_timeout,
            auto_retry=False,
        )
        self.client.API_BASE_URL = settings.wechat.api_base_url
        self.client.owner = owner
        self.retries = settings.push.http_retries
        self.backoff = settings.push.retry_backoff
        self.sleep = sleep

    def close(self) -> None:
        self.client._http.close()

    def refresh_token(self, force: bool = False) -> str:
        self.client.force_next = force
        try:
            self.client.fetch_access_token()
        finally:
            self.client.force_next = False
        return str(self.client.session.get(self.client.access_token_key))

    def ensure_token(self, min_seconds: int = 600) -> None:
        """Refresh ahead of expiry; run by the scheduler process, the token's only owner."""
        expires = self.client.session.expires_at(self.client.access_token_key)
        if expires is None or expires - datetime.now(UTC) < timedelta(seconds=min_seconds):
            self.refresh_token()

    def post(self, path: str, data: dict[str, Any]) -> dict[str, Any]:
        refreshed = False
        attempt = 0
        while True:
            try:
                return dict(self.client.post(path, data=data))
            except WeChatClientException as exc:
                code = exc.errcode
                if code in TOKEN_ERRORS and not refreshed:
                    log.info("token rejected (%s); refreshing once", code)
                    self.refresh_token(force=True)
                    refreshed = True
                    continue
                status = getattr(getattr(exc, "response", None), "status_code", None)
                if code is None and status is not None and status >= 500 and attempt < self.retries:
                    attempt += 1
                    self.sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                raise ApiError(
                    code, MESSAGES.get(code or 0, f"微信接口错误 {code or status}：{exc.errmsg}")
                ) from None
            except (requests.Timeout, requests.ConnectionError) as exc:
                if attempt < self.retries:
                    attempt += 1
                    self.sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                raise ApiError(
                    None, f"连接微信接口失败：{type(exc).__name__}", retryable=True
                ) from None
