"""Keeping every worker's matcher in step with reviewed knowledge-base changes.

Each worker compares the database's change version at most every few seconds and, when
it moved, rebuilds its matcher in a background thread and swaps it in whole; residents
keep being answered by the old matcher meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time

from bot.kb.layer import KnowledgeLayer
from handlers.context import Services
from knowledge.kb import KnowledgeBase, load_knowledge
from knowledge.matcher import Matcher, MatchSettings

log = logging.getLogger(__name__)


class LiveKnowledge:
    def __init__(
        self,
        services: Services,
        layer: KnowledgeLayer,
        settings: MatchSettings,
        base: KnowledgeBase | None = None,
        check_every: float = 3.0,
    ) -> None:
        self.services = services
        self.layer = layer
        self.settings = settings
        self._base = base
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
        version = self.layer.version()
        if version != self.version:
            self._building = True
            threading.Thread(target=self._rebuild, args=(version,), daemon=True).start()

    def reload_now(self) -> None:
        self._rebuild(self.layer.version())

    def _rebuild(self, version: int) -> None:
        try:
            with self._lock:
                self._base = self._base or load_knowledge()
                matcher = Matcher(self.layer.apply(self._base), self.settings)
                matcher.match("离婚冷静期多久")
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
