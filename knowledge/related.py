"""Related titles under a direct answer: the message's second problem, or the next step."""

from __future__ import annotations

from .matcher import Match, Matcher, MatchResult

# A related title scores within this share of the answer's, or it explains a legal word of the
# message that the answer leaves out (the second problem of a two-problem message).
SHARE = 0.75
LOOK_AT = 8


def related(matcher: Matcher, result: MatchResult, limit: int = 2) -> list[Match]:
    """Not the same question again: a title whose words the answer's title already holds
    (被家暴了能离婚吗 under 家暴后起诉离婚怎么做) is skipped."""
    best = result.best
    if result.outcome != "answered" or best is None:
        return []
    left_out = {t for t in result.terms if len(t) >= 2 and matcher.is_legal(t)} - set(
        best.matched_terms
    )
    titles = {m.entry_id: matcher.title_terms(m.entry_id) for m in result.matches[:LOOK_AT]}
    chosen: list[Match] = []
    for match in result.matches[1:LOOK_AT]:
        if len(chosen) == limit or match.score < matcher.settings.choice_threshold:
            break
        close = match.score >= SHARE * best.score
        other_problem = bool(left_out.intersection(match.matched_terms))
        title = titles[match.entry_id]
        repeats = any(title <= titles[m.entry_id] for m in (best, *chosen))
        if (close or other_problem) and not repeats:
            chosen.append(match)
            left_out -= set(match.matched_terms)
    return chosen
