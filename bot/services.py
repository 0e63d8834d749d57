"""The services every process shares (web workers, the scheduler, the CLI), built once."""

from __future__ import annotations

from bot.kb.layer import KnowledgeLayer
from bot.kb.live import build_matcher
from bot.kb.quiz_layer import LiveQuizzes
from bot.settings import Settings
from bot.store.storage import Store
from bot.store.tickets import TicketBook
from handlers import Services
from handlers.texts import Texts
from knowledge.kb import KnowledgeBase
from knowledge.matcher import Matcher
from knowledge.quizzes import load_quizzes


def build_services(
    settings: Settings,
    store: Store,
    kb: KnowledgeBase | None = None,
    matcher: Matcher | None = None,
) -> Services:
    if matcher is None:
        layer = KnowledgeLayer(store.engine)
        engine = settings.matching.engine()
        matcher = build_matcher(layer, engine, settings.matching.cache_path(), kb)
        matcher.match("离婚冷静期多久")  # warm jieba and pypinyin now, not on the first resident
    return Services(
        matcher=matcher,
        store=store,
        texts=Texts.load(settings.township),
        township=settings.township,
        reply_max_bytes=settings.wechat.reply_max_bytes,
        quizzes=LiveQuizzes(store.engine, load_quizzes(), settings.push.timezone),
        referrals=TicketBook(store.engine, settings),
    )
