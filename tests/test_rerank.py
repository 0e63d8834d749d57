"""The sibling reranker (knowledge/rerank.py): shipped switched off, since out of fold it did not
reach the bar set for it (docs/evaluation.md); when switched on it only reorders the first few."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import yaml

from knowledge import cues
from knowledge.matcher import Matcher
from knowledge.normalize import normalize
from knowledge.rerank import DATA_FILE, FEATURES, TOP, Reranker

QUESTION = "去年离婚了娃儿判给我 他说好每个月给800抚养费 一年多一分钱都没给 我能不能告他 在哪里告"


def test_the_shipped_model_is_fitted_but_switched_off(matcher: Matcher) -> None:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    assert set(raw["weights"]) == set(FEATURES)
    assert raw["enabled"] is False
    assert matcher.reranker.weights is None


@pytest.fixture(scope="module")
def switched_on(matcher: Matcher, tmp_path_factory: pytest.TempPathFactory) -> Reranker:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8")) | {"enabled": True}
    path: Path = tmp_path_factory.mktemp("rerank") / "rerank.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return Reranker(matcher.kb.entries, matcher.tokenizer, matcher._index.paraphrases, path)


def test_switched_on_it_only_reorders_the_first_candidates(
    matcher: Matcher, switched_on: Reranker
) -> None:
    weights = dict.fromkeys(matcher.tokenizer.tokens(QUESTION), 1.0)
    plain = list(matcher.match(QUESTION).matches)
    assert len(plain) > TOP
    centrality = {m.entry_id: 0.5 for m in plain}
    features = switched_on.features(QUESTION, weights, plain, centrality)
    assert features.shape == (TOP, len(FEATURES))
    assert np.isfinite(features).all()
    ordered = switched_on.order(QUESTION, weights, plain, centrality)
    assert sorted(m.entry_id for m in ordered[:TOP]) == sorted(m.entry_id for m in plain[:TOP])
    assert ordered[TOP:] == plain[TOP:]
    assert switched_on.order(QUESTION, weights, plain, centrality) == ordered


@pytest.mark.parametrize(
    ("text", "side", "present"),
    [
        ("我把女朋友打了缝了六针", "did_it", True),
        ("我被车撞了对方跑了", "did_it", False),
        ("我被车撞了对方跑了", "victim", True),
        ("官司打赢了已经判了他还是不给钱", "judged", True),
        ("我是开农家乐的请了个大姐帮忙煮饭", "employer", True),
    ],
)
def test_side_words(text: str, side: str, present: bool) -> None:
    assert cues.sides(normalize(text))[list(cues.SIDES).index(side)] is present


def test_side_shares_read_each_text_on_its_own(matcher: Matcher) -> None:
    """One pass over the texts joined equals a pass over each: no side is found across the
    line between two texts (打 at the end of one, 了我 at the start of the next)."""
    texts = ["我把他", "打了", "被车", "撞了我", "", "十", "七岁", "我是老板", "老板", "老板"]
    expected = np.mean([cues.sides(t) for t in texts], axis=0)
    assert cues.side_shares(texts).tolist() == expected.tolist()
    for number in range(0, len(matcher.kb.entries), 7):
        texts, _ = matcher._index.paraphrases(number)
        expected = np.mean([cues.sides(t) for t in texts], axis=0)
        assert cues.side_shares(texts).tolist() == expected.tolist()


@pytest.mark.parametrize(
    ("text", "kind"),
    [("一个月该出好多", "amount"), ("在哪里告", "where"), ("离婚了这些归哪个", "whose")],
)
def test_kinds_of_ask(text: str, kind: str) -> None:
    assert cues.asks(normalize(text))[list(cues.ASKS).index(kind)]


def test_profiles_are_kept_for_a_bounded_number_of_entries(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("knowledge.rerank.PROFILES_KEPT", 3)
    reranker = Reranker(matcher.kb.entries, matcher.tokenizer, matcher._index.paraphrases)
    ids = [e.id for e in matcher.kb.entries[:5]]
    first = reranker._profile(ids[0])
    for entry_id in ids[1:]:
        reranker._profile(entry_id)
    assert list(reranker._profiles) == ids[2:]
    again = reranker._profile(ids[0])  # worked out again, alike
    assert again is not first
    assert again.typical == first.typical
    assert (again.sides == first.sides).all()
    assert again.texts == first.texts


def test_profiles_are_not_stored_in_the_index_cache(matcher: Matcher) -> None:
    reranker = Reranker(matcher.kb.entries, matcher.tokenizer, matcher._index.paraphrases)
    reranker._profile(matcher.kb.entries[0].id)
    stored = pickle.loads(pickle.dumps(reranker))
    assert len(reranker._profiles) == 1
    assert len(stored._profiles) == 0
    assert stored._profiles.limit == reranker._profiles.limit


def test_switched_on_a_small_knowledge_base_has_every_profile_built_and_cached(
    matcher: Matcher, switched_on: Reranker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Switched on, built for every entry with the index (and stored with it), alike to those
    worked out on first use; above PROFILES_KEPT entries, or switched off, they are worked out
    on first use only."""
    assert matcher.reranker._built == {}  # shipped switched off: nothing built
    eager = pickle.loads(pickle.dumps(switched_on))
    eager.build_profiles()
    built = eager._built
    assert set(built) == {e.id for e in matcher.kb.entries}
    lazy = Reranker(matcher.kb.entries, matcher.tokenizer, matcher._index.paraphrases)
    for entry in matcher.kb.entries[::50]:
        found, ours = lazy._profile(entry.id), built[entry.id]
        assert (found.texts, found.typical, found.breadth) == (
            ours.texts,
            ours.typical,
            ours.breadth,
        )
        assert (found.sides == ours.sides).all()
        assert (found.asks == ours.asks).all()
    stored = pickle.loads(pickle.dumps(eager))
    assert set(stored._built) == set(built)
    monkeypatch.setattr("knowledge.rerank.PROFILES_KEPT", len(matcher.kb.entries) - 1)
    again = pickle.loads(pickle.dumps(switched_on))
    again.build_profiles()
    assert again._built == {}
