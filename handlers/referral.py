"""Referral: a resident handed on to a person, and the 法律明白人's own commands in chat.

A ticket opens when the resident asks for a person, after a crisis message, after two
fallbacks in a row, or when they say yes to the offer that follows 没用. The resident is
asked for their village when it is not known, and may leave a phone number."""

from __future__ import annotations

import re
from typing import Any

from knowledge.errors import PufaError

from .context import Context, Referrals
from .registry import Registry
from .reply import TRANSFER_TO_STAFF, Reply

ASK_PERSON = {
    "找人工",
    "人工",
    "转人工",
    "人工客服",
    "找客服",
    "客服",
    "找真人",
    "真人",
    "人工服务",
}
ASK_HELPER = {"找法律明白人", "法律明白人", "找明白人", "找司法所"}
YES = {"要", "需要", "好", "好的", "是", "是的", "可以", "行", "要的", "麻烦了", "嗯"}
NO = {"不用", "不要", "不需要", "算了", "不了", "取消"}
UNSURE = {"不知道", "不清楚", "不晓得", "不记得", "司法所"}
# Crisis kinds a person should follow up; fire and a crime in progress are for 119 and 110.
FOLLOW_UP_CRISES = {"家庭暴力", "自我伤害", "儿童危险"}
PHONE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
STEP = re.compile(r"^(?P<action>接单|已联系|已解决|转司法所)\s*#?\s*(?P<number>\d{1,9})$")
BIND = re.compile(r"^绑定\s*(?P<code>\d{6})$")
ACTIONS = {"接单": "accept", "已联系": "contacted", "已解决": "resolved", "转司法所": "to_sifasuo"}


def _words(message: Any) -> str:
    return str(getattr(message, "content", "") or "").strip().strip("。.!！?？ ")


def _book(ctx: Context) -> Referrals:
    assert ctx.services.referrals is not None
    return ctx.services.referrals


def _ready(ctx: Context) -> bool:
    return ctx.services.referrals is not None


# -- residents --------------------------------------------------------------------------------
def ask_for_person(message: Any, ctx: Context) -> Reply:
    words = _words(message)
    if words in ASK_PERSON and _book(ctx).staff_on_duty():
        return Reply(TRANSFER_TO_STAFF, paginate=False)
    last = ctx.state.get("last_question")  # what they asked before is what the helper needs
    return start(ctx, "request", question="" if last else words, question_id=last)


def start(ctx: Context, reason: str, question: str = "", question_id: int | None = None) -> Reply:
    """Open now when the village is known; else ask for it first."""
    said = bot_said(ctx)
    if ctx.village is None:
        ctx.state["ticket_wait"] = {
            "reason": reason,
            "question": question,
            "question_id": question_id,
            "said": said,
        }
        names = "、".join(v.name for v in ctx.services.township.villages)
        return Reply(ctx.text("ticket_ask_village", villages=names))
    return Reply(open_ticket(ctx, reason, question, question_id, ctx.village, said))


def bot_said(ctx: Context) -> str:
    """What the bot had answered, for the helper: the entry's title, or that it had none."""
    entry_id = ctx.state.get("last_entry")
    if entry_id:
        try:
            return f"回答了“{ctx.kb.entry(entry_id).title}”"
        except PufaError:  # staff removed the entry since
            pass
    return "没有答上来" if ctx.state.get("last_question") else ""


def open_ticket(
    ctx: Context,
    reason: str,
    question: str = "",
    question_id: int | None = None,
    village: str | None = None,
    bot_reply: str = "",
) -> str:
    book = _book(ctx)
    if question_id and not question:
        question = book.question_text(question_id)
    ticket, new = book.open(ctx.openid, village, reason, question, bot_reply)
    if not new:
        return ctx.text("ticket_again", number=str(ticket.id), state=ticket.state_name)
    who = (
        ctx.text("ticket_to_village") if ticket.desk == "village" else ctx.text("ticket_to_sifasuo")
    )
    text = ctx.text("ticket_opened", number=str(ticket.id), who=who, hours=str(book.sla_hours))
    if book.takes_phones:
        ctx.state["ticket_phone"] = ticket.id
        text += "\n" + ctx.text("ticket_phone_offer")
    return text


def waiting_for_village(message: Any, ctx: Context) -> bool:
    return bool(ctx.state.get("ticket_wait")) and bool(_words(message)) and _ready(ctx)


def answer_village(message: Any, ctx: Context) -> Reply | None:
    wait = ctx.state.pop("ticket_wait")
    words = _words(message)
    if words in NO:
        return Reply(ctx.text("ticket_cancelled"))
    name = re.sub(r"^(我是|我在|我住|我家在|在)", "", words).removesuffix("的").removesuffix("人")
    village = _village(ctx, name)
    if village is not None:
        ctx.store.set_village(ctx.openid, village)
    if village is None and words not in UNSURE and len(words) > 10:
        return None  # a question instead of a village: answered as one
    note = "" if village or words in UNSURE else ctx.text("ticket_village_unknown") + "\n"
    opened = open_ticket(
        ctx,
        wait["reason"],
        wait.get("question", ""),
        wait.get("question_id"),
        village,
        wait.get("said", ""),
    )
    return Reply(note + opened)


def _village(ctx: Context, name: str) -> str | None:
    for village in ctx.services.township.villages:
        if name and (name == village.name or name == village.name.removesuffix("村")):
            return str(village.name)
    return None


def waiting_for_phone(message: Any, ctx: Context) -> bool:
    return bool(ctx.state.get("ticket_phone")) and PHONE.search(_words(message)) is not None


def leave_phone(message: Any, ctx: Context) -> Reply:
    ticket_id = int(ctx.state.pop("ticket_phone"))
    match = PHONE.search(_words(message))
    assert match is not None
    _book(ctx).leave_phone(ticket_id, "".join(match.groups()))
    shown = f"{match.group(1)}****{match.group(3)}"
    return Reply(ctx.text("ticket_phone_kept", phone=shown, number=str(ticket_id)))


def offered(message: Any, ctx: Context) -> bool:
    return bool(ctx.state.get("offer_referral")) and _words(message) in YES | NO and _ready(ctx)


def take_offer(message: Any, ctx: Context) -> Reply:
    ctx.state.pop("offer_referral")
    if _words(message) in NO:
        return Reply(ctx.text("ticket_declined"))
    return start(ctx, "unhelpful", question_id=ctx.state.get("last_question"))


# -- 法律明白人 and 司法所 staff, from their bound WeChat -------------------------------------
def bind(message: Any, ctx: Context) -> Reply:
    match = BIND.match(_words(message))
    assert match is not None
    user = _book(ctx).bind(match.group("code"), ctx.openid)
    if user is None:
        return Reply(ctx.text("bind_failed"))
    return Reply(ctx.text("bind_done", name=user.display_name, village=user.village or "司法所"))


def step(message: Any, ctx: Context) -> Reply:
    match = STEP.match(_words(message))
    assert match is not None
    book = _book(ctx)
    user = book.worker(ctx.openid)
    if user is None:
        return Reply(ctx.text("worker_unknown"))
    try:
        ticket = book.act(int(match.group("number")), user, ACTIONS[match.group("action")])
    except PufaError as exc:  # a step the ticket's state forbids, or not this helper's village
        return Reply(str(exc))
    return Reply(ctx.text("step_done", number=str(ticket.id), state=ticket.state_name))


def todo(message: Any, ctx: Context) -> Reply:
    book = _book(ctx)
    user = book.worker(ctx.openid)
    if user is None:
        return Reply(ctx.text("worker_unknown"))
    open_ones = book.listing(user, "active", limit=8)
    if not open_ones:
        return Reply(ctx.text("todo_none"))
    lines = [
        f"#{t.id} {t.village or '未填村'} {t.state_name}：{t.question[:24]}" for t in open_ones
    ]
    return Reply(ctx.text("todo", items="\n".join(lines)))


def register(registry: Registry) -> None:
    def words_in(group: set[str]) -> Any:
        return lambda m, c: _ready(c) and _words(m) in group

    registry.add("text", bind, lambda m, c: _ready(c) and BIND.match(_words(m)) is not None)
    registry.add("text", step, lambda m, c: _ready(c) and STEP.match(_words(m)) is not None)
    registry.add("text", todo, words_in({"工单", "我的工单", "待办"}))
    registry.add("text", answer_village, waiting_for_village)
    registry.add("text", leave_phone, waiting_for_phone)
    registry.add("text", take_offer, offered)
    registry.add("text", ask_for_person, words_in(ASK_PERSON | ASK_HELPER))
