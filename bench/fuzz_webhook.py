"""The long fuzz run of /wechat: the suite's three properties with many more cases.

    python bench/fuzz_webhook.py [--cases 100000]

Runs in-process against a temporary SQLite file (no network), prints how many deliveries of
each kind were tried and how long it took, and stops at the first failure with its example.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bot.web.app import create_app  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.web.fuzzkit import check, deliver, messages, openids, texts  # noqa: E402
from tests.wechat import WeChat, signature  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # every refused request logs one; errors still show
    db = Path(tempfile.mkdtemp(prefix="pufa-fuzz-")) / "pufa.db"
    app = create_app(make_settings(f"sqlite:///{db}"))
    wechat = WeChat(app.test_client())
    tried: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    run = settings(
        max_examples=args.cases // 3,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )

    @run
    @given(openid=openids, content=texts)
    def text(openid: str, content: str) -> None:
        response = deliver(wechat, openid, "text", {"Content": content})
        if response is not None:
            statuses[response.status_code] += 1
            check(response, wechat)
        tried["text"] += 1

    @run
    @given(message=messages)
    def any_kind(message) -> None:  # type: ignore[no-untyped-def]
        response = deliver(wechat, *message)
        if response is not None:
            statuses[response.status_code] += 1
            check(response, wechat)
        tried["any kind"] += 1

    @run
    @given(body=st.binary(max_size=6000), encrypted=st.booleans())
    def raw(body: bytes, encrypted: bool) -> None:
        query = wechat.args()
        if encrypted:
            query.update(encrypt_type="aes", msg_signature=signature("x", "y"))
        response = wechat.client.post("/wechat", query_string=query, data=body)
        statuses[response.status_code] += 1
        check(response, wechat)
        tried["raw body"] += 1

    started = time.perf_counter()
    for prop in (text, any_kind, raw):
        prop()
    seconds = time.perf_counter() - started
    print(f"{sum(tried.values())} deliveries in {seconds:.0f} s, no server error:")
    for kind, n in tried.items():
        print(f"  {kind}: {n}")
    print("  statuses: " + ", ".join(f"{s} ×{n}" for s, n in sorted(statuses.items())))


if __name__ == "__main__":
    main()
