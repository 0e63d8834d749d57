"""The long tail: when no entry fits but one or two articles of the bundled laws clearly do,
answer with the articles' own words. Indexed per article by character pairs (quick to build,
robust to segmentation), then judged by how many of the message's legal words each holds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property

from .index import bigrams
from .laws import Article, LawLibrary
from .pair_index import PairIndex

CANDIDATES = 20
# An article must hold this share of the message's legal word weight, and this many of them.
MIN_COVERAGE = 0.6
MIN_TERMS = 2
MAX_ARTICLES = 2
RARE_SHARE = 0.01


class ArticleIndex:
    def __init__(self, laws: LawLibrary) -> None:
        self._laws = laws

    @cached_property
    def _articles(self) -> list[Article]:
        """National laws, regulations and interpretations in force; local rules answer local
        questions that an entry should cover, and outdated laws must not be quoted."""
        return [
            article
            for law in self._laws.laws.values()
            if not law.outdated and not law.local
            for label, article in law.articles.items()
            if label not in law.repealed_paragraphs
        ]

    @cached_property
    def _corpus(self) -> str:
        return "\n".join(a.text for a in self._articles)

    @cached_property
    def _index(self) -> PairIndex:
        return PairIndex([a.text for a in self._articles])

    def _holds(self, term: str) -> bool:
        """Whether an article uses the word. A pair is in some article exactly when the index
        knows it, so the search through every article's text is left for longer words whose
        pairs all occur."""
        pairs = bigrams(term)
        if len(self._index.ids(pairs)) < len(pairs):
            return False
        return len(term) == 2 or term in self._corpus

    def warm(self) -> None:
        """Build the index now rather than for the first message that needs it."""
        self._index  # noqa: B018 - a cached property, computed once

    def _rare(self, terms: list[str]) -> bool:
        """At least one word the laws seldom use: 拾得 points at an article, 规定 does not."""
        limit = RARE_SHARE * len(self._articles)
        return any(min(self._index.frequency(p) for p in bigrams(t)) <= limit for t in terms)

    def find(
        self,
        weights: Mapping[str, float],
        telling: Callable[[str], bool],
        is_legal: Callable[[str], bool],
    ) -> list[Article]:
        """Articles holding most of the message's telling words (legal, or rare in everyday
        speech), two of them words of the knowledge base's own legal vocabulary."""
        # Words of the story that no law uses (没人领, 归谁) say nothing about which article fits.
        legal = {t: w for t, w in weights.items() if len(t) >= 2 and telling(t) and self._holds(t)}
        if len(legal) < MIN_TERMS:
            return []
        ids = self._index.ids([p for t in legal for p in bigrams(t)])
        if not len(ids):
            return []
        scores = self._index.scores(ids)
        total = sum(legal.values())
        judged = []
        for i in scores.argsort()[::-1][:CANDIDATES]:
            if scores[i] <= 0:
                break
            article = self._articles[int(i)]
            held = [t for t in legal if t in article.text]
            coverage = sum(legal[t] for t in held) / total
            if (
                coverage >= MIN_COVERAGE
                and len(held) >= MIN_TERMS
                and self._rare(held)
                and sum(map(is_legal, held)) >= MIN_TERMS
            ):
                judged.append((coverage, float(scores[i]), article))
        judged.sort(key=lambda item: (-item[0], -item[1]))
        chosen = [article for _, _, article in judged[:MAX_ARTICLES]]
        return [a for a in chosen if a.law_key == chosen[0].law_key]  # one law, not a mix
