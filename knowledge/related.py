"""Related titles under a direct answer: the message's second problem, or the next step."""

from __future__ import annotations

from .matcher import Match, Matcher, MatchResult

# Within this share of the answer's score; and not the same question again, that is a title
# whose words the answer's title already holds (被家暴了能离婚吗 under 家暴后起诉离婚怎么做).
SHARE = 0.6
LOOK_AT = 6


def related(matcher: Matcher, result: MatchResult, limit: int = 2) -> list[Match]:
    if result.outcome != "answered" or not result.best:
        return []
    floor = max(matcher.settings.choice_threshold, SHARE * result.best.score)
    titles = {m.entry_id: _title_terms(matcher, m.entry_id) for m in result.matches[:LOOK_AT]}
    chosen: list[Match] = []
    for match in result.matches[1:LOOK_AT]:
        if match.score < floor or len(chosen) == limit:
            break
        title = titles[match.entry_id]
        if not any(title <= titles[m.entry_id] for m in (result.best, *chosen)):
            chosen.append(match)
    return chosen


def _title_terms(matcher: Matcher, entry_id: str) -> frozenset[str]:
    return frozenset(matcher.tokenizer.tokens(matcher.kb.entry(entry_id).title))
