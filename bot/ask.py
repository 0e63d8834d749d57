"""Asking pufa from the command line, through the same handlers a WeChat message reaches."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any

from wechatpy.messages import TextMessage

from bot.services import build_services
from bot.settings import Settings
from bot.store.storage import Store
from handlers import Context, build_registry, respond
from handlers.render import cite
from knowledge.kb import KnowledgeBase
from knowledge.matcher import Matcher
from knowledge.related import related

_ids = count(1)


@dataclass
class Asker:
    """A resident session against a throw-away in-memory database (staff tools must not
    pollute the statistics)."""

    settings: Settings
    kb: KnowledgeBase | None = None
    openid: str = "cli-resident"
    matcher: Matcher | None = None

    def __post_init__(self) -> None:
        self.store = Store("sqlite://")
        self.store.create_schema()
        self.services = build_services(self.settings, self.store, self.kb, self.matcher)
        self.registry = build_registry()

    def close(self) -> None:
        self.store.dispose()

    def reply(self, text: str) -> str:
        message = TextMessage(
            {
                "FromUserName": self.openid,
                "ToUserName": "gh_cli",
                "MsgType": "text",
                "Content": text,
                "MsgId": str(next(_ids)),
                "CreateTime": "0",
            }
        )
        return respond(self.registry, message, Context(self.services, self.openid))

    def explain(self, text: str) -> dict[str, Any]:
        """The reply plus why: outcome, entry, score, alternatives and citations."""
        reply = self.reply(text)
        matcher = self.services.matcher
        result = matcher.match(text)
        best = result.best if result.outcome == "answered" else None
        entry = matcher.kb.entry(best.entry_id) if best else None
        return {
            "reply": reply,
            "outcome": result.outcome,
            "entry_id": entry.id if entry else None,
            "score": result.best.score if result.best else None,
            "confidence": round(result.confidence, 4),
            "terms": list(result.terms),
            "crisis": list(result.crisis),
            "alternatives": [
                {
                    "entry_id": m.entry_id,
                    "title": matcher.kb.entry(m.entry_id).title,
                    "score": m.score,
                    "matched_terms": list(m.matched_terms),
                }
                for m in result.matches[:5]
            ],
            "citations": [cite(matcher.kb, c) for c in entry.citations] if entry else [],
            "related": [
                {"entry_id": m.entry_id, "title": matcher.kb.entry(m.entry_id).title}
                for m in related(matcher, result)
            ],
        }
