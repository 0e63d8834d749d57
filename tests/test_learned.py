"""The learned ranking signal: its stored arithmetic, and what the bundled model knows."""

from __future__ import annotations

import copy
import dataclasses
import math
import pickle
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from knowledge.kb import load_knowledge
from knowledge.learned import DENSE_AT, Learned, from_dense, grams
from knowledge.normalize import normalize


def dense_margins(text: str, vocabulary: dict[str, int], idf: np.ndarray, coef, bias):
    """Tf-idf with sublinear tf and unit length, times every weight: no pruning, no sparsity."""
    x = np.zeros(len(vocabulary))
    for g in grams(text):
        if g in vocabulary:
            x[vocabulary[g]] += 1
    x[x > 0] = 1 + np.log(x[x > 0])
    x *= idf
    if x.any():
        x /= np.linalg.norm(x)
    return coef @ x + bias


def test_grams_are_the_normalised_one_to_three_character_runs() -> None:
    assert grams("工 资!") == ["工", "资", "工资"]
    assert len(grams("拖欠工资")) == 4 + 3 + 2


def test_stored_margins_equal_the_dense_model_when_every_weight_is_kept(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    text = "老板拖欠工资不给怎么办工资"
    vocabulary = {g: i for i, g in enumerate(dict.fromkeys(grams(text + "离婚抚养费")))}
    idf = rng.uniform(1, 3, len(vocabulary))
    coef = rng.normal(size=(3, len(vocabulary)))
    bias = np.array([-0.5, 0.1, 0.3])
    model = from_dense(vocabulary, idf, coef, bias, ["a", "b", "c"], keep=len(vocabulary))
    model.save(tmp_path / "m.npz")
    loaded = Learned.load(tmp_path / "m.npz")
    assert loaded is not None
    expected = dense_margins(text, vocabulary, idf, coef, bias)
    # weights are stored as float16: about three significant digits
    assert np.allclose(loaded.margins(text), expected, atol=0.02)
    assert loaded.margins("完全无关的话zzz").tolist() == pytest.approx(
        dense_margins("完全无关的话zzz", vocabulary, idf, coef, bias).tolist(), abs=0.02
    )


@pytest.mark.parametrize(
    "text",
    ["", "工", "工资", "拖欠工资 工资工资", "工资" * 300, "zz😀工资\ud800", "完全无关的话zzz"],
)
def test_the_vector_counts_the_known_grams_in_the_order_they_are_met(text: str) -> None:
    rng = np.random.default_rng(3)
    vocabulary = {g: i for i, g in enumerate(dict.fromkeys(grams("老板拖欠工资不给😀怎么办")))}
    idf = rng.uniform(1, 3, len(vocabulary))
    model = from_dense(vocabulary, idf, np.ones((1, len(vocabulary))), [0.0], ["a"], keep=1)
    counts = Counter(vocabulary[g] for g in grams(text) if g in vocabulary)
    features, values = model.vector(text)
    assert features.tolist() == list(counts)
    tf = np.array([1.0 + math.log(n) for n in counts.values()], dtype=np.float32)
    expected = tf * model.idf[features]
    if len(expected):
        expected /= float(np.linalg.norm(expected))
    assert values.tobytes() == expected.astype(np.float32).tobytes()


def test_pruning_keeps_each_entrys_largest_weights() -> None:
    vocabulary = {"甲": 0, "乙": 1, "丙": 2}
    coef = np.array([[0.1, -2.0, 0.5], [3.0, 0.2, 0.0]])
    model = from_dense(vocabulary, [1.0, 1.0, 1.0], coef, [0.0, 0.0], ["a", "b"], keep=1)
    kept = {
        (int(model.entries[k]), feature)
        for feature in range(3)
        for k in range(model.indptr[feature], model.indptr[feature + 1])
    }
    assert kept == {(0, 1), (1, 0)}  # a keeps 乙 (−2.0), b keeps 甲 (3.0)
    assert model.margins("乙")[0] == pytest.approx(-2.0)


def test_an_entry_the_model_never_saw_gets_the_candidates_median() -> None:
    vocabulary = {"工": 0, "资": 1}
    coef = np.array([[1.0, 1.0], [0.0, 0.0], [-1.0, -1.0]])
    model = from_dense(vocabulary, [1.0, 1.0], coef, [0.0, 0.0, 0.0], ["a", "b", "c"], keep=2)
    margins = model.of("工资", ["a", "b", "c", "staff-new"])
    assert margins["a"] == pytest.approx(math.sqrt(2), abs=0.01)
    assert margins["staff-new"] == pytest.approx(margins["b"], abs=0.01)


def _one_gather(model: Learned, text: str) -> np.ndarray:
    """Every entry's margin from one gather of all the message's stored weights."""
    features, values = model.vector(text)
    scores = np.zeros(len(model.entry_ids))
    for f, v in zip(features.tolist(), values.tolist(), strict=True):
        for k in range(model.indptr[f], model.indptr[f + 1]):
            scores[model.entries[k]] += float(model.weights[k] * np.float32(v))
    return scores.astype(np.float32) + model.bias


def test_common_features_read_as_dense_rows_give_the_same_margins_to_the_bit(
    tmp_path: Path,
) -> None:
    """Features with weights for DENSE_AT entries or more are read from dense rows, the rest
    gathered; a few candidates' margins are those of the full gather, bit for bit, whether the
    rows hold float32 (a model just fitted) or float16 (one loaded from its file)."""
    rng = np.random.default_rng(11)
    text = "老板拖欠工资不给怎么办 工资 离婚抚养费"
    vocabulary = {g: i for i, g in enumerate(dict.fromkeys(grams(text + "赡养老人宅基地")))}
    entries = 2 * DENSE_AT + 30
    coef = rng.normal(size=(entries, len(vocabulary)))
    coef[:, ::2] *= rng.random((entries, 1)) < 0.02  # every other feature: a few entries only
    ids = [f"e{i}" for i in range(entries)]
    model = from_dense(
        vocabulary,
        rng.uniform(1, 3, len(vocabulary)),
        coef,
        rng.normal(size=entries),
        ids,
        keep=len(vocabulary),
    )
    lengths = np.diff(model.indptr)
    assert (lengths >= DENSE_AT).any()  # some features are read as dense rows
    assert ((lengths > 0) & (lengths < DENSE_AT)).any()  # and some are gathered
    model.save(tmp_path / "m.npz")
    loaded = Learned.load(tmp_path / "m.npz")
    assert loaded is not None
    assert model._dense.dtype == np.float32
    assert loaded._dense.dtype == np.float16
    for fitted in (model, loaded):
        unpickled = pickle.loads(pickle.dumps(fitted))
        for message in (text, "工资", "宅基地 赡养", "完全无关的话zzz", ""):
            whole = _one_gather(fitted, message)
            assert fitted.margins(message).tobytes() == whole.tobytes()
            wanted = [ids[i] for i in rng.choice(entries, 12, replace=False)]
            for m in (fitted, unpickled):
                assert m.of(message, wanted) == {e: float(whole[ids.index(e)]) for e in wanted}


@pytest.fixture(scope="module")
def bundled() -> Learned:
    model = Learned.load()
    assert model is not None, "knowledge/data/learned.npz is bundled"
    return model


def test_the_bundled_model_knows_the_bundled_entries(bundled: Learned) -> None:
    kb = load_knowledge()
    ids = {e.id for e in kb.entries}
    assert set(bundled.entry_ids) <= ids
    assert len(bundled.entry_ids) >= 0.95 * len(ids)  # refit when many entries are new


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        ("老板拖欠我三个月工资不给 去哪里告他", "qianxin"),
        ("儿子不给我养老钱 我七十多了 咋个办", "shanyang"),
        ("喝了酒开车被交警查到了会不会坐牢", "jiaotong"),
    ],
)
def test_the_bundled_model_points_plain_messages_to_their_topic(
    bundled: Learned, message: str, entry: str
) -> None:
    margins = bundled.margins(message)
    best = bundled.entry_ids[int(np.argmax(margins))]
    assert best.startswith(entry), (normalize(message), best)


def test_an_entry_added_since_the_fit_still_answers_its_own_paraphrases(matcher) -> None:
    """A staff entry the model never saw is not held back by its (median) margin: first among
    the candidates it counts as sure as its best rival, so its paraphrases are answered."""
    entry = matcher.kb.entry("linli-dog-bite")
    renamed = tuple("fitted-elsewhere" if e == entry.id else e for e in matcher.learned.entry_ids)
    unseen = copy.copy(matcher)
    unseen.learned = dataclasses.replace(matcher.learned, entry_ids=renamed)
    assert not unseen.learned.knows(entry.id)
    answered = [q for q in entry.questions if _answers(unseen, q, entry.id)]
    # Eight of ten at the 0.90 point (nine at 0.89); the others are menus led by the entry.
    assert len(answered) >= len(entry.questions) - 2, set(entry.questions) - set(answered)
    for question in set(entry.questions) - set(answered):
        assert unseen.match(question).best.entry_id == entry.id, question


def _answers(matcher, question: str, entry_id: str) -> bool:
    result = matcher.match(question)
    return result.outcome == "answered" and result.best.entry_id == entry_id
