"""Resident-facing wording, kept in texts.toml where staff can review it."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEXTS_FILE = Path(__file__).parent / "texts.toml"


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class Texts:
    templates: Mapping[str, str]
    facts: Mapping[str, str]

    @classmethod
    def load(cls, township: Any, path: Path = TEXTS_FILE) -> Texts:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        templates = {k: str(v).strip("\n") for k, v in raw.items()}
        return cls(templates, township_facts(township))

    def get(self, key: str, **values: str) -> str:
        template = self.templates[key]
        return template.format_map(_Blank({**self.facts, **values})).strip()

    def keys(self) -> list[str]:
        return sorted(self.templates)


def township_facts(township: Any) -> dict[str, str]:
    phone = township.sifasuo_phone
    contact = "，".join(
        p for p in (township.sifasuo_address, f"电话 {phone}" if phone else "") if p
    )
    hotlines = "\n".join(f"· {h.name}：{h.number}" for h in township.hotlines)
    return {
        "township": township.name,
        "account": township.account_name,
        "sifasuo": township.sifasuo_name,
        "sifasuo_address": township.sifasuo_address,
        "sifasuo_phone": f"（{phone}）" if phone else "",
        "sifasuo_phone_line": f"电话：{phone}\n" if phone else "",
        "sifasuo_hours": township.sifasuo_hours,
        "sifasuo_contact": contact or township.sifasuo_name,
        "hotlines": hotlines,
        "villages": "、".join(v.name for v in township.villages),
        "village_help": "· 本村的法律明白人或村调委会（回复“我是XX村”可看联系人）",
        "village_help_short": "村里的法律明白人",
    }


def village_facts(township: Any, village_name: str | None) -> dict[str, str]:
    """Placeholders that depend on the resident's own village, when they told us."""
    for village in township.villages:
        if village.name == village_name:
            who = village.helper + (f"（{village.helper_phone}）" if village.helper_phone else "")
            return {
                "village_help": f"· {village.name}法律明白人：{who}",
                "village_help_short": f"{village.name}法律明白人{who}",
            }
    return {}
