"""The knowledge base's texts laid out in flat arrays for the index: its paraphrases ("docs")
with their word ids, their normalised texts, the words of its answers, and the character
pairs of each entry. Words and pairs are numbered in sorted order; nothing here keeps a
Python object per paraphrase or per token."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .counts import unique
from .kb import Entry
from .normalize import normalize
from .textwork import TextWork

PAIR_BASE = 0x110001  # a pair's key is first * PAIR_BASE + second + 1; one character: second = -1
PAIRS = PAIR_BASE * PAIR_BASE  # more than any key
BLOCK = 4096  # entries whose character pairs are collected at once


@dataclass
class Layout:
    terms: list[str]  # sorted, "" first
    first_met: list[int]  # the paraphrases' words in the order a Counter over their sets meets them
    doc_tokens: np.ndarray  # every doc's word ids, an empty doc's a stand-in [0]
    doc_lengths: np.ndarray
    doc_entry: np.ndarray
    stand_in: np.ndarray  # 1 for an empty doc
    doc_text: str
    doc_offsets: np.ndarray
    answer_rows: np.ndarray
    answer_cols: np.ndarray
    keywords: list[list[str]]  # each entry's keywords, normalised


def layout(entries: Sequence[Entry], work: TextWork) -> Layout:
    texts = [t for e in entries for t in (e.title, *e.questions)]
    n, n_texts = len(entries), len(texts)
    texts += [" ".join(e.keywords) for e in entries]
    texts += [f"{e.answer} {e.next_steps}" for e in entries]
    found = work.tokens(texts, normalised=n_texts)
    del texts
    normal: dict[str, str] = {}  # keywords repeat across entries
    keywords = [
        [normal.get(k) or normal.setdefault(k, normalize(k)) for k in e.keywords] for e in entries
    ]
    terms = sorted({"", *found.words, *(k for ks in keywords for k in ks)})
    term_id = {t: i for i, t in enumerate(terms)}
    rank = np.array([term_id[w] for w in found.words], dtype=np.int32)
    tokens, ptr = rank[found.tokens], found.token_ptr
    del rank
    # The keywords' doc: the keywords themselves, then the tokens of them all joined.
    listed, listed_len = array("i"), array("q")
    for ks, d in zip(keywords, found.of[n_texts : n_texts + n].tolist(), strict=True):
        listed.extend([term_id[k] for k in ks])
        listed.extend(tokens[ptr[d] : ptr[d + 1]].tolist())
        listed_len.append(len(ks) + int(ptr[d + 1] - ptr[d]))
    source = np.concatenate([tokens, np.frombuffer(listed, np.int32), [0]]).astype(np.int32)
    listed_at = np.cumsum(np.frombuffer(listed_len, np.int64)) - listed_len + len(tokens)
    per_entry = np.array([len(e.questions) + 2 for e in entries], dtype=np.int64)
    n_docs = int(per_entry.sum())
    is_keywords = np.zeros(n_docs, dtype=bool)
    is_keywords[np.cumsum(per_entry) - 1] = True
    of_text = found.of[:n_texts]
    starts, lengths = np.empty(n_docs, np.int64), np.empty(n_docs, np.int64)
    starts[~is_keywords], lengths[~is_keywords] = ptr[of_text], ptr[of_text + 1] - ptr[of_text]
    starts[is_keywords], lengths[is_keywords] = listed_at, np.frombuffer(listed_len, np.int64)
    doc_entry = np.repeat(np.arange(n, dtype=np.int32), per_entry)
    met = _first_met(source[runs(starts, lengths)], lengths, terms)
    stand_in = (lengths == 0).astype(np.int64)
    starts[lengths == 0], lengths[lengths == 0] = len(source) - 1, 1
    doc_tokens = source[runs(starts, lengths)]
    del source
    normal_at = found.normal_ptr
    pieces = [
        found.normal[a:b]
        for a, b in zip(normal_at[of_text].tolist(), normal_at[of_text + 1].tolist(), strict=True)
    ]
    text_len = np.zeros(n_docs, np.int64)
    text_len[~is_keywords] = np.diff(normal_at)[of_text]
    answer = found.of[n_texts + n :]
    answer_len = ptr[answer + 1] - ptr[answer]
    return Layout(
        terms,
        met,
        doc_tokens,
        lengths,
        doc_entry,
        stand_in,
        "".join(pieces),
        np.concatenate([[0], np.cumsum(text_len)]),
        np.repeat(np.arange(n, dtype=np.int32), answer_len),
        tokens[runs(ptr[answer], answer_len)],
        keywords,
    )


def _first_met(sequence: np.ndarray, lengths: np.ndarray, terms: list[str]) -> list[int]:
    """The words of the docs (`sequence`, doc after doc) in the order that adding each doc's
    frozenset of words to a dict meets them: by the first doc that holds them, and within
    it in the frozenset's order."""
    if not len(sequence):
        return []
    doc = np.repeat(np.arange(len(lengths)), lengths)
    words, first = np.unique(sequence, return_index=True)
    first_doc = doc[first]
    within = np.zeros(len(words), dtype=np.int64)
    by_doc = np.argsort(first_doc, kind="stable")
    bounds = np.flatnonzero(np.diff(first_doc[by_doc])) + 1
    starts = np.concatenate([[0], np.cumsum(lengths)])
    for group in np.split(by_doc, bounds):
        if len(group) < 2:
            continue
        d = int(first_doc[group[0]])
        ids = sequence[starts[d] : starts[d + 1]].tolist()
        order = {w: k for k, w in enumerate(frozenset([terms[i] for i in ids]))}
        within[group] = [order[terms[i]] for i in words[group].tolist()]
    return words[np.lexsort((within, first_doc))].tolist()


def runs(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The positions start, start + 1, … of each run, one run after the other."""
    ends = np.cumsum(sizes)
    total = int(ends[-1]) if len(ends) else 0
    return np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - sizes), sizes)


def pair_keys(text: str, ptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The character pairs of each piece text[ptr[i] : ptr[i + 1]] as keys that sort as the
    pairs do, and the piece each comes from; a one-character piece is its own pair."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.int64)
    ptr = ptr - ptr[0]
    lengths = np.diff(ptr)
    piece = np.repeat(np.arange(len(lengths)), lengths)
    inner = np.ones(len(codes), dtype=bool)
    inner[ptr[1:][lengths > 0] - 1] = False  # a piece's last character starts no pair
    at = np.flatnonzero(inner)
    single = np.flatnonzero(lengths == 1)
    keys = np.concatenate(
        [codes[at] * PAIR_BASE + codes[at + 1] + 1, codes[ptr[single]] * PAIR_BASE]
    )
    return keys, np.concatenate([piece[at], single])


def pair_text(key: int) -> str:
    first, second = divmod(key, PAIR_BASE)
    return chr(first) + (chr(second - 1) if second else "")


def entry_pairs(
    lay: Layout, own_rows: np.ndarray, own_cols: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each entry's distinct character pairs, of its texts, its keywords and its own words:
    the pairs (sorted) and the (entry, pair id) pairs, sorted."""
    n = len(lay.keywords)
    word_keys, word_of = pair_keys("".join(lay.terms), _pointers(map(len, lay.terms)))
    word_keys = word_keys[np.argsort(word_of, kind="stable")]  # word after word
    word_ptr = np.concatenate([[0], np.cumsum(np.bincount(word_of, minlength=len(lay.terms)))])
    kw_entry = np.repeat(np.arange(n), [len(ks) for ks in lay.keywords])
    kw_text = [k for ks in lay.keywords for k in ks]
    kw_ptr = _pointers(map(len, kw_text))
    doc_ptr = np.concatenate([[0], np.cumsum(np.bincount(lay.doc_entry, minlength=n))])
    own_ptr = np.searchsorted(own_rows, np.arange(n + 1))
    kw_at = np.searchsorted(kw_entry, np.arange(n + 1))
    blocks: list[np.ndarray] = []  # each block's (entry - e0, key) as one number, sorted
    for e0 in range(0, n, BLOCK):
        e1 = min(n, e0 + BLOCK)
        d0, d1 = doc_ptr[e0], doc_ptr[e1]
        at = lay.doc_offsets[d0 : d1 + 1]
        keys, doc = pair_keys(lay.doc_text[at[0] : at[-1]], at)
        k0, k1 = kw_at[e0], kw_at[e1]
        kw_keys, kw_of = pair_keys("".join(kw_text[k0:k1]), kw_ptr[k0 : k1 + 1])
        words = own_cols[own_ptr[e0] : own_ptr[e1]]
        sizes = word_ptr[words + 1] - word_ptr[words]
        entry = np.concatenate(
            [
                lay.doc_entry[d0 + doc],
                kw_entry[k0 + kw_of],
                np.repeat(own_rows[own_ptr[e0] : own_ptr[e1]], sizes),
            ],
            dtype=np.int64,
        )
        key = np.concatenate([keys, kw_keys, word_keys[runs(word_ptr[words], sizes)]])
        blocks.append(unique((entry - e0) * PAIRS + key))
    every = unique(np.concatenate([np.zeros(0, np.int64), *(unique(b % PAIRS) for b in blocks)]))
    total = sum(map(len, blocks))
    rows, cols = np.empty(total, np.int32), np.empty(total, np.int32)
    done = 0
    for e0 in range(0, n, BLOCK):  # keys to pair ids, block by block
        owner, key = np.divmod(blocks.pop(0), PAIRS)
        rows[done : done + len(key)] = owner + e0
        cols[done : done + len(key)] = np.searchsorted(every, key)
        done += len(key)
    return [pair_text(k) for k in every.tolist()], rows, cols


def _pointers(lengths: object) -> np.ndarray:
    sizes = np.fromiter(lengths, np.int64)  # type: ignore[call-overload]
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
