"""Property-based fuzzing of /wechat: whatever arrives, the answer is a valid WeChat reply of at
most 2048 bytes of text, or a 4xx; never a server error. A longer run is bench/fuzz_webhook.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.web.app import create_app

from ..conftest import make_settings
from ..wechat import WeChat, signature
from .fuzzkit import check, deliver, messages, openids, texts

CASES = int(os.environ.get("PUFA_FUZZ_CASES", "1200"))
FUZZ = settings(
    max_examples=CASES,
    deadline=None,
    derandomize=True,  # the same cases on every run: main stays green or fails for a reason
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def wechat(tmp_path_factory: pytest.TempPathFactory, matcher) -> Iterator[WeChat]:
    db = Path(tmp_path_factory.mktemp("fuzz")) / "pufa.db"
    app = create_app(make_settings(f"sqlite:///{db}"), matcher=matcher)
    yield WeChat(app.test_client())
    app.extensions["pufa"].store.dispose()


@FUZZ
@given(openid=openids, content=texts)
def test_any_text_gets_a_valid_short_reply(wechat: WeChat, openid: str, content: str) -> None:
    response = deliver(wechat, openid, "text", {"Content": content})
    if response is not None:
        check(response, wechat)


@settings(FUZZ, max_examples=CASES // 2)
@given(message=messages)
def test_any_kind_and_fields_get_a_valid_reply(wechat: WeChat, message) -> None:  # type: ignore[no-untyped-def]
    openid, kind, fields = message
    response = deliver(wechat, openid, kind, fields)
    if response is not None:
        check(response, wechat)


@settings(FUZZ, max_examples=CASES // 2)
@given(body=st.binary(max_size=6000), encrypted=st.booleans())
def test_any_signed_body_is_refused_or_answered(
    wechat: WeChat, body: bytes, encrypted: bool
) -> None:
    args = wechat.args()
    if encrypted:
        args.update(encrypt_type="aes", msg_signature=signature("x", "y"))
    response = wechat.client.post("/wechat", query_string=args, data=body, content_type="text/xml")
    check(response, wechat)
