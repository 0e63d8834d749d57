"""Tokenising a whole knowledge base for a build: each distinct text once, and over a few
thousand texts in worker processes (jieba is single-threaded Python). A text's tokens depend
only on the tokenizer's dictionary, which every worker receives whole, so the result is the
same in any number of processes."""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Protocol

# Below this many distinct texts, starting workers costs more than it saves.
PARALLEL_FROM = 20_000
CHUNK = 2_000
BUILD_CLAUSE_MEMORY = 1 << 20


class _Tokenizer(Protocol):
    clause_memory: int

    def tokens(self, text: str) -> list[str]: ...

    def forget_clauses(self) -> None: ...


_worker: _Tokenizer | None = None


def _start(state: bytes) -> None:
    global _worker
    _worker = pickle.loads(state)  # noqa: S301 - our own tokenizer, from our own process
    _worker.clause_memory = BUILD_CLAUSE_MEMORY


def _tokens_of(texts: list[str]) -> list[list[str]]:
    assert _worker is not None
    return [_worker.tokens(text) for text in texts]


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

    def tokens(self, texts: Sequence[str]) -> dict[str, list[str]]:
        """Each distinct text of `texts` with its tokens."""
        distinct = list(dict.fromkeys(texts))
        workers = workers_for(len(distinct))
        if workers <= 1:
            memory, self.tokenizer.clause_memory = self.tokenizer.clause_memory, BUILD_CLAUSE_MEMORY
            try:
                return {text: self.tokenizer.tokens(text) for text in distinct}
            finally:
                self.tokenizer.clause_memory = memory
                self.tokenizer.forget_clauses()
        chunks = [distinct[i : i + CHUNK] for i in range(0, len(distinct), CHUNK)]
        state = pickle.dumps(self.tokenizer, protocol=pickle.HIGHEST_PROTOCOL)
        found: dict[str, list[str]] = {}
        context = get_context("spawn")  # no fork of a process that may hold threads and locks
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start, initargs=(state,)
        ) as pool:
            for chunk, tokens in zip(chunks, pool.map(_tokens_of, chunks), strict=True):
                found.update(zip(chunk, tokens, strict=True))
        return found
