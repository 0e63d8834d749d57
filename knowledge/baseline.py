"""A plain BM25 baseline over the same entries, for `pufa eval --baseline`.

No legal dictionary, synonyms, homophones or re-ranking: default jieba words, one document
per entry (title and paraphrases), and the top score always taken as the answer.
"""

from __future__ import annotations

import logging

import bm25s
import jieba
import numpy as np

from .kb import KnowledgeBase
from .normalize import normalize


class PlainBM25:
    def __init__(self, kb: KnowledgeBase) -> None:
        logging.getLogger("jieba").setLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._ids = [entry.id for entry in kb.entries]
        corpus = [self._tokens(" ".join((entry.title, *entry.questions))) for entry in kb.entries]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)

    def _tokens(self, text: str) -> list[str]:
        return [t for t in self._jieba.lcut(normalize(text)) if t.strip()] or [""]

    def ranked(self, query: str, k: int = 3) -> list[str]:
        tokens = [t for t in self._tokens(query) if t in self._bm25.vocab_dict]
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        order = np.argsort(-scores)[:k]
        return [self._ids[i] for i in order if scores[i] > 0]
