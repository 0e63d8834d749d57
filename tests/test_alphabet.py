"""rapidfuzz gives the same ratio and partial_ratio on a message and the texts it is compared
with, written in the message's own alphabet, as on the texts themselves."""

from __future__ import annotations

import json
from pathlib import Path

from rapidfuzz import fuzz

from knowledge.alphabet import MOST, recode
from knowledge.kb import KnowledgeBase
from knowledge.normalize import normalize

DATA = Path(__file__).parent / "data"


def _messages() -> list[str]:
    paths = sorted(DATA.glob("dev_labels_*.jsonl"))
    lines = [line for path in paths for line in path.read_text("utf-8").splitlines()]
    return [normalize(json.loads(line)["question"]) for line in lines if line.strip()][:200]


def test_scores_in_the_messages_alphabet_are_the_scores(kb: KnowledgeBase) -> None:
    texts = [normalize(t) for e in kb.entries[::7] for t in (e.title, *e.questions)]
    texts += ["", "a", "12348", "ab12"]
    ends = [sum(map(len, texts[: i + 1])) for i in range(len(texts))]
    for message in [*_messages(), "", "a", "离婚", "12348"]:
        query, blob = recode(message, "".join(texts))
        assert isinstance(query, bytes)
        assert len(query) == len(message)
        recoded = [blob[end - len(t) : end] for t, end in zip(texts, ends, strict=True)]
        for text, ours in zip(texts, recoded, strict=True):
            assert fuzz.ratio(ours, query) == fuzz.ratio(text, message), (message, text)
            assert fuzz.partial_ratio(ours, query) == fuzz.partial_ratio(text, message)


def test_a_message_of_too_many_characters_stays_as_it_is() -> None:
    message = "".join(chr(0x4E00 + i) for i in range(MOST + 1))
    assert recode(message, "离婚") == (message, "离婚")
    query, _ = recode(message[:MOST], "离婚")
    assert isinstance(query, bytes)
    assert len(set(query)) == MOST
    assert 0 not in query
