"""Requests per second and p99 of the full /wechat path under gunicorn on 127.0.0.1,
next to a bare Flask reply measured in the same run.

    python bench/webhook_throughput.py [--requests 600] [--concurrency 8] [--workers 2]
                                       [--preload] [--database-url URL] [--rounds 1]
                                       [--match-free] [--crypto-only]

Every request is a new delivery (a MsgId no earlier server, round or run has used), signed and
AES-encrypted (safe mode) exactly as WeChat sends it, so the full path runs: verify, decrypt,
dedupe in the database, match, reply, encrypt. Each resident sends at most ten, below the flood
limit, so every delivery is matched. With `--rounds N` the servers take turns N times and the
medians are compared, which steadies the ratio on a shared machine. `--match-free` adds pufa with
each question's match kept after its first (bench/match_free_app.py): what the delivery costs
around matching. `--crypto-only` adds pufa's signature check, decryption and sealing alone
(bench/crypto_only_app.py): the most any /wechat could reach against the bare reply. Prints the
numbers; it is not a test.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.match_speed import QUERIES as QUESTIONS  # noqa: E402
from bot.store.storage import shown  # noqa: E402
from tests.wechat import AES_KEY, APPID, TOKEN, WeChat, message_xml  # noqa: E402


class _Recorder:
    """Collects what WeChat() would post instead of posting it."""

    def post(
        self, path: str, query_string: dict[str, str], data: bytes, content_type: str
    ) -> tuple[str, bytes]:
        return f"{path}?{urlencode(query_string)}", data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


def start(
    app: str, port: int, workers: int, env: dict[str, str], cwd: Path, preload: bool = False
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        *(["--preload"] if preload else []),
        app,
    ]
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    wait_ready(port)
    return process


def load(
    port: int, requests: list[tuple[str, bytes]], concurrency: int
) -> tuple[float, list[float], int]:
    def one(item: tuple[str, bytes]) -> tuple[float, int]:
        url, body = item
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", url, body=body, headers={"Content-Type": "text/xml"})
        status = conn.getresponse().status
        conn.close()
        return (time.perf_counter() - t0) * 1000, status

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, requests))
    elapsed = time.perf_counter() - started
    errors = sum(1 for _, status in results if status != 200)
    return len(requests) / elapsed, sorted(ms for ms, _ in results), errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload, as deployed")
    parser.add_argument("--database-url", help="an empty database, e.g. PostgreSQL")
    parser.add_argument("--rounds", type=int, default=1, help="turns each server takes")
    parser.add_argument("--match-free", action="store_true", help="also pufa with matching kept")
    parser.add_argument("--crypto-only", action="store_true", help="also the WeChat door alone")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="pufa-bench-"))
    config = workdir / "config.toml"
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    config.write_text(f"[database]\nurl = '{url}'\n[wechat]\nencryption_mode = 'safe'\n")
    env = {
        **os.environ,
        "PUFA_CONFIG": str(config),
        "PUFA_WECHAT_TOKEN": TOKEN,
        "PUFA_WECHAT_APPID": APPID,
        "PUFA_WECHAT_AES_KEY": AES_KEY,
        "PUFA_SECRET_KEY": "bench-secret",
    }
    wechat = WeChat(_Recorder(), mode="safe")
    per_server = args.requests + 20
    residents = max(50, per_server // 10)
    run = time.time_ns()
    ids = itertools.count(run // 1000)  # MsgIds no earlier run used

    def deliveries(tag: str) -> list[tuple[str, bytes]]:
        """A batch of its own for each server and round: another server's (or an earlier
        run's) MsgIds would be retries, answered from the stored reply without matching."""
        return [
            wechat.post_xml(
                message_xml(
                    f"o-bench-{run}-{tag}-{n % residents}",
                    "text",
                    msg_id=next(ids),
                    Content=QUESTIONS[n % len(QUESTIONS)],
                )
            )
            for n in range(per_server)
        ]

    servers = (
        ("bare Flask", "bare_app:app", ROOT / "bench"),
        ("pufa /wechat", "bot.web.app:create_app()", ROOT),
        *(
            [("pufa, match free", "bench.match_free_app:create_app()", ROOT)]
            if args.match_free
            else []
        ),
        *(
            [("crypto only", "bench.crypto_only_app:create_app()", ROOT)]
            if args.crypto_only
            else []
        ),
    )
    runs: dict[str, list[tuple[float, float, float, int]]] = {name: [] for name, _, _ in servers}
    for turn in range(args.rounds):
        for number, (name, app, cwd) in enumerate(servers):
            batch = deliveries(f"{turn}-{number}")
            port = free_port()
            process = start(app, port, args.workers, env, cwd, args.preload)
            try:
                load(port, batch[:20], 2)  # warm-up
                rps, latencies, errors = load(port, batch[20:], args.concurrency)
            finally:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(30)
            p99 = latencies[int(len(latencies) * 0.99) - 1]
            runs[name].append((rps, statistics.median(latencies), p99, errors))
    shape = f"gunicorn workers {args.workers}{' --preload' if args.preload else ''}"
    print(
        f"{args.requests} requests × {args.rounds} rounds, concurrency {args.concurrency}, "
        f"{shape}, {shown(url)}"
    )
    print("endpoint           req/s   median_ms   p99_ms  errors   (medians of the rounds)")
    rates = {}
    for name, turns in runs.items():
        rates[name] = rps = statistics.median(t[0] for t in turns)
        median = statistics.median(t[1] for t in turns)
        p99 = statistics.median(t[2] for t in turns)
        errors = sum(t[3] for t in turns)
        print(f"{name:<16} {rps:>7.1f} {median:>11.1f} {p99:>8.1f} {errors:>7}")
    for name in rates:
        if name not in ("bare Flask", "pufa /wechat"):
            print(f"{name} / bare ratio: {rates[name] / rates['bare Flask']:.2f}")
    ratios = [p[0] / b[0] for b, p in zip(runs["bare Flask"], runs["pufa /wechat"], strict=True)]
    print(
        f"pufa / bare ratio: {rates['pufa /wechat'] / rates['bare Flask']:.2f} "
        f"(per round: {', '.join(f'{r:.2f}' for r in ratios)})"
    )


if __name__ == "__main__":
    main()
