"""One typed, frozen settings object, loaded from TOML plus secrets from the environment."""

from __future__ import annotations

import os
import secrets
import tomllib
import typing
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from bot.errors import SettingsError
from bot.settings.sections import (
    Database,
    Hotline,
    Matching,
    Privacy,
    Push,
    Referral,
    Robot,
    Server,
    Township,
    Village,
    WeChat,
    setting,
)

__all__ = [
    "Database",
    "Hotline",
    "Matching",
    "Privacy",
    "Push",
    "Referral",
    "Robot",
    "Server",
    "Settings",
    "Township",
    "Village",
    "WeChat",
    "documented_keys",
    "load_settings",
    "require_web_secrets",
    "setting",
]

DEFAULT_CONFIG = Path(__file__).parent.parent / "default_config.toml"


SECRET_ENV = {
    "token": "PUFA_WECHAT_TOKEN",
    "appid": "PUFA_WECHAT_APPID",
    "appsecret": "PUFA_WECHAT_SECRET",
    "aes_key": "PUFA_WECHAT_AES_KEY",
    "secret_key": "PUFA_SECRET_KEY",
}


@dataclass(frozen=True)
class Secrets:
    """Read only from the environment; never printed in full."""

    token: str = ""
    appid: str = ""
    appsecret: str = ""
    aes_key: str = ""
    secret_key: str = ""
    generated: tuple[str, ...] = ()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={_mask(getattr(self, name))}" for name in SECRET_ENV)
        return f"Secrets({shown})"


@dataclass(frozen=True)
class Settings:
    township: Township = setting(Township(), "乡镇信息")
    wechat: WeChat = setting(WeChat(), "微信接入")
    database: Database = setting(Database(), "数据库")
    server: Server = setting(Server(), "本地服务")
    matching: Matching = setting(Matching(), "问答匹配阈值")
    push: Push = setting(Push(), "普法推送")
    privacy: Privacy = setting(Privacy(), "隐私")
    referral: Referral = setting(Referral(), "转介工单")
    secrets: Secrets = field(default_factory=Secrets, compare=False)
    source: str = field(default="", compare=False)


def load_settings(
    path: Path | str | None = None, environ: typing.Mapping[str, str] | None = None
) -> Settings:
    """Load TOML (the given file, $PUFA_CONFIG, or the bundled local default) and secrets."""
    env = os.environ if environ is None else environ
    chosen = (
        Path(path)
        if path
        else Path(env["PUFA_CONFIG"])
        if env.get("PUFA_CONFIG")
        else DEFAULT_CONFIG
    )
    try:
        raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"找不到配置文件：{chosen}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"配置文件 {chosen} 不是合法的 TOML：{exc}") from None
    settings = _build(Settings, {k: v for k, v in raw.items()}, "")
    return replace(settings, secrets=_secrets(settings, env), source=str(chosen))


def _secrets(settings: Settings, env: typing.Mapping[str, str]) -> Secrets:
    """Read what is set; a local trial generates the rest. Nothing is demanded here: the web
    tier asks for what it needs (require_web_secrets), and `pufa ask` needs none."""
    values = {name: env.get(var, "").strip() for name, var in SECRET_ENV.items()}
    generated: list[str] = []
    if settings.server.simulator:
        for name in ("token", "secret_key"):
            if not values[name]:
                values[name] = secrets.token_urlsafe(24)
                generated.append(SECRET_ENV[name])
        if settings.wechat.encryption_mode != "plain" and not values["aes_key"]:
            values["aes_key"] = secrets.token_urlsafe(32).replace("-", "a").replace("_", "b")[:43]
            generated.append("PUFA_WECHAT_AES_KEY")
        values["appid"] = values["appid"] or "wx-local-simulator"
    if values["aes_key"] and len(values["aes_key"]) != 43:
        raise SettingsError(
            "PUFA_WECHAT_AES_KEY 必须是 43 个字符（公众号后台生成的 EncodingAESKey）"
        )
    return Secrets(**values, generated=tuple(generated))


def require_web_secrets(settings: Settings) -> None:
    """The webhook and the console cannot run without these; say every missing one at once."""
    needed = ["token", "secret_key"]
    if settings.wechat.encryption_mode != "plain":
        needed += ["aes_key", "appid"]
    missing = [SECRET_ENV[name] for name in needed if not getattr(settings.secrets, name)]
    if missing:
        raise SettingsError(
            f"缺少环境变量 {'、'.join(missing)}：网页服务（/wechat 接口和后台）必须提供"
            f"（加密模式 {settings.wechat.encryption_mode}）。问答、统计等命令不需要它们。"
        )


def _build(cls: type, raw: Any, prefix: str) -> Any:
    if not isinstance(raw, dict):
        raise SettingsError(f"配置项 [{prefix or '顶层'}] 应当是一个表（table）")
    known = {f.name: f for f in fields(cls) if f.name not in ("secrets", "source")}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        where = f"[{prefix}] " if prefix else ""
        hint = f"，可用的有：{', '.join(known)}"
        raise SettingsError(f"未知配置项 {where}{', '.join(unknown)}{hint}")
    hints = typing.get_type_hints(cls)
    values = {name: _coerce(hints[name], raw[name], f"{prefix}.{name}".strip(".")) for name in raw}
    return cls(**values)


_SCALARS: dict[type, type | tuple[type, ...]] = {
    str: str,
    int: int,
    float: (int, float),
    bool: bool,
}


def _coerce(annotation: Any, value: Any, key: str) -> Any:
    hint = annotation
    origin = typing.get_origin(hint)
    if isinstance(hint, type) and is_dataclass(hint):
        return _build(hint, value, key)
    if origin is tuple:
        (item_type, _) = typing.get_args(hint)
        if not isinstance(value, list):
            raise SettingsError(f"配置项 {key} 应当是列表，实际是 {type(value).__name__}")
        return tuple(_coerce(item_type, item, f"{key}[{i}]") for i, item in enumerate(value))
    expected = _SCALARS[hint]
    if isinstance(value, bool) and hint is not bool or not isinstance(value, expected):
        raise SettingsError(
            f"配置项 {key} 应当是 {hint.__name__}，实际是 {type(value).__name__}：{value!r}"
        )
    return float(value) if hint is float and isinstance(value, int) else value  # 3 -> 3.0


def _mask(value: str) -> str:
    if not value:
        return "''"
    return f"'{value[:2]}…({len(value)})'" if len(value) > 6 else "'***'"


def documented_keys(cls: type = Settings, prefix: str = "") -> list[tuple[str, str]]:
    """Every (dotted key, help) pair, for the example config and its test."""
    keys: list[tuple[str, str]] = []
    hints = typing.get_type_hints(cls)
    for f in fields(cls):
        if f.name in ("secrets", "source"):
            continue
        hint = hints[f.name]
        key = f"{prefix}{f.name}"
        if isinstance(hint, type) and is_dataclass(hint):
            keys += documented_keys(hint, key + ".")
        elif typing.get_origin(hint) is tuple and is_dataclass(typing.get_args(hint)[0]):
            keys.append((key, f.metadata.get("help", "")))
            keys += documented_keys(typing.get_args(hint)[0], key + ".")
        else:
            keys.append((key, f.metadata.get("help", "")))
    return keys
