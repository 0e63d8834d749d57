"""Storage on a real SQLite file (and PostgreSQL when configured)."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.store.privacy import mask_personal_numbers, pseudonym
from bot.store.storage import Store
from bot.store.tables import questions


def _claim_in_process(
    url: str, key: str, barrier: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue
) -> None:  # type: ignore[name-defined]
    store = Store(url)
    barrier.wait()
    out.put(store.claim_inbound(key, "o-race", "text", "同一条消息").claimed)
    store.dispose()


@pytest.fixture
def fresh(db_url: str) -> Iterator[Store]:
    store = Store(db_url)
    store.create_schema()
    yield store
    store.dispose()


def test_one_claim_wins_across_processes(db_url: str, fresh: Store) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(4)
    out = ctx.Queue()
    workers = [
        ctx.Process(target=_claim_in_process, args=(db_url, "msg:42", barrier, out))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    results = [out.get(timeout=5) for _ in workers]
    assert sorted(results) == [False, False, False, True]


def test_retry_waits_for_the_first_reply(fresh: Store) -> None:
    store = fresh
    first = store.claim_inbound("msg:7", "o-wait", "text", "问题")
    assert first.claimed
    assert first.inbound_id
    timer = threading.Timer(0.3, store.finish_inbound, args=(first.inbound_id, "回复内容"))
    timer.start()
    second = store.claim_inbound("msg:7", "o-wait", "text", "问题")
    assert not second.claimed
    assert second.reply is None
    assert store.wait_reply("msg:7", timeout=5) == "回复内容"
    timer.join()


def test_questions_are_masked_before_storage(fresh: Store) -> None:
    store = fresh
    store.touch_resident("o-mask")
    store.record_question(
        "o-mask", "身份证500242199001011234，电话13812345678借钱不还", "text", "answered"
    )
    with store.engine.connect() as conn:
        text = conn.execute(select(questions.c.text)).scalar_one()
    assert "500242199001011234" not in text
    assert "13812345678" not in text
    assert "借钱不还" in text


def test_conversation_state_round_trips(fresh: Store) -> None:
    store = fresh
    assert store.state("o-s") == {}
    store.save_state("o-s", {"pages": ["第二页"], "choices": ["a", "b"]})
    store.save_state("o-s", {"pages": [], "last_entry": "x"})
    assert store.state("o-s") == {"pages": [], "last_entry": "x"}


def test_resident_lifecycle(fresh: Store) -> None:
    store = fresh
    store.touch_resident("o-r", subscribed=True)
    first_seen = store.resident("o-r")["first_seen"]
    store.set_village("o-r", "苍岭村")
    store.touch_resident("o-r", subscribed=False)
    row = store.resident("o-r")
    assert row["village"] == "苍岭村"
    assert row["subscribed"] is False
    assert row["first_seen"] == first_seen


def test_masking_rules() -> None:
    assert mask_personal_numbers("50024219900101123X") == "500*************3X"
    assert mask_personal_numbers("打 138-1234-5678 找我") == "打 138****5678 找我"
    assert mask_personal_numbers("借了5000元，2023年还") == "借了5000元，2023年还"
    assert pseudonym("oOPENID") == pseudonym("oOPENID")
    assert "oOPENID" not in pseudonym("oOPENID")
