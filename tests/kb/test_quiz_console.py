"""Staff edit a quiz bank in the console; a different reviewer approves; residents get it."""

from __future__ import annotations

import re

from bot.kb.quiz_layer import questions_text
from bot.store.users import add_user
from knowledge.quizzes import load_quizzes

from ..consolekit import PASSWORD, Auth, csrf_token
from ..wechat import WeChat

NEW_QUESTION = """编号：xf-laodong
题目：宪法规定，劳动对公民来说是什么？
Ａ．只是权利
B. 既是权利也是义务
C. 只是义务
答案：ｂ
解释：公民有劳动的权利和义务，有劳动能力的人要靠劳动过日子。
依据：宪法第四十二条"""


def xianfa_form(questions: str) -> dict[str, str]:
    return {
        "id": "xianfa",
        "name": "宪法答题",
        "title": "宪法小测验",
        "campaign": "宪法宣传周",
        "questions": questions,
    }


def post_quiz(client, **form: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/admin/quizzes/edit")
    return client.post("/admin/quizzes/edit", data={**form, "csrf_token": token})


def switch(auth: Auth, client, user: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    auth.login(user, password)


def test_a_reviewed_quiz_change_reaches_residents(
    auth: Auth, client, wechat: WeChat, store
) -> None:  # type: ignore[no-untyped-def]
    add_user(store.engine, "both", "password-both", "staff,reviewer")
    xianfa = next(q for q in load_quizzes() if q.id == "xianfa")
    # Only the new question and four old ones: every attempt then meets it.
    kept = questions_text(xianfa).split("\n\n")[:4]
    auth.login("both", "password-both")
    listing = client.get("/admin/quizzes/").get_data(as_text=True)
    assert "宪法答题" in listing
    form = client.get("/admin/quizzes/edit?id=xianfa").get_data(as_text=True)
    assert "编号：xf-xianfari" in form
    sent = post_quiz(client, **xianfa_form("\n\n".join([NEW_QUESTION, *kept])))
    assert sent.status_code == 302
    assert "劳动对公民" not in wechat.text("o-new-q", "宪法答题")  # not live before review
    refused = client.post(
        "/admin/quizzes/reviews/1/approve",
        data={"csrf_token": csrf_token(client, "/admin/quizzes/reviews")},
        follow_redirects=True,
    )
    assert "不能审核自己提交的修改" in refused.get_data(as_text=True)
    switch(auth, client, "staff1")
    forbidden = client.post(
        "/admin/quizzes/reviews/1/approve",
        data={"csrf_token": csrf_token(client, "/admin/quizzes/reviews")},
    )
    assert forbidden.status_code == 403
    switch(auth, client, "rev1")
    page = client.get("/admin/quizzes/reviews").get_data(as_text=True)
    assert "劳动对公民" in page
    approved = client.post(
        "/admin/quizzes/reviews/1/approve",
        data={"csrf_token": csrf_token(client, "/admin/quizzes/reviews")},
        follow_redirects=True,
    )
    assert "已生效" in approved.get_data(as_text=True)
    reply = wechat.text("o-new-q2", "宪法答题")
    assert "宪法小测验" in reply
    for _ in range(5):
        if "劳动对公民" in reply:
            break
        reply = wechat.text("o-new-q2", "A")
    assert "劳动对公民" in reply
    assert "答对了" in wechat.text("o-new-q2", "选b")


def test_a_wrong_citation_or_answer_letter_is_refused(auth: Auth, client) -> None:  # type: ignore[no-untyped-def]
    auth.login("staff1")
    xianfa = next(q for q in load_quizzes() if q.id == "xianfa")
    rest = questions_text(xianfa).split("\n\n")[1:]
    bad_cite = NEW_QUESTION.replace("宪法第四十二条", "宪法第九百九十九条")
    page = post_quiz(client, **xianfa_form("\n\n".join([bad_cite, *rest])))
    assert page.status_code == 400
    assert "没有第九百九十九条" in page.get_data(as_text=True)
    bad_letter = NEW_QUESTION.replace("答案：ｂ", "答案：D")
    page = post_quiz(client, **xianfa_form("\n\n".join([bad_letter, *rest])))
    assert page.status_code == 400
    assert re.search(r"答案“D”不在选项", page.get_data(as_text=True))
    police = NEW_QUESTION.replace("宪法第四十二条", "治安管理处罚法第七十二条")
    page = post_quiz(client, **xianfa_form("\n\n".join([police, *rest])))
    assert "只能整部引用" in page.get_data(as_text=True)


def test_a_push_names_a_quiz_and_residents_reply_to_it(
    auth: Auth, client, store, wechat: WeChat
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from bot.store.tables import pushes

    auth.login("staff1")
    form = client.get("/admin/pushes/new").get_data(as_text=True)
    assert "宪法答题" in form
    token = csrf_token(client, "/admin/pushes/new")
    sent = client.post(
        "/admin/pushes/new",
        data={
            "title": "宪法宣传周",
            "body": "宪法是根本大法。",
            "audience": "all",
            "channel": "dryrun",
            "run_at": "2099-12-04T09:00",
            "quiz": "xianfa",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    page = sent.get_data(as_text=True)
    assert "附带答题：xianfa" in page
    with store.engine.connect() as conn:
        row = conn.execute(select(pushes.c.body, pushes.c.quiz_id)).one()
    assert row.quiz_id == "xianfa"
    assert "回复“宪法答题”参加普法答题" in row.body
    invite = wechat.text("o-from-push", "宪法答题")
    assert "第1题（共5题）" in invite


def test_pufa_push_new_attaches_a_quiz(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from bot.cli.main import main

    from ..conftest import cli_config

    runner, base = CliRunner(), cli_config(tmp_path, f"sqlite:///{tmp_path / 'p.db'}")
    assert runner.invoke(main, [*base, "init"]).exit_code == 0
    runner.invoke(
        main, [*base, "user", "add", "wang", "--role", "staff", "--password", "pw-wang-1"]
    )
    args = [*base, "push", "new", "--as", "wang", "--title", "禁毒日", "--text", "远离毒品"]
    made = runner.invoke(main, [*args, "--at", "+2h", "--quiz", "禁毒答题", "-q"])
    assert made.exit_code == 0, made.output
    shown = runner.invoke(main, [*base, "push", "show", made.output.strip()])
    assert "回复“禁毒答题”参加普法答题" in shown.output
    unknown = runner.invoke(main, [*args, "--at", "+2h", "--quiz", "天文答题"])
    assert unknown.exit_code == 1
    assert "没有这个答题" in unknown.output
