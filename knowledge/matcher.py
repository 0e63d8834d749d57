"""The matching engine: BM25 retrieval over paraphrases, then calibrated re-ranking."""

from __future__ import annotations

import dataclasses

import numpy as np

from .articles import ArticleIndex
from .chitchat import ChitChat
from .decide import Calibration, evidence
from .focus import focus, main_problem
from .index import Index, bigrams
from .index import idf as index_idf
from .kb import Entry, KnowledgeBase
from .learned import Learned
from .normalize import normalize
from .rerank import Reranker
from .results import Match, MatchResult, MatchSettings
from .scoring import Scored, Scorer
from .standing import Standing
from .textwork import TextWork
from .tokenize import LegalTokenizer, pinyin_key

# Ranking bonus for entries whose paraphrases keep using the question's words (BM25 over each
# entry's paraphrases taken together), relative to the best candidate. Breaks ties between
# sibling entries that share a vocabulary; it orders candidates but is not part of the score.
CENTRALITY_WEIGHT = 0.05
# Ranking weight of the learned signal's margin (`learned.py`); like centrality it orders the
# candidates and leaves their scores alone. Chosen on the blind sets at their first runs, each
# with a fold model that never saw it (docs/evaluation.md, session 18).
LEARNED_WEIGHT = 0.5


class Matcher:
    def __init__(self, kb: KnowledgeBase, settings: MatchSettings | None = None) -> None:
        self.kb = kb
        self.settings = settings or MatchSettings()
        self.chitchat = ChitChat.load()
        self.calibration = Calibration.load()
        self.articles = ArticleIndex(kb.laws)
        vocabulary = [*kb.dictionary, *(k for e in kb.entries for k in e.keywords)]
        self.tokenizer = LegalTokenizer(vocabulary, kb.synonyms)
        self._entries: list[Entry] = list(kb.entries)
        self._index = Index(self._entries, TextWork(self.tokenizer), pinyin_key)
        ix = self._index
        words = ix.first_met
        del ix.first_met  # needed for the build only
        self.tokenizer.learn_vocabulary(ix.terms[c] for c in words if len(ix.terms[c]) >= 3)
        self._entry_index = {entry.id: i for i, entry in enumerate(self._entries)}
        self._scorer = Scorer(ix, [e.id for e in self._entries])
        self.standing = Standing(ix, self._entries)
        self.reranker = Reranker(self._entries, self.tokenizer, ix.paraphrases)
        self.reranker.build_profiles()
        self.learned = Learned.load()

    def __getstate__(self) -> dict[str, object]:
        """Stored without the long tail's article index, which is built on first use."""
        return {k: v for k, v in self.__dict__.items() if k not in ("articles", "_titles")}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.articles = ArticleIndex(self.kb.laws)

    def match(self, query: str) -> MatchResult:
        crisis = self.chitchat.crisis(query)
        small_talk = self.chitchat.classify(query, self.tokenizer)
        if small_talk and not crisis:
            return MatchResult(small_talk, (), ())
        terms = list(dict.fromkeys(self.tokenizer.tokens(query)))
        extra = self.tokenizer.homophone_terms(query, set(terms))
        if not terms and not extra:
            return MatchResult("empty", (), (), crisis)
        weights = self._weights(terms, extra, focus(query, terms, self.tokenizer.tokens))
        ranked, learned = self._rank(query, weights)
        if (topics := self.chitchat.topics_for(crisis)) is not None:  # the danger's own topic
            ranked = [m for m in ranked if self.kb.entry(m.entry_id).topic in topics]
        if not ranked:
            return self._long_tail(MatchResult("fallback", (), tuple(weights), crisis), weights)
        anchored = any(self.is_legal(t) for t in weights) or bool(extra)
        standing = self.standing.of(query, weights, ranked)
        if self.learned is not None:
            learned = self.learned.for_decision(ranked[0].entry_id, learned)
        found = evidence(
            query,
            ranked,
            weights,
            self.is_legal,
            lambda e: self.kb.entry(e).topic,
            standing,
            self._linked,
            learned,
        )
        confidence = self.calibration.probability(found)
        outcome = self._decide(ranked, confidence)
        if not anchored and outcome != "fallback":  # no legal word: choices on a broad overlap
            broad = ranked[0].coverage >= 0.5 and len(ranked[0].matched_terms) >= 2
            outcome = "choices" if broad else "fallback"
        if outcome == "answered" and len(weights) == 1 and self._entry_df(next(iter(weights))) >= 3:
            outcome = "choices"  # one broad word such as 离婚 or 赔偿: let the resident pick
        if outcome == "answered" and not any(self.is_legal(t) for t in ranked[0].matched_terms):
            outcome = "choices"  # the overlap is only everyday words: do not answer with a law
        result = MatchResult(outcome, tuple(ranked), tuple(weights), crisis, confidence, found)
        return self._long_tail(result, weights) if outcome == "fallback" else result

    def _long_tail(self, result: MatchResult, weights: dict[str, float]) -> MatchResult:
        """No entry fits: quote one or two articles that clearly do, never in a crisis."""

        def telling(term: str) -> bool:  # a legal word, or one rare in everyday speech
            return self.is_legal(term) or self.tokenizer.specificity(term) >= 0.7

        if result.crisis or not (found := self.articles.find(weights, telling, self.is_legal)):
            return result
        return dataclasses.replace(result, outcome="article", articles=tuple(found))

    def _linked(self, a: str, b: str) -> bool:
        return b in self.kb.entry(a).see_also or a in self.kb.entry(b).see_also

    def is_legal(self, term: str) -> bool:
        """Words that make a message a legal question: a signal word such as 告 or 赔, or a
        term from the knowledge base's vocabulary that is not an everyday word (手机, 吃饭)."""
        signals = self.chitchat.legal_signals
        if term in signals or any(c in signals for c in term):
            return True
        return self.in_legal_vocabulary(term)

    def in_legal_vocabulary(self, term: str) -> bool:
        """A word of the knowledge base's legal vocabulary that is not an everyday word."""
        return term in self.tokenizer.legal_terms and self.tokenizer.specificity(term) >= 0.7

    def _weights(
        self, terms: list[str], extra: list[str], factors: dict[str, float]
    ) -> dict[str, float]:
        """How much each query term matters: rare in the knowledge base, specific in everyday
        language, and part of the legal vocabulary. Words the knowledge base has never seen
        count less in long messages, where they are mostly the resident's story."""
        unknown_damping = 1.0 / (1.0 + 0.12 * max(0, len(terms) - 5))
        weights: dict[str, float] = {}
        for term in terms:
            idf = self._idf(term)
            weight = (self._idf_unknown if idf is None else idf) * self.tokenizer.specificity(term)
            if term in self.tokenizer.legal_terms:
                weight *= 1.6
            if idf is None:
                weight *= unknown_damping
            weights[term] = weight * factors.get(term, 1.0)
        for term in extra:
            idf = self._idf(term)
            weights.setdefault(term, 0.6 * (self._idf_unknown if idf is None else idf))
        return weights

    @property
    def _idf_unknown(self) -> float:
        return index_idf(0, max(len(self._index.doc_entry), 1))

    def _idf(self, term: str) -> float | None:
        """The word's idf over paraphrases, or None for a word no paraphrase uses."""
        i = self._index.term_id.get(term)
        return float(self._index.idf[i]) if i is not None and self._index.known[i] else None

    def _entry_df(self, term: str) -> int:
        i = self._index.term_id.get(term)
        return 0 if i is None else int(self._index.entry_df[i])

    def _rank(self, query: str, weights: dict[str, float]) -> tuple[list[Match], dict[str, float]]:
        """The candidates, best first, and the learned margin of each."""
        ix = self._index
        lookup = list(weights)
        lookup += [ix.pinyin_vocab[k] for k in map(pinyin_key, weights) if k in ix.pinyin_vocab]
        query_terms = [ix.term_id[t] for t in dict.fromkeys(lookup) if ix.is_known(t)]
        norm_query = normalize(query)
        query_bigrams = set(bigrams(norm_query)) | {b for t in weights for b in bigrams(t)}
        best: list[tuple[int, float]] = []
        if query_terms:
            docs, scores = ix.docs.top(query_terms, self.settings.candidates * 4)
            # best first, so an entry's first paraphrase met is its best, in the entries' order
            entries = ix.doc_entry[docs]
            _, first = np.unique(entries, return_index=True)
            first = np.sort(first)[: self.settings.candidates]
            best = list(zip(entries[first].tolist(), scores[first].tolist(), strict=True))
        known_bigrams = [ix.pair_id[b] for b in query_bigrams if b in ix.pair_id]
        if known_bigrams:
            found, _ = ix.pair_bm25.top(known_bigrams, self.settings.candidates // 2)
            seen = {entry for entry, _ in best}
            best += [(e, 0.0) for e in found.tolist() if e not in seen]
        if not best:
            return [], {}
        matches = self._scorer.score(best, norm_query, weights, query_bigrams)
        centrality = self._centrality(weights, matches)
        said = main_problem(query) or query  # a two-problem message's first one
        learned = self.learned.of(said, centrality) if self.learned else {}

        def place(m: Match) -> float:
            own = CENTRALITY_WEIGHT * centrality[m.entry_id]
            return m.score + own + LEARNED_WEIGHT * learned.get(m.entry_id, 0.0)

        matches.sort(key=place, reverse=True)  # stable: ties keep the scorer's order
        return self.reranker.order(query, weights, matches, centrality), learned

    def _centrality(self, weights: dict[str, float], matches: list[Match]) -> dict[str, float]:
        ix = self._index
        known = [j for j, t in enumerate(weights) if ix.is_known(t)]
        if not known:
            return dict.fromkeys((m.entry_id for m in matches), 0.0)
        ids = [m.entry_id for m in matches]
        if isinstance(matches, Scored) and matches.weights is weights and matches.entry_ids == ids:
            block = matches.own[:, known]  # the scorer's gather, in the matches' order
        else:
            rows = np.array([self._entry_index[i] for i in ids], dtype=np.int64)
            words = list(weights)
            block = ix.entries.gather(rows, [ix.term_id[words[j]] for j in known])
        # added word after word, in float32, as bm25s adds them (a running sum is sequential)
        scores = np.cumsum(block, axis=1, dtype=np.float32)[:, -1]
        raw = dict(zip(ids, scores.tolist(), strict=True))
        best = max(raw.values()) or 1.0
        return {entry_id: value / best for entry_id, value in raw.items()}

    def _decide(self, ranked: list[Match], confidence: float) -> str:
        s = self.settings
        # the learned signal may put an entry with a lower score first: what any candidate
        # explains of the message decides whether there is anything to offer
        if not ranked or max(m.score for m in ranked) < s.choice_threshold:
            return "fallback"
        needed = s.answer_confidence or self.calibration.threshold
        if ranked[0].score >= s.answer_threshold and confidence >= needed:
            return "answered"
        return "choices"

    def title_terms(self, entry_id: str) -> frozenset[str]:
        """The words of an entry's title, worked out once per matcher."""
        titles: dict[str, frozenset[str]] = self.__dict__.setdefault("_titles", {})
        if (terms := titles.get(entry_id)) is None:
            terms = titles[entry_id] = frozenset(
                self.tokenizer.tokens(self.kb.entry(entry_id).title)
            )
        return terms

    def choices(self, result: MatchResult) -> list[Match]:
        floor = self.settings.choice_threshold * 0.8
        return [m for m in result.matches if m.score >= floor][: self.settings.max_choices]
