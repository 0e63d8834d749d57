"""Greetings, thanks and crisis words: messages that must not be answered with a law."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from .normalize import normalize

DATA_FILE = Path(__file__).parent / "data" / "chitchat.yaml"


class _Tokenizer(Protocol):
    def tokens(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class ChitChat:
    greetings: frozenset[str]
    thanks: frozenset[str]
    fillers: tuple[str, ...]
    crisis_words: dict[str, tuple[str, ...]]
    crisis_patterns: dict[str, tuple[re.Pattern[str], ...]]
    crisis_topics: dict[str, frozenset[str]]
    crisis_not: re.Pattern[str] | None
    legal_signals: frozenset[str]

    @classmethod
    def load(cls, path: Path = DATA_FILE) -> ChitChat:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            greetings=frozenset(normalize(w) for w in raw["greeting"]),
            thanks=frozenset(normalize(w) for w in raw["thanks"]),
            fillers=tuple(sorted((normalize(w) for w in raw["fillers"]), key=len, reverse=True)),
            crisis_words={k: tuple(normalize(w) for w in v) for k, v in raw["crisis"].items()},
            crisis_patterns={
                k: tuple(re.compile(p) for p in v)
                for k, v in (raw.get("crisis_patterns") or {}).items()
            },
            crisis_topics={k: frozenset(v) for k, v in (raw.get("crisis_topics") or {}).items()},
            crisis_not=re.compile("|".join(raw["crisis_not"])) if raw.get("crisis_not") else None,
            legal_signals=frozenset(normalize(w) for w in raw.get("legal_signals", ())),
        )

    def classify(self, text: str, tokenizer: _Tokenizer) -> str | None:
        """'greeting' or 'thanks' when the message is only small talk, else None."""
        rest = normalize(text)
        if not rest:
            return None
        found: str | None = None
        for kind, words in (("greeting", self.greetings), ("thanks", self.thanks)):
            for word in sorted(words, key=len, reverse=True):
                if word and word in rest:
                    rest = rest.replace(word, "")
                    found = found or kind
        if found is None:
            return None
        for filler in self.fillers:
            rest = rest.replace(filler, "")
        if not rest or (len(rest) <= 2 and not tokenizer.tokens(rest)):
            return found
        return None

    def crisis(self, text: str) -> tuple[str, ...]:
        """The kinds of danger the message mentions, e.g. ('家庭暴力',)."""
        norm = normalize(text)
        if self.crisis_not is not None:
            norm = self.crisis_not.sub("", norm)
        return tuple(
            kind
            for kind, words in self.crisis_words.items()
            if any(w in norm for w in words)
            or any(p.search(norm) for p in self.crisis_patterns.get(kind, ()))
        )

    def topics_for(self, kinds: tuple[str, ...]) -> frozenset[str] | None:
        """The topics whose entries may follow the emergency line; None: any topic."""
        if not kinds or any(kind not in self.crisis_topics for kind in kinds):
            return None
        return frozenset(t for kind in kinds for t in self.crisis_topics[kind])
