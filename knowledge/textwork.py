"""Tokenising a whole knowledge base for a build: each distinct text once, and over a few
thousand texts in worker processes (jieba is single-threaded Python). A text's tokens depend
only on the tokenizer's dictionary, which every worker receives whole, so the result is the
same in any number of processes. Tokens travel and stay as integer word ids in flat arrays: a
list of strings per text would cost a Python object per token."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Protocol

import numpy as np

from .normalize import normalize

# Below this many distinct texts, starting workers costs more than it saves.
PARALLEL_FROM = 20_000
CHUNK = 2_000
BUILD_CLAUSE_MEMORY = 1 << 20


class _Tokenizer(Protocol):
    clause_memory: int

    def tokens(self, text: str) -> list[str]: ...

    def forget_clauses(self) -> None: ...


@dataclass
class Texts:
    """Distinct texts with their tokens (ids into `words`) and normalised forms."""

    words: list[str]  # numbered as first met
    tokens: np.ndarray  # int32, every text's word ids one text after the other
    token_ptr: np.ndarray  # int64: text i's tokens are tokens[token_ptr[i] : token_ptr[i + 1]]
    normal: str  # the normalised texts, joined
    normal_ptr: np.ndarray  # int64, as token_ptr
    of: np.ndarray  # int64: for each text asked, its distinct text

    def of_text(self, i: int) -> list[str]:
        """The tokens of distinct text `i`, as strings."""
        words = self.words
        return [words[w] for w in self.tokens[self.token_ptr[i] : self.token_ptr[i + 1]].tolist()]


# What a chunk of texts gives: its own vocabulary, the tokens in ids of it, each text's
# number of tokens, the normalised texts joined and their lengths.
_Chunk = tuple[list[str], bytes, bytes, str, bytes]

_worker: _Tokenizer | None = None


def _start(state: bytes) -> None:
    global _worker
    _worker = pickle.loads(state)  # noqa: S301 - our own tokenizer, from our own process
    _worker.clause_memory = BUILD_CLAUSE_MEMORY


def _chunk(tokenizer: _Tokenizer, texts: list[str], wanted: np.ndarray) -> _Chunk:
    vocabulary: dict[str, int] = {}
    ids, counts, normal = [], [], []
    for text, normalised in zip(texts, wanted.tolist(), strict=True):
        found = tokenizer.tokens(text)
        ids += [vocabulary.setdefault(t, len(vocabulary)) for t in found]
        counts.append(len(found))
        normal.append(normalize(text) if normalised else "")
    lengths = np.fromiter(map(len, normal), np.int64, len(normal))
    return (
        list(vocabulary),
        np.array(ids, dtype=np.int32).tobytes(),
        np.array(counts, dtype=np.int64).tobytes(),
        "".join(normal),
        lengths.tobytes(),
    )


def _packed(texts: list[str], wanted: np.ndarray) -> tuple[bytes, bytes, bytes]:
    """Texts for a worker as one UTF-8 blob: pickling each str would leave a UTF-8 copy of
    it cached in the parent's string for as long as the string lives."""
    lengths = np.fromiter(map(len, texts), np.int64, len(texts))
    return "".join(texts).encode("utf-8", "surrogatepass"), lengths.tobytes(), wanted.tobytes()


def _work(packed: tuple[bytes, bytes, bytes]) -> _Chunk:
    assert _worker is not None
    blob, lengths, wanted = packed
    joined = blob.decode("utf-8", "surrogatepass")
    ends = np.cumsum(np.frombuffer(lengths, np.int64)).tolist()
    texts = [joined[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    return _chunk(_worker, texts, np.frombuffer(wanted, dtype=bool))


def workers_for(count: int) -> int:
    """Worker processes for `count` distinct texts: none below the threshold, else the cores
    this process may use (PUFA_BUILD_WORKERS overrides)."""
    wanted = os.environ.get("PUFA_BUILD_WORKERS")
    if wanted is not None:
        return int(wanted)
    if count < PARALLEL_FROM:
        return 0
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class TextWork:
    def __init__(self, tokenizer: _Tokenizer) -> None:
        self.tokenizer = tokenizer

    def tokens(self, texts: Sequence[str], normalised: int = 0) -> Texts:
        """Each distinct text of `texts` with its tokens, and with its normalised form if it
        is among the first `normalised` texts ("" for the others)."""
        number: dict[str, int] = {}
        of = np.fromiter((number.setdefault(t, len(number)) for t in texts), np.int64, len(texts))
        distinct = list(number)
        del number
        wanted = np.zeros(len(distinct), dtype=bool)
        wanted[of[:normalised]] = True
        starts = range(0, len(distinct), CHUNK)
        chunks = [(distinct[i : i + CHUNK], wanted[i : i + CHUNK]) for i in starts]
        workers = workers_for(len(distinct))
        if workers <= 1:
            memory, self.tokenizer.clause_memory = self.tokenizer.clause_memory, BUILD_CLAUSE_MEMORY
            try:
                return _joined((_chunk(self.tokenizer, *c) for c in chunks), of)
            finally:
                self.tokenizer.clause_memory = memory
                self.tokenizer.forget_clauses()
        state = pickle.dumps(self.tokenizer, protocol=pickle.HIGHEST_PROTOCOL)
        context = get_context("spawn")  # no fork of a process that may hold threads and locks
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start, initargs=(state,)
        ) as pool:
            return _joined(pool.map(_work, [_packed(*c) for c in chunks]), of)


def _joined(chunks: Iterable[_Chunk], of: np.ndarray) -> Texts:
    """The chunks' results in one vocabulary, their ids renumbered into it."""
    number: dict[str, int] = {}
    tokens, counts, normal, lengths = [], [], [], []
    for vocabulary, ids, count, text, length in chunks:
        mine = np.fromiter(
            (number.setdefault(w, len(number)) for w in vocabulary), np.int32, len(vocabulary)
        )
        tokens.append(mine[np.frombuffer(ids, dtype=np.int32)])
        counts.append(np.frombuffer(count, dtype=np.int64))
        normal.append(text)
        lengths.append(np.frombuffer(length, dtype=np.int64))
    return Texts(
        list(number),
        np.concatenate([np.zeros(0, np.int32), *tokens]),
        _pointers(counts),
        "".join(normal),
        _pointers(lengths),
        of,
    )


def _pointers(sizes: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(np.concatenate([np.zeros(0, np.int64), *sizes]))])
