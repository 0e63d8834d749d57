"""A delivery's writes after its claim: one transaction, all or nothing, not blocking the others."""

from __future__ import annotations

import threading

import pytest

from bot.store.storage import Store
from bot.store.unit import unit


def test_a_unit_commits_once_at_its_end(db_url: str) -> None:
    store, other = Store(db_url), Store(db_url)
    store.create_schema()
    claim = store.claim_inbound("msg:1", "o-unit", "text", "问题")
    assert claim.inbound_id is not None
    with unit(store.engine):
        store.touch_resident("o-unit")
        store.save_state("o-unit", {"step": 1})
        store.finish_inbound(claim.inbound_id, "回复")
        assert store.state("o-unit") == {"step": 1}  # the unit reads its own writes
        assert other.state("o-unit") == {}  # nobody else sees them yet
        assert other.wait_reply("msg:1", 0) is None
    assert other.state("o-unit") == {"step": 1}
    assert other.claim_inbound("msg:1", "o-unit", "text", "问题").reply == "回复"
    store.dispose()
    other.dispose()


def test_a_failing_unit_leaves_nothing_but_the_claim(db_url: str) -> None:
    store = Store(db_url)
    store.create_schema()
    claim = store.claim_inbound("msg:2", "o-unit", "text", "问题")
    assert claim.inbound_id is not None

    def failing_delivery(inbound_id: int) -> None:
        with unit(store.engine):
            store.save_state("o-unit", {"step": 1})
            store.finish_inbound(inbound_id, "回复")
            raise RuntimeError("a handler failed")

    with pytest.raises(RuntimeError):
        failing_delivery(claim.inbound_id)
    assert store.state("o-unit") == {}
    again = store.claim_inbound("msg:2", "o-unit", "text", "问题")
    assert not again.claimed
    assert again.reply is None
    store.dispose()


def test_reading_in_a_unit_does_not_hold_other_workers_up(db_url: str) -> None:
    """Before its first write a unit takes no write lock, so its matching runs beside others."""
    store = Store(db_url)
    store.create_schema()
    read, claimed = threading.Event(), threading.Event()
    outcome: list[bool] = []

    def other_worker() -> None:
        read.wait(10)
        other = Store(db_url)
        outcome.append(other.claim_inbound("msg:3", "o-b", "text", "问").claimed)
        other.dispose()
        claimed.set()

    thread = threading.Thread(target=other_worker)
    thread.start()
    with unit(store.engine):
        assert store.state("o-a") == {}
        store.visitor("o-a", 60)
        read.set()
        assert claimed.wait(5), "another worker's claim waited for a unit that only read"
        store.save_state("o-a", {"step": 1})
    thread.join()
    assert outcome == [True]
    store.dispose()
