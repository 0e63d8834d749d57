"""Answering a resident's question, typed or spoken."""

from __future__ import annotations

from typing import Any

from knowledge.matcher import Match, MatchResult
from knowledge.related import next_steps, related

from .context import Context
from .referral import FOLLOW_UP_CRISES, start
from .render import (
    article_text,
    choices_text,
    crisis_text,
    entry_text,
    law_text,
    related_text,
)
from .reply import Reply

# The question log keeps the matcher's words; an empty message counts as a fallback there.
LOGGED_AS = {"empty": "fallback", "article": "law_text"}
# Conversation state a new question keeps: a quiz in progress resumes on "继续答题".
KEPT = ("quiz",)


def answer_question(text: str, channel: str, ctx: Context) -> Reply:
    reference = ctx.kb.laws.find_reference(text)
    if reference and reference.label and _mostly_reference(text):
        ctx.store.record_question(ctx.openid, text, channel, "article", inbound_id=ctx.inbound_id)
        return Reply(article_text(reference, ctx))

    result = ctx.matcher.match(text)
    if result.outcome in ("greeting", "thanks"):
        ctx.store.record_question(ctx.openid, text, channel, "chat", inbound_id=ctx.inbound_id)
        return Reply(ctx.text(result.outcome))

    body, entry_id = _body(result, ctx)
    misses = ctx.state.get("fallbacks", 0) + 1 if result.outcome in ("fallback", "empty") else 0
    best = result.best
    question_id = ctx.store.record_question(
        ctx.openid,
        text,
        channel,
        LOGGED_AS.get(result.outcome, result.outcome),
        entry_id=entry_id,
        score=best.score if best else None,
        candidates=[_summary(m) for m in result.matches[:5]],
        inbound_id=ctx.inbound_id,
    )
    kept = {key: ctx.state[key] for key in KEPT if key in ctx.state}
    ctx.state.clear()
    ctx.state.update(kept)
    ctx.state["last_question"] = question_id
    if misses:
        ctx.state["fallbacks"] = misses
    if entry_id:
        ctx.state["last_entry"] = entry_id
    if result.outcome == "choices":
        ctx.state["choices"] = [m.entry_id for m in ctx.matcher.choices(result)]
    if entry_id:
        body = _then_offer(body, entry_id, related(ctx.matcher, result), ctx)
    if result.crisis:  # the emergency line first; alone when no entry of its topic fits
        emergency = crisis_text(result.crisis, ctx)
        if ctx.services.referrals and FOLLOW_UP_CRISES.intersection(result.crisis):
            emergency += "\n" + _crisis_ticket(ctx, text, entry_id)
        body = emergency if result.outcome in ("fallback", "empty") else f"{emergency}\n\n{body}"
    elif misses >= 2 and ctx.services.referrals and result.outcome == "fallback":
        ctx.state.pop("fallbacks")
        handed_on = start(ctx, "fallbacks", question_id=question_id)
        return Reply(f"{ctx.text('ticket_after_fallbacks')}\n{handed_on.text}")
    return Reply(body)


def _crisis_ticket(ctx: Context, text: str, entry: str | None) -> str:
    """In danger nobody is asked for their village first: unknown, the 司法所 takes it."""
    referrals = ctx.services.referrals
    assert referrals is not None
    said = "给了紧急求助方式" + (f"和“{ctx.kb.entry(entry).title}”" if entry else "")
    ticket, _new = referrals.open(ctx.openid, ctx.village, "crisis", text, said)
    who = (
        ctx.text("ticket_to_village") if ticket.desk == "village" else ctx.text("ticket_to_sifasuo")
    )
    return ctx.text("ticket_crisis", number=str(ticket.id), who=who)


def answer_entry(entry_id: str, ctx: Context) -> Reply:
    """An entry picked by number: its answer, then the next steps it names, as 2 and 3."""
    ctx.state["last_entry"] = entry_id
    body = entry_text(ctx.kb.entry(entry_id), ctx)
    return Reply(_then_offer(body, entry_id, next_steps(ctx.matcher, entry_id), ctx))


def _then_offer(body: str, entry_id: str, offered: list[Match], ctx: Context) -> str:
    """The answer followed by related titles, numbered 2, 3 …; 1 is the answer itself."""
    if not offered:
        return body
    ctx.state["choices"] = [entry_id, *(m.entry_id for m in offered)]
    ctx.state["related"] = True  # the log keeps the answer given, not the title picked next
    return f"{body}\n{related_text(offered, ctx)}"


def _body(result: MatchResult, ctx: Context) -> tuple[str, str | None]:
    if result.outcome == "answered" and result.best:
        return entry_text(ctx.kb.entry(result.best.entry_id), ctx), result.best.entry_id
    if result.outcome == "choices":
        return choices_text(ctx.matcher.choices(result), ctx), None
    if result.outcome == "article":
        return law_text(result.articles, ctx), None
    if result.outcome == "empty" and not result.crisis:
        return ctx.text("empty"), None
    return ctx.text("fallback"), None


def _summary(match: Any) -> dict[str, Any]:
    return {"entry": match.entry_id, "score": match.score, "terms": list(match.matched_terms)}


def _mostly_reference(text: str) -> bool:
    """'民法典第1079条' or '民法典1079条讲的啥' is a lookup; a long story that mentions one is not."""
    return len(text.strip()) <= 24
