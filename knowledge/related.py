"""Related titles under a direct answer: the message's second problem, or the next step."""

from __future__ import annotations

from .matcher import Match, Matcher, MatchResult

# A related title scores within this share of the answer's, or it explains a legal word of the
# message that the answer leaves out (the second problem of a two-problem message).
SHARE = 0.75
LOOK_AT = 8


def related(matcher: Matcher, result: MatchResult, limit: int = 2) -> list[Match]:
    """The message's second problem first, then the next steps the answer's entry names
    (`see_also`, curated by staff), then titles that score close to it. Not the same question
    again: a title whose words the answer's title already holds (被家暴了能离婚吗 under
    家暴后起诉离婚怎么做) is skipped."""
    best = result.best
    if result.outcome != "answered" or best is None:
        return []
    # A second problem is named by the law's own vocabulary (工伤, 抚养费), not by a word that
    # only sounds legal by its signal character (要罚, 犯法) nor an everyday one (打工).
    left_out = {t for t in result.terms if len(t) >= 2 and matcher.in_legal_vocabulary(t)} - set(
        best.matched_terms
    )
    best_topic = matcher.kb.entry(best.entry_id).topic
    titles = {m.entry_id: matcher.title_terms(m.entry_id) for m in result.matches[:LOOK_AT]}
    picked: list[tuple[bool, Match]] = []
    for match in result.matches[1:LOOK_AT]:
        if len(picked) == limit or match.score < matcher.settings.choice_threshold:
            break
        other_problem = bool(left_out.intersection(match.matched_terms))
        # Close by score alone is no reason to offer another topic's title that explains no
        # word of the message the answer leaves out: 抚养费 under 去哪个法院起诉.
        close = match.score >= SHARE * best.score and (
            matcher.kb.entry(match.entry_id).topic == best_topic
            or not set(match.matched_terms) <= set(best.matched_terms)
        )
        title = titles[match.entry_id]
        repeats = any(title <= titles[m.entry_id] for m in (best, *(m for _, m in picked)))
        if (close or other_problem) and not repeats:
            picked.append((other_problem, match))
            left_out -= set(match.matched_terms)
    seconds = [m for second, m in picked if second]
    found = {m.entry_id: m for m in result.matches}
    named = {m.entry_id for m in seconds}
    steps = [
        found.get(m.entry_id, m)
        for m in next_steps(matcher, best.entry_id, limit=None)
        if m.entry_id not in named
    ]
    chosen: list[Match] = []
    for match in (*seconds, *steps, *(m for second, m in picked if not second)):
        if len(chosen) < limit and match.entry_id not in {m.entry_id for m in chosen}:
            chosen.append(match)
    return chosen


def next_steps(matcher: Matcher, entry_id: str, limit: int | None = 2) -> list[Match]:
    """The next steps an entry names (`see_also`), by title alone; one staff have since deleted
    is skipped. Offered after a direct answer (`related`) and after a pick from a menu."""
    return [_offered(e) for e in matcher.kb.entry(entry_id).see_also if matcher.kb.has_entry(e)][
        :limit
    ]


def _offered(entry_id: str) -> Match:
    """A next step the message itself did not reach: offered by its title alone."""
    return Match(entry_id, 0.0, (), "", 0.0, 0.0, 0.0, 0.0, 0.0)
