"""The sections of pufa's settings: one frozen dataclass per TOML table, with its help text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from bot.errors import SettingsError
from knowledge.matcher import MatchSettings


def setting(default: Any, help: str) -> Any:
    if isinstance(default, list | tuple):
        return field(default_factory=lambda: tuple(default), metadata={"help": help})
    return field(default=default, metadata={"help": help})


def _is_span(text: str) -> bool:
    return re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d", text) is not None


def _choice(key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise SettingsError(f"配置项 {key} 只能是 {' / '.join(allowed)}，实际是 {value!r}")


CHANNELS = ("wecom", "cs", "dryrun")


@dataclass(frozen=True)
class Village:
    name: str = setting("", "村名，例如 苍岭村")
    helper: str = setting("", "本村法律明白人的称呼，例如 王大姐")
    helper_phone: str = setting("", "法律明白人的联系电话；留空则不显示")
    referral_channel: str = setting(
        "dryrun",
        "转介工单怎么通知本村法律明白人：wecom 企业微信群机器人 / cs 客服消息发到已绑定的微信"
        "（48 小时内互动过才能发）/ dryrun 只记录不发送",
    )
    referral_robot: str = setting(
        "", "referral_channel = wecom 时用哪个机器人（push.robots 的 name）"
    )

    def __post_init__(self) -> None:
        _choice(f"{self.name} 的 referral_channel", self.referral_channel, CHANNELS)


@dataclass(frozen=True)
class Hotline:
    name: str = setting("", "热线名称，例如 公共法律服务热线")
    number: str = setting("", "号码，例如 12348")


@dataclass(frozen=True)
class Township:
    name: str = setting("示例镇", "乡镇名称，出现在欢迎语和回复里")
    county: str = setting("", "所属区县")
    account_name: str = setting("普法助手", "公众号名称")
    sifasuo_name: str = setting("镇司法所", "司法所名称")
    sifasuo_address: str = setting("", "司法所地址")
    sifasuo_phone: str = setting("", "司法所电话；留空则不显示")
    sifasuo_hours: str = setting("工作日 9:00-12:00，14:00-17:30", "司法所办公时间")
    hotlines: tuple[Hotline, ...] = setting(
        [Hotline("公共法律服务热线", "12348")], "热线列表：[[township.hotlines]] name, number"
    )
    villages: tuple[Village, ...] = setting(
        [], "村列表：[[township.villages]] name, helper, helper_phone"
    )


@dataclass(frozen=True)
class WeChat:
    encryption_mode: str = setting(
        "safe", "消息加解密方式：plain 明文 / compatible 兼容 / safe 安全"
    )
    timestamp_window: int = setting(300, "请求时间戳允许的偏差（秒），超出即拒绝")
    max_body_bytes: int = setting(65536, "请求体上限（字节），超出返回 413")
    reply_max_bytes: int = setting(
        2048, "单条被动回复的上限（UTF-8 字节），超出分页，回复“更多”看下一页"
    )
    account_type: str = setting("subscription", "公众号类型：subscription 订阅号 / service 服务号")
    api_base_url: str = setting(
        "https://api.weixin.qq.com/cgi-bin/", "微信接口地址（测试时指向本地替身）"
    )
    max_messages_per_minute: int = setting(
        20, "每位居民每分钟最多处理几条消息，超出的请其稍后再发（各进程共用计数）；0 表示不限"
    )
    customer_service: bool = setting(
        False,
        "是否开通了公众号的人工客服：开通后，居民在客服时间说“人工客服”会转到公众号后台由工作人员接待；"
        "其余时间（或关闭时）改为登记转介工单",
    )
    customer_service_hours: tuple[str, ...] = setting(
        ["09:00-12:00", "14:00-17:30"], "人工客服时间段（按 push.timezone 的本地时间），周一到周五"
    )

    def __post_init__(self) -> None:
        _choice("wechat.encryption_mode", self.encryption_mode, ("plain", "compatible", "safe"))
        _choice("wechat.account_type", self.account_type, ("subscription", "service"))
        for span in self.customer_service_hours:
            if not _is_span(span):
                raise SettingsError(
                    f"wechat.customer_service_hours 的时间段应写作 09:00-12:00，收到 {span!r}"
                )
        if self.max_messages_per_minute < 0:
            raise SettingsError("wechat.max_messages_per_minute 不能小于 0")
        if self.reply_max_bytes < 200 or self.max_body_bytes < 1024 or self.timestamp_window < 1:
            raise SettingsError(
                "wechat.reply_max_bytes 至少 200，max_body_bytes 至少 1024，timestamp_window 至少 1"
            )


@dataclass(frozen=True)
class Robot:
    name: str = setting("", "企业微信群机器人的名称，推送对象写 wecom:<名称>")
    key_env: str = setting("", "保存机器人 key 的环境变量名（key 是密钥，不写在文件里）")
    url: str = setting("https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "机器人 webhook 地址")


@dataclass(frozen=True)
class Push:
    timezone: str = setting("Asia/Shanghai", "推送时间所用的时区")
    poll_seconds: int = setting(10, "调度进程多久查看一次新审核通过的推送（秒）")
    misfire_grace_seconds: int = setting(
        3600, "调度进程停机错过的推送，在多少秒内仍补发；超过则标记为“已错过”"
    )
    coalesce: bool = setting(True, "周期推送错过多次时只补发一次")
    mass_batch_size: int = setting(10000, "服务号按 OpenID 列表群发时每批人数（接口上限 10000）")
    cs_per_user_limit: int = setting(5, "48 小时内给同一居民发客服消息的条数上限")
    wecom_per_minute: int = setting(20, "每个企业微信机器人每分钟最多发送条数")
    http_timeout: float = setting(10.0, "调用微信接口的超时（秒）")
    http_retries: int = setting(3, "接口 5xx 或超时时最多重试几次")
    retry_backoff: float = setting(2.0, "重试等待的基数（秒），每次翻倍")
    robots: tuple[Robot, ...] = setting([], "企业微信群机器人：[[push.robots]] name, key_env, url")


@dataclass(frozen=True)
class Referral:
    sla_hours: int = setting(24, "转介工单多少小时内没人联系居民，就转给司法所并再次通知")
    sifasuo_channel: str = setting(
        "dryrun", "转给司法所的工单怎么通知：wecom 企业微信群机器人 / cs 客服消息 / dryrun 只记录"
    )
    sifasuo_robot: str = setting(
        "", "sifasuo_channel = wecom 时用哪个机器人（push.robots 的 name）"
    )
    console_url: str = setting(
        "http://127.0.0.1:8000",
        "后台的外网地址，通知里的工单链接用它，例如 https://pufa.example.gov.cn",
    )
    phone_days: int = setting(30, "居民留下的电话在工单办结后保留多少天，过期删除")
    poll_seconds: int = setting(30, "调度进程多久处理一次工单通知和超时转交（秒）")

    def __post_init__(self) -> None:
        _choice("referral.sifasuo_channel", self.sifasuo_channel, CHANNELS)
        if self.sla_hours < 1 or self.phone_days < 0 or self.poll_seconds < 1:
            raise SettingsError("referral.sla_hours、poll_seconds 至少 1，phone_days 不能小于 0")


@dataclass(frozen=True)
class Privacy:
    retention_days: int = setting(0, "居民提问原文保留多少天，过期只删原文、保留统计；0 表示不删除")


@dataclass(frozen=True)
class Database:
    url: str = setting("sqlite:///pufa.db", "SQLAlchemy 数据库地址；多进程部署请用 PostgreSQL")


@dataclass(frozen=True)
class Server:
    host: str = setting("127.0.0.1", "pufa serve 监听地址")
    port: int = setting(8000, "pufa serve 监听端口")
    simulator: bool = setting(False, "是否开放 /simulator 聊天模拟页（仅本地试用，生产环境关闭）")
    max_upload_bytes: int = setting(
        10 * 1024 * 1024,
        "后台上传文件（如知识库导入）的上限（字节）；/wechat 另有 wechat.max_body_bytes",
    )
    trusted_proxies: int = setting(
        0, "前面有几层可信的反向代理（如 nginx 填 1），用来取得真实的访问地址；直接对外时填 0"
    )
    journal: str = setting("pufa-journal.db", "数据库连不上时暂存居民消息的本地文件")

    def __post_init__(self) -> None:
        if self.max_upload_bytes < 1024 or not 0 <= self.trusted_proxies <= 5:
            raise SettingsError(
                "server.max_upload_bytes 至少 1024，trusted_proxies 应在 0 到 5 之间"
            )


@dataclass(frozen=True)
class Matching:
    answer_threshold: float = setting(
        MatchSettings.answer_threshold, "直接作答所需的最低匹配分（0–1），把握再大也不低于它"
    )
    answer_confidence: float = setting(
        MatchSettings.answer_confidence,
        "直接作答所需的把握（第一条答对的概率，0–1）；0 表示用 knowledge/data/decision.yaml 里拟合的工作点",
    )
    choice_threshold: float = setting(MatchSettings.choice_threshold, "给出候选列表的最低分")
    margin: float = setting(0.0, "旧设置，已由 answer_confidence 取代，不再起作用")
    max_choices: int = setting(MatchSettings.max_choices, "候选列表最多几条")
    candidates: int = setting(MatchSettings.candidates, "BM25 初筛后参与精排的条目数")
    cache_dir: str = setting(
        ".pufa-cache",
        "存放建好的检索索引的目录（相对路径按当前目录计算），知识库没变时各进程直接载入；留空则不缓存",
    )

    def cache_path(self) -> Path | None:
        return Path(self.cache_dir) if self.cache_dir else None

    def __post_init__(self) -> None:
        for name in ("answer_threshold", "choice_threshold", "answer_confidence", "margin"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise SettingsError(f"matching.{name} 应在 0 到 1 之间")
        if self.choice_threshold > self.answer_threshold:
            raise SettingsError("matching.choice_threshold 不能大于 answer_threshold")

    def engine(self) -> MatchSettings:
        wanted = {f.name for f in fields(MatchSettings)}
        return MatchSettings(**{k: v for k, v in vars(self).items() if k in wanted})
