"""Text messages: conversation commands first, then question answering."""

from __future__ import annotations

import re
from typing import Any

from . import quiz
from .context import Context
from .question import answer_entry, answer_question
from .registry import Registry
from .render import case_text
from .reply import Reply

MORE = {"更多", "下一页", "继续", "more"}
HELP = {"帮助", "菜单", "help", "用法", "怎么用", "功能"}
USEFUL = {"有用", "有帮助", "满意", "好评", "👍"}
USELESS = {"没用", "没有用", "不满意", "没帮助", "差评", "👎"}
CASE = re.compile(r"^(?:案例|以案说法|看案例)\s*(?P<topic>\S.*)?$")
VILLAGE = re.compile(
    r"^(?:我是|我在|我住|我住在|我家在|我属于)(?P<village>[\u4e00-\u9fff]{1,10}?村)(?:的|人|村民)*$"
)


def _words(message: Any) -> str:
    return str(getattr(message, "content", "") or "").strip().strip("。.!！?？ ")


def is_choice(message: Any, ctx: Context) -> bool:
    return _words(message).isdigit() and bool(ctx.state.get("choices"))


def pick_choice(message: Any, ctx: Context) -> Reply:
    choices = ctx.state.get("choices") or []
    number = int(_words(message))
    if not 1 <= number <= len(choices):
        return Reply(ctx.text("choice_expired"))
    entry_id = choices[number - 1]
    ctx.state.pop("choices", None)
    if ctx.state.get("last_question") and not ctx.state.pop("related", False):
        ctx.store.resolve_choice(ctx.state["last_question"], entry_id)
    return answer_entry(entry_id, ctx)


def more(message: Any, ctx: Context) -> Reply:
    pages = ctx.state.get("pages") or []
    if not pages:
        return Reply(ctx.text("more_none"))
    ctx.state["pages"] = pages[1:]
    return Reply(pages[0], paginate=False)


def help_text(message: Any, ctx: Context) -> Reply:
    return Reply(ctx.text("help"))


def feedback(message: Any, ctx: Context) -> Reply:
    helpful = _words(message) in USEFUL
    if not ctx.state.get("last_question"):
        return Reply(ctx.text("feedback_none"))
    ctx.store.record_feedback(
        ctx.openid, ctx.state["last_question"], ctx.state.get("last_entry"), helpful
    )
    if helpful or not ctx.services.referrals or not ctx.state.get("last_entry"):
        return Reply(ctx.text("feedback_yes" if helpful else "feedback_no"))
    ctx.state["offer_referral"] = True
    return Reply(ctx.text("feedback_no") + "\n" + ctx.text("referral_offer"))


def bind_village(message: Any, ctx: Context) -> Reply:
    match = VILLAGE.match(_words(message))
    assert match is not None
    name = match.group("village")
    villages = {v.name: v for v in ctx.services.township.villages}
    village = villages.get(name) or next(
        (v for n, v in villages.items() if n.startswith(name[:-1])), None
    )
    if village is None:
        return Reply(ctx.text("village_unknown", village=name))
    ctx.store.set_village(ctx.openid, village.name)
    helper = village.helper + (f"（{village.helper_phone}）" if village.helper_phone else "")
    return Reply(ctx.text("village_bound", village=village.name, helper=helper))


def cases(message: Any, ctx: Context) -> Reply:
    match = CASE.match(_words(message))
    topic = (match.group("topic") or "").strip() if match else ""
    found = find_cases(topic, ctx)
    if not found:
        topics = "、".join(f"案例 {t}" for t in ctx.kb.topics[:6])
        return Reply(ctx.text("case_none") if topic else ctx.text("case_menu", topics=topics))
    seen = ctx.state.setdefault("cases_seen", [])
    fresh = [c for c in found if c.id not in seen] or found
    case = fresh[0]
    seen.append(case.id)
    return Reply(case_text(case, ctx))


def find_cases(topic: str, ctx: Context) -> list[Any]:
    kb = ctx.kb
    if topic:
        return [c for c in kb.cases if topic in c.topic or topic in c.title]
    last = ctx.state.get("last_entry")
    if last:
        entry = kb.entry(last)
        linked = [kb.case(c) for c in entry.cases]
        return linked or [c for c in kb.cases if c.topic == entry.topic]
    return []


def question(message: Any, ctx: Context) -> Reply:
    return quiz.remind(answer_question(str(message.content or ""), "text", ctx), ctx)


def register(registry: Registry) -> None:
    registry.add("text", quiz.answer, quiz.is_answer)
    registry.add("text", quiz.command, quiz.is_command)
    registry.add("text", pick_choice, is_choice)
    registry.add("text", more, lambda m, c: _words(m).lower() in MORE)
    registry.add("text", help_text, lambda m, c: _words(m).lower() in HELP)
    registry.add("text", feedback, lambda m, c: _words(m) in USEFUL | USELESS)
    registry.add("text", bind_village, lambda m, c: VILLAGE.match(_words(m)) is not None)
    registry.add("text", cases, lambda m, c: CASE.match(_words(m)) is not None)
    registry.add("text", question)
