"""Staff edit the knowledge base in the console; a reviewer approves; every worker answers anew."""

from __future__ import annotations

import dataclasses
import io
import time

import pytest
from openpyxl import Workbook, load_workbook

from bot.kb.io import COLUMNS, HEADERS
from bot.kb.layer import KnowledgeLayer, entry_from_dict
from bot.kb.reviewed import ChangeError
from bot.store.tables import kb_changes
from bot.web.app import create_app

from ..conftest import make_settings
from ..consolekit import Auth, csrf_token
from ..wechat import WeChat

GAP = "村务公开多久公开一次账目"
NEW_ENTRY = {
    "id": "xianfa-village-affairs-open",
    "topic": "宪法与公民权利",
    "title": "村里的账和事务要不要公开，多久公开一次",
    "questions": "村里的账从来不公布，我们能看不\n村务公开栏好几年没更新了\n村委会花了好多钱要不要给村民说\n征地补偿款怎么分的村里要公开吗",
    "answer": "村委会实行村务公开，财务收支、征地补偿分配等事项要按时公布，一般事项至少每季度公布一次，接受村民监督。不及时公布或者公布不真实的，村民可以向镇政府或县里有关部门反映。",
    "next_steps": "先找村务监督委员会；不公开的，可以书面向镇政府反映。",
    "citations": "村民委员会组织法第30条；村民委员会组织法第31条",
    "keywords": "村务公开、财务公开、村务监督",
    "cases": "",
    "reviewed": "",
    "see_also": "",
}


def post_entry(client, **changes: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/admin/kb/edit")
    return client.post("/admin/kb/edit", data={**NEW_ENTRY, **changes, "csrf_token": token})


def switch(auth: Auth, client, user: str) -> None:  # type: ignore[no-untyped-def]
    client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    auth.login(user)


def test_unanswered_question_becomes_an_entry_after_review(
    app, auth: Auth, client, wechat: WeChat, db_url, matcher
) -> None:  # type: ignore[no-untyped-def]
    other_worker = create_app(make_settings(db_url), matcher=matcher)
    assert "村务公开" not in wechat.text("o-gap", GAP)
    auth.login("staff1")
    form = client.get("/admin/kb/edit", query_string={"question": GAP}).get_data(as_text=True)
    assert GAP in form
    assert post_entry(client, questions=NEW_ENTRY["questions"] + "\n" + GAP).status_code == 302
    assert "村务公开" not in wechat.text("o-gap", GAP)  # not live before review
    refused = client.post(
        "/admin/kb/reviews/1/approve", data={"csrf_token": csrf_token(client, "/admin/kb/reviews")}
    )
    assert refused.status_code == 403  # staff cannot review
    switch(auth, client, "rev1")
    page = client.post(
        "/admin/kb/reviews/1/approve",
        data={"csrf_token": csrf_token(client, "/admin/kb/reviews")},
        follow_redirects=True,
    )
    assert "已生效" in page.get_data(as_text=True)
    reply = wechat.text("o-gap", GAP)
    assert "村务公开" in reply
    assert "《中华人民共和国村民委员会组织法》第三十条、第三十一条" in reply
    hit = client.get("/admin/hit-test", query_string={"q": GAP}).get_data(as_text=True)
    assert "xianfa-village-affairs-open" in hit
    live = other_worker.extensions["pufa_live"]
    live.check_every = 0
    live.refresh_if_changed()
    deadline = time.monotonic() + 120  # a rebuild takes seconds, longer on a busy machine
    while (
        live.version != KnowledgeLayer(other_worker.extensions["pufa"].store.engine).version()
        and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    assert "村务公开" in WeChat(other_worker.test_client()).text("o-gap2", GAP)
    rebuilt = other_worker.extensions["pufa"].services.matcher.articles
    assert "_index" in vars(rebuilt)  # the long tail's index is built before a resident needs it
    other_worker.extensions["pufa"].store.dispose()


def test_bad_citation_and_self_review_are_refused(auth: Auth, client, store, kb) -> None:  # type: ignore[no-untyped-def]
    auth.login("staff1")
    bad = post_entry(client, citations="民法典第9999条")
    assert bad.status_code == 400
    assert "第九千九百九十九条" in bad.get_data(as_text=True)
    unknown_next = post_entry(client, see_also="jiabao-evidence、no-such-entry")
    assert unknown_next.status_code == 400
    assert "没有这个编号 no-such-entry" in unknown_next.get_data(as_text=True)
    repealed = post_entry(client, citations="婚姻法第32条")
    assert "repealed" in repealed.get_data(as_text=True) or "废止" in repealed.get_data(
        as_text=True
    )
    from bot.store.users import add_user

    add_user(store.engine, "both", "password-both", "staff,reviewer")
    layer = KnowledgeLayer(store.engine)
    entry = entry_from_dict(
        {
            **NEW_ENTRY,
            "questions": NEW_ENTRY["questions"].split("\n"),
            "keywords": [],
            "cases": [],
            "citations": [],
        }
    )
    from bot.kb.layer import parse_citations

    change = layer.propose(
        kb, dataclasses.replace(entry, citations=parse_citations("村民委员会组织法第30条")), "both"
    )
    with pytest.raises(ChangeError, match="自己"):
        layer.review(change, "both", True)


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    book.active.append(HEADERS)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_reports_every_bad_row_and_saves_nothing(auth: Auth, client, store) -> None:  # type: ignore[no-untyped-def]
    auth.login("staff1")
    good = [NEW_ENTRY[c] for c in COLUMNS]
    bad_topic = [*good[:1], "火星话题", *good[2:]]
    bad_topic[0] = "xianfa-other"
    bad_cite = list(good)
    bad_cite[0], bad_cite[6] = "xianfa-third", "刑法第999条"
    bad_cite[3] = "第一问\n第二问\n第三问\n第四问"
    token = csrf_token(client, "/admin/kb/import")
    response = client.post(
        "/admin/kb/import",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(_xlsx([good, bad_topic, bad_cite])), "kb.xlsx"),
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<td>3</td><td>话题“火星话题”不存在" in html
    assert "<td>4</td>" in html
    assert "第九百九十九条" in html
    with store.engine.connect() as conn:
        assert conn.execute(kb_changes.select()).first() is None
    ok = client.post(
        "/admin/kb/import",
        data={"csrf_token": token, "file": (io.BytesIO(_xlsx([good])), "kb.xlsx")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    assert len(KnowledgeLayer(store.engine).list("pending")) == 1


def test_import_rejects_other_files(auth: Auth, client) -> None:  # type: ignore[no-untyped-def]
    auth.login("staff1")
    token = csrf_token(client, "/admin/kb/import")
    for name, data in (
        ("kb.txt", b"hello"),
        ("kb.xlsx", b"not a zip"),
        ("kb.csv", "编号\n".encode("gbk")),
    ):
        response = client.post(
            "/admin/kb/import",
            data={"csrf_token": token, "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 400, name


def _import(client, data: bytes, name: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/admin/kb/import")
    return client.post(
        "/admin/kb/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_is_lossless(auth: Auth, client, store, kb, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """The whole bundled knowledge base, exported and imported untouched, changes nothing;
    one edited row makes exactly one change to review."""
    auth.login("staff1")
    exported = client.get(f"/admin/kb/export.{fmt}").data
    assert len(exported) > 64 * 1024  # larger than the webhook's body limit
    response = _import(client, exported, f"kb.{fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert f"已导入 0 条修改（未改动的 {len(kb.entries)} 条跳过）" in response.get_data(
        as_text=True
    )
    assert KnowledgeLayer(store.engine).list("pending") == []

    quoted = next(e for e in kb.entries if e.see_also and any(c.quote for c in e.citations))
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(exported))
        sheet = book.active
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == quoted.id:
                row[4].value = quoted.answer + "（本镇补充）"
        buffer = io.BytesIO()
        book.save(buffer)
        edited = buffer.getvalue()
    else:
        edited = exported.replace(
            quoted.answer.encode(), (quoted.answer + "（本镇补充）").encode(), 1
        )
    response = _import(client, edited, f"kb.{fmt}")
    assert f"已导入 1 条修改（未改动的 {len(kb.entries) - 1} 条跳过）" in response.get_data(
        as_text=True
    )
    (change,) = KnowledgeLayer(store.engine).list("pending")
    assert change.entry.citations == quoted.citations  # the quotes survive the round trip
    assert change.entry.reviewed == quoted.reviewed
    assert change.entry.see_also == quoted.see_also


def test_uploads_have_their_own_limit_and_a_chinese_page(db_url: str, matcher) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(db_url)
    settings = dataclasses.replace(
        settings, server=dataclasses.replace(settings.server, max_upload_bytes=4096)
    )
    app = create_app(settings, matcher=matcher)
    client = app.test_client()
    from ..consolekit import add_people

    add_people(app.extensions["pufa"].store.engine)
    Auth(client).login("staff1")
    response = _import(client, b"x" * 8192, "kb.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "文件太大" in html
    assert "Request Entity Too Large" not in html
    assert "回到后台首页" in html
    app.extensions["pufa"].store.dispose()


def test_staff_change_survives_a_package_upgrade(store, kb) -> None:  # type: ignore[no-untyped-def]
    layer = KnowledgeLayer(store.engine)
    from bot.store.users import add_user

    add_user(store.engine, "s", "password-s", "staff")
    add_user(store.engine, "r", "password-r", "reviewer")
    original = kb.entry("hunyin-cooling-off")
    edited = dataclasses.replace(
        original, answer=original.answer + "（本镇补充：可先到司法所咨询。）"
    )
    layer.review(layer.propose(kb, edited, "s"), "r", True)
    upgraded = kb.replace_entries(
        dataclasses.replace(e, answer="新版内置回答") if e.id == original.id else e
        for e in kb.entries
    )
    assert (
        layer.apply(upgraded).entry(original.id).answer.endswith("本镇补充：可先到司法所咨询。）")
    )
