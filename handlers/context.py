"""The context object every handler and scheduled job receives instead of web globals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from knowledge.kb import KnowledgeBase
from knowledge.matcher import Matcher
from knowledge.quizzes import Quiz

from .texts import Texts, village_facts


class Store(Protocol):
    """The storage operations handlers use (implemented by bot.store.storage.Store)."""

    def touch_resident(self, openid: str, subscribed: bool | None = None) -> None: ...
    def set_village(self, openid: str, village: str) -> None: ...
    def resident(self, openid: str) -> dict[str, Any] | None: ...
    def record_question(
        self,
        openid: str,
        text: str,
        channel: str,
        outcome: str,
        entry_id: str | None = None,
        score: float | None = None,
        candidates: list[dict[str, Any]] | None = None,
        inbound_id: int | None = None,
    ) -> int: ...
    def resolve_choice(self, question_id: int, entry_id: str) -> None: ...
    def record_feedback(
        self, openid: str, question_id: int | None, entry_id: str | None, helpful: bool
    ) -> None: ...
    def state(self, openid: str) -> dict[str, Any]: ...
    def save_state(self, openid: str, state: dict[str, Any]) -> None: ...


class Quizzes(Protocol):
    """普法答题: the banks as approved, and residents' attempts (bot.kb.quiz_layer)."""

    def bank(self) -> tuple[Quiz, ...]: ...
    def start_attempt(
        self, openid: str, village: str | None, quiz_id: str, campaign: str | None, total: int
    ) -> int: ...
    def record_answer(
        self, attempt_id: int, quiz_id: str, question_id: str, choice: str, correct: bool
    ) -> None: ...
    def finish_attempt(self, attempt_id: int) -> int: ...
    def best_scores(self, openid: str) -> dict[str, int]: ...


class Referrals(Protocol):
    """Referral tickets and the staff accounts bound to WeChat (bot.store.tickets.TicketBook)."""

    @property
    def takes_phones(self) -> bool: ...
    @property
    def sla_hours(self) -> int: ...
    def open(
        self, openid: str, village: str | None, reason: str, question: str, bot_reply: str = ""
    ) -> tuple[Any, bool]: ...
    def question_text(self, question_id: int) -> str: ...
    def leave_phone(self, ticket_id: int, phone: str) -> None: ...
    def bind(self, code: str, openid: str) -> Any | None: ...
    def worker(self, openid: str) -> Any | None: ...
    def act(self, ticket_id: int, user: Any, action: str, comment: str = "") -> Any: ...
    def listing(self, user: Any, state: str | None = None, limit: int = 200) -> list[Any]: ...
    def staff_on_duty(self) -> bool: ...


@dataclass
class Services:
    """Built once per app at start-up. `matcher` is swapped whole (one attribute
    assignment) when reviewed knowledge-base changes go live."""

    matcher: Matcher
    store: Store
    texts: Texts
    township: Any
    reply_max_bytes: int = 2048
    quizzes: Quizzes | None = None

    referrals: Referrals | None = None
    # Whatever else a process adds for its jobs (the scheduler puts its push book and
    # channels here), in the spirit of Flask's app.extensions.
    extensions: dict[str, Any] = field(default_factory=dict)

    @property
    def kb(self) -> KnowledgeBase:
        return self.matcher.kb


@dataclass
class Context:
    """One resident's message (or one job run): the services plus who is asking."""

    services: Services
    openid: str
    inbound_id: int | None = None
    _state: dict[str, Any] | None = field(default=None, repr=False)
    _resident: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def matcher(self) -> Matcher:
        return self.services.matcher

    @property
    def kb(self) -> KnowledgeBase:
        return self.services.matcher.kb

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def state(self) -> dict[str, Any]:
        if self._state is None:
            self._state = self.store.state(self.openid)
        return self._state

    def save_state(self) -> None:
        if self._state is not None:
            self.store.save_state(self.openid, self._state)

    @property
    def village(self) -> str | None:
        if self._resident is None:
            self._resident = self.store.resident(self.openid) or {}
        village = self._resident.get("village")
        return str(village) if village else None

    def text(self, key: str, **values: str) -> str:
        local = village_facts(self.services.township, self.village)
        return self.services.texts.get(key, **{**local, **values})
