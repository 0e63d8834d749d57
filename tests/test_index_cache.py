"""The built index on disk: loaded when the knowledge base is unchanged, rebuilt when the
approved staff layer or the file changes, never trusted when damaged."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.kb.layer import KnowledgeLayer
from bot.kb.live import build_matcher
from bot.store.storage import Store
from knowledge.matcher import Matcher, MatchSettings

from .consolekit import add_people

QUESTION = "被狗咬了打狂犬疫苗谁出钱"  # answered directly, with a citation


@pytest.fixture
def layer(tmp_path: Path) -> KnowledgeLayer:
    store = Store(f"sqlite:///{tmp_path / 'pufa.db'}")
    store.create_schema()
    add_people(store.engine)
    return KnowledgeLayer(store.engine)


def _builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    built: list[int] = []
    real = Matcher.__init__

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(Matcher, "__init__", counting)
    return built


def test_a_second_start_loads_the_stored_index(
    layer: KnowledgeLayer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _builds(monkeypatch)
    cache = tmp_path / "cache"
    first = build_matcher(layer, MatchSettings(), cache)
    assert len(built) == 1
    assert len(list(cache.glob("matcher-*.pickle"))) == 1
    careful = MatchSettings(answer_confidence=0.99)
    second = build_matcher(layer, careful, cache)
    assert len(built) == 1, "the stored index should have been loaded, not rebuilt"
    assert second.settings == careful  # settings are the caller's, not the stored ones
    a, b = first.match(QUESTION), second.match(QUESTION)
    assert [(m.entry_id, m.score) for m in a.matches] == [(m.entry_id, m.score) for m in b.matches]
    assert b.articles == a.articles


def test_an_approved_change_makes_a_new_index(
    layer: KnowledgeLayer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    base = build_matcher(layer, MatchSettings(), cache)
    entry = base.kb.entries[0]
    edited = dataclasses.replace(entry, questions=(*entry.questions, "院坝边上那棵老黄葛树归哪个"))
    built = _builds(monkeypatch)
    change = layer.propose(base.kb, edited, author="staff1")
    layer.review(change, reviewer="rev1", approve=True)
    fresh = build_matcher(layer, MatchSettings(), cache)
    assert len(built) == 1
    assert "院坝边上那棵老黄葛树归哪个" in fresh.kb.entry(entry.id).questions


def test_a_damaged_file_is_rebuilt_over(
    layer: KnowledgeLayer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    build_matcher(layer, MatchSettings(), cache)
    (stored,) = cache.glob("matcher-*.pickle")
    stored.write_bytes(b"not a pickle at all")
    built = _builds(monkeypatch)
    matcher = build_matcher(layer, MatchSettings(), cache)
    assert len(built) == 1
    assert matcher.match(QUESTION).outcome == "answered"
    assert stored.read_bytes()[:2] != b"no"  # written again, whole
