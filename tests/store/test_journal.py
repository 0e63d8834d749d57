"""Nothing a resident sent is lost when the database falters; forked workers own their pools."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.store.storage import Store
from bot.store.tables import inbound

from ..wechat import WeChat


def _down(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))


def test_a_message_the_database_cannot_take_is_journalled_then_replayed(
    wechat: WeChat, app, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = app.extensions["pufa"].journal
    with monkeypatch.context() as outage:
        outage.setattr(store, "claim_inbound", _down)
        first = wechat.text("o-outage", "我电话13812345678，老板欠工资", msg_id=555_000_001)
        second = wechat.text("o-outage", "离婚冷静期多久", msg_id=555_000_002)
    assert "开小差" in first
    assert "开小差" in second
    assert journal.count() == 2
    assert journal.replay(store) == 2
    assert journal.count() == 0
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(inbound.c.dedupe_key, inbound.c.content).order_by(inbound.c.id)
        ).all()
    assert [r.dedupe_key for r in rows] == ["msg:555000001", "msg:555000002"]
    assert "13812345678" not in rows[0].content  # masked before it touched the disk
    # WeChat's retry of a journalled message after the outage is answered once, normally.
    retry = wechat.text("o-outage", "离婚冷静期多久", msg_id=555_000_002)
    assert retry == ""  # already in the database under its MsgId: the empty retry reply
    journal.write("msg:555000002", "o-outage", "text", "again")
    assert journal.replay(store) == 1  # moved, but not duplicated
    with store.engine.connect() as conn:
        assert len(conn.execute(select(inbound.c.id)).all()) == 2


def test_replay_stops_while_the_database_is_still_down(
    app, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = app.extensions["pufa"].journal
    journal.write("msg:1", "o-a", "text", "一")
    journal.write("msg:2", "o-a", "text", "二")
    monkeypatch.setattr(store, "import_inbound", _down)
    assert journal.replay(store) == 0
    assert journal.count() == 2


def test_a_database_hiccup_before_a_request_is_not_an_error_page(
    app, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = app.extensions["pufa_live"]
    live._checked = -1e9  # due for a check on this request
    monkeypatch.setattr(live.layer, "version", _down)
    response = client.get("/healthz")
    assert response.status_code == 200


def test_a_forked_worker_opens_its_own_connections(db_url: str) -> None:
    store = Store(db_url)
    store.create_schema()
    with store.engine.connect() as conn:
        conn.execute(select(inbound.c.id)).all()
    assert store.engine.pool.checkedin() >= 1 or db_url.startswith("sqlite")
    pid = os.fork()
    if pid == 0:  # the child: inherits nothing it could share by mistake
        ok = store.engine.pool.checkedin() == 0
        try:
            with store.engine.connect() as conn:
                conn.execute(select(inbound.c.id)).all()
        except Exception:
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with store.engine.connect() as conn:  # and the parent's own connection still works
        conn.execute(select(inbound.c.id)).all()
    store.dispose()


def test_readyz_says_whether_the_database_answers(
    app, client, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["database"] == "ok"
    assert ready.get_json()["entries"] > 600
    monkeypatch.setattr(store.engine, "connect", _down)
    app.extensions["pufa"].journal.write("msg:9", "o-r", "text", "x")
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.get_json()["journal_waiting"] == 1
