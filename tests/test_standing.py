"""The answer-first decision's finer evidence (knowledge/standing.py), read from the index for
every entry at once, gives what each entry's own profile (knowledge/rerank.py) gives."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge import cues
from knowledge.matcher import Matcher
from knowledge.normalize import normalize
from knowledge.rerank import TOP, Profile, profile
from knowledge.standing import Standing

QUESTIONS = [
    "去年离婚了娃儿判给我 他说好每个月给800抚养费 一年多一分钱都没给 我能不能告他 在哪里告",
    "我把女朋友打了缝了六针她说给三千就不告我了会判多久",
    "老板拖欠工资三个月了 我是在工地上打工的 去哪里投诉",
    "邻居在我屋后挖了个沟 下雨水都流到我家墙脚",
]


def _profiles(matcher: Matcher) -> dict[str, Profile]:
    ix = matcher._index
    return {e.id: profile(e, *ix.paraphrases(i)) for i, e in enumerate(matcher.kb.entries)}


def test_side_cues_and_breadth_are_each_entry_s_own(matcher: Matcher) -> None:
    profiles = _profiles(matcher)
    standing = matcher.standing
    for i, entry in enumerate(matcher.kb.entries):
        assert standing.sides[i].tolist() == profiles[entry.id].sides.tolist()
        assert standing.breadth[i] == profiles[entry.id].breadth


@pytest.mark.parametrize("question", QUESTIONS)
def test_standing_is_what_the_profiles_give(matcher: Matcher, question: str) -> None:
    result = matcher.match(question)
    top = list(result.matches[:TOP])
    assert len(top) > 1
    weights = {t: 1.0 + i / 10 for i, t in enumerate(result.terms)}
    found = matcher.standing.of(question, weights, top)

    profiles = [_profiles(matcher)[m.entry_id] for m in top]
    total = sum(weights.values())
    typical = [sum(weights[t] * p.typical.get(t, 0.0) for t in weights) / total for p in profiles]
    side = 1.0 - np.array(cues.sides(normalize(question)), dtype=np.float64)
    side_miss = [float(side @ p.sides) / len(side) for p in profiles]
    topic_scores = sum(
        m.score for m, p in zip(top, profiles, strict=True) if p.topic == profiles[0].topic
    )
    expected = {
        "typical_lead": typical[0] - max(typical[1:]),
        "side_miss_lead": side_miss[0] - max(side_miss[1:]),
        "topic_share": topic_scores / sum(m.score for m in top),
        "breadth": profiles[0].breadth,
    }
    assert found.keys() == expected.keys()
    for name, value in expected.items():
        assert found[name] == pytest.approx(value, abs=1e-12), name
    assert any(value != 0 for value in found.values())


def test_built_a_few_entries_at_a_time_alike(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("knowledge.standing.BUILD_STEP", 7)
    stepped = Standing(matcher._index, matcher.kb.entries)
    assert stepped.sides.tolist() == matcher.standing.sides.tolist()
    assert stepped.breadth.tolist() == matcher.standing.breadth.tolist()
