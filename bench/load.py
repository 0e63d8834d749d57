"""Residents under load, with WeChat's retries, through gunicorn on 127.0.0.1.

    python bench/load.py [--residents 1000] [--messages 10] [--retried 0.2] [--workers 4]
                         [--store sqlite|postgres] [--no-preload] [--outage SECONDS]

Every message is signed and AES-encrypted as WeChat sends it. A share of them (`--retried`) is
posted three times at once, the way WeChat retries a slow reply. `--outage N` (PostgreSQL only)
stops the machine's PostgreSQL for N seconds in the middle of the run and starts it again.
After the run the message journal is replayed (as the scheduler does every 30 s), then the
script counts what reached the database. It prints posts per second, p50 / p99, HTTP errors,
retries answered differently, messages sent against inbound rows, and the web tier's memory.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import http.client  # noqa: E402
import random  # noqa: E402

import xmltodict  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from bench.match_speed import QUERIES  # noqa: E402
from bench.webhook_throughput import _Recorder, free_port, wait_ready  # noqa: E402
from bot.store.journal import Journal  # noqa: E402
from bot.store.storage import Store  # noqa: E402
from bot.store.tables import inbound  # noqa: E402
from tests.wechat import AES_KEY, APPID, TOKEN, WeChat, message_xml  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/pufa_load"


def pg_cluster(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action], check=True
    )


def fresh_postgres() -> None:
    admin = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS pufa_load WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE pufa_load"))
    admin.dispose()


def pss_mb(parent: int) -> float:
    """Proportional set size of gunicorn's workers (the children of the master)."""
    total = 0
    for child in Path(f"/proc/{parent}/task/{parent}/children").read_text().split():
        for line in Path(f"/proc/{child}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--retried", type=float, default=0.2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--no-preload", action="store_true")
    parser.add_argument("--outage", type=float, default=0.0)
    args = parser.parse_args()
    if args.outage and args.store != "postgres":
        parser.error("--outage stops PostgreSQL: use it with --store postgres")

    workdir = Path(tempfile.mkdtemp(prefix="pufa-load-"))
    if args.store == "postgres":
        fresh_postgres()
        url = PG
    else:
        url = f"sqlite:///{workdir / 'load.db'}"
    journal_path = workdir / "journal.db"
    (workdir / "config.toml").write_text(
        f"[database]\nurl = '{url}'\n[server]\njournal = '{journal_path}'\n"
        f"[matching]\ncache_dir = '{ROOT / '.pufa-cache'}'\n"
    )
    env = {
        **os.environ,
        "PUFA_CONFIG": str(workdir / "config.toml"),
        "PUFA_WECHAT_TOKEN": TOKEN,
        "PUFA_WECHAT_APPID": APPID,
        "PUFA_WECHAT_AES_KEY": AES_KEY,
        "PUFA_SECRET_KEY": "load-secret",
    }
    rng = random.Random(12)
    recorder = WeChat(_Recorder(), mode="safe")
    posts: list[tuple[int, str, bytes]] = []  # (message number, url, body)
    for resident in range(args.residents):
        for n in range(args.messages):
            number = resident * args.messages + n
            xml = message_xml(f"o-load-{resident}", "text", Content=rng.choice(QUERIES))
            copies = 3 if rng.random() < args.retried else 1
            posts += [(number, *recorder.post_xml(xml)) for _ in range(copies)]
    sent = args.residents * args.messages

    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}"]
    command += ["--timeout", "30", "--log-level", "error"]
    if not args.no_preload:
        command.append("--preload")
    gunicorn = subprocess.Popen(
        [*command, "bot.web.app:create_app()"], cwd=workdir, env=env, start_new_session=True
    )
    wait_ready(port, timeout=120)
    time.sleep(2)
    memory = pss_mb(gunicorn.pid)

    replies: dict[int, list[str]] = defaultdict(list)
    polite: list[float] = []  # when each "系统开小差" reply came back
    back: list[float] = []  # when PostgreSQL was started again
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()

    def one(item: tuple[int, str, bytes]) -> None:
        number, path, body = item
        t0 = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", path, body=body, headers={"Content-Type": "text/xml"})
            response = conn.getresponse()
            status, raw = response.status, response.read().decode()
            conn.close()
        except OSError:
            status, raw = 599, ""
        content = ""
        if status == 200 and raw.startswith("<xml>"):
            sealed = xmltodict.parse(raw)["xml"]
            plain = recorder.crypto.decrypt_message(
                raw, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]
            )
            content = xmltodict.parse(plain)["xml"].get("Content") or ""
        with lock:
            statuses[status] += 1
            latencies.append((time.perf_counter() - t0) * 1000)
            replies[number].append(content)
            if "开小差" in content:
                polite.append(time.monotonic())

    outage: threading.Thread | None = None
    if args.outage:

        def stop_then_start() -> None:
            time.sleep(max(1.0, len(posts) / 150 / 2))  # about the middle of the run
            pg_cluster("stop")
            time.sleep(args.outage)
            pg_cluster("start")
            back.append(time.monotonic())

        outage = threading.Thread(target=stop_then_start)
        outage.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(one, posts))
    elapsed = time.perf_counter() - started
    if outage:
        outage.join()
    os.killpg(gunicorn.pid, signal.SIGTERM)
    gunicorn.wait(30)

    store = Store(url)
    waiting = Journal(journal_path).count()
    replayed = Journal(journal_path).replay(store)
    with store.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(inbound)).scalar_one()
    store.dispose()
    differing = sum(1 for texts in replies.values() if len(set(texts)) > 1)
    latencies.sort()
    print(
        f"{args.store}, gunicorn -w {args.workers}{'' if args.no_preload else ' --preload'}, "
        f"{args.residents} residents x {args.messages} messages, {args.retried:.0%} retried x3"
        + (f", PostgreSQL stopped for {args.outage:.0f} s mid-run" if args.outage else "")
    )
    print(f"posts {len(posts)} in {elapsed:.0f} s: {len(posts) / elapsed:.0f}/s")
    print(
        f"latency p50 {latencies[len(latencies) // 2]:.0f} ms, p99 {latencies[int(len(latencies) * 0.99)]:.0f} ms"
    )
    print("HTTP: " + ", ".join(f"{s} x{n}" for s, n in sorted(statuses.items())))
    print(f"retries answered differently: {differing}")
    print(
        f"messages sent {sent}; inbound rows {stored} "
        f"({waiting} were waiting in the journal, {replayed} replayed); lost {sent - stored}"
    )
    if back:
        after = max(polite, default=back[0]) - back[0]
        print(
            f"polite error replies: {len(polite)}; the last came {after:.1f} s after "
            "PostgreSQL was back"
        )
    print(f"web tier PSS at start: {memory:.0f} MB for {args.workers} workers")


if __name__ == "__main__":
    main()
