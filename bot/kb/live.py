"""Keeping every worker's matcher in step with reviewed knowledge-base changes.

Each worker compares the database's change version at most every few seconds and, when
it moved, rebuilds its matcher in a background thread and swaps it in whole; residents
keep being answered by the old matcher meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bot.kb.layer import KnowledgeLayer
from handlers.context import Services
from knowledge.index_cache import bundle_digest, load_or_build
from knowledge.kb import KnowledgeBase, load_knowledge
from knowledge.matcher import Matcher, MatchSettings

log = logging.getLogger(__name__)


def build_matcher(
    layer: KnowledgeLayer,
    settings: MatchSettings,
    cache_dir: Path | None,
    base: KnowledgeBase | None = None,
) -> Matcher:
    """The bundled knowledge base with the approved staff layer, indexed: loaded from the
    index cache when one was stored for the same bundle and layer, else built (and stored).
    A knowledge base handed in by the caller is always built, never cached."""

    def build() -> Matcher:
        return Matcher(layer.apply(base or load_knowledge()), settings)

    if cache_dir is None or base is not None:
        return build()
    return _cached(cache_dir, layer.fingerprint(), build, settings)


def bundled_matcher(settings: MatchSettings, cache_dir: Path | None) -> Matcher:
    """The bundled knowledge base alone (for `pufa eval`), through the same cache."""

    def build() -> Matcher:
        return Matcher(load_knowledge(), settings)

    return build() if cache_dir is None else _cached(cache_dir, EMPTY_LAYER, build, settings)


EMPTY_LAYER = hashlib.sha256().hexdigest()  # the fingerprint of a layer with no changes


def _cached(
    cache_dir: Path, fingerprint: str, build: Callable[[], Matcher], settings: MatchSettings
) -> Matcher:
    key = hashlib.sha256(f"{bundle_digest()}:{fingerprint}".encode()).hexdigest()
    matcher = load_or_build(cache_dir, key, build)
    matcher.settings = settings
    return matcher


class LiveKnowledge:
    def __init__(
        self,
        services: Services,
        layer: KnowledgeLayer,
        settings: MatchSettings,
        base: KnowledgeBase | None = None,
        check_every: float = 3.0,
        cache_dir: Path | None = None,
    ) -> None:
        self.services = services
        self.layer = layer
        self.settings = settings
        self._base = base
        self.cache_dir = cache_dir
        self.check_every = check_every
        self.version = layer.version()
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self._building = False

    def refresh_if_changed(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_every or self._building:
            return
        self._checked = now
        try:
            version = self.layer.version()
        except Exception:  # a database hiccup must not turn a request into an error page
            log.warning("could not read the knowledge base version; keeping the current one")
            return
        if version != self.version:
            self._building = True
            threading.Thread(target=self._rebuild, args=(version,), daemon=True).start()

    def reload_now(self) -> None:
        self._rebuild(self.layer.version())

    def _rebuild(self, version: int) -> None:
        try:
            with self._lock:
                matcher = build_matcher(self.layer, self.settings, self.cache_dir, self._base)
                matcher.match("离婚冷静期多久")
                matcher.articles.warm()
                self.services.matcher = matcher
                self.version = version
                log.info(
                    "knowledge base version %s is live (%s entries)",
                    version,
                    len(matcher.kb.entries),
                )
        except Exception:
            log.exception("could not rebuild the matcher; keeping the previous one")
        finally:
            self._building = False
